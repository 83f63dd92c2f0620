"""The human-readable run summary: the Prefect artifact and what the CLI prints."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline import schema as s
from pipeline.export.tables import top_codes


def run_summary_markdown(record: dict[str, Any], summary: pd.DataFrame,
                         topics: pd.DataFrame | None, labels: dict[str, str]) -> str:
    """Render a run as Markdown.

    Rows in/kept/rejected by reason, segments, codings, top codes per question, topics the
    codebook does not cover, stage timings and where the outputs are.
    """
    acc = record["accounting"]
    lines = [f"# Wave `{record['wave']}`", ""]
    lines += [f"- rows in: **{acc['items_in']}**, kept: **{acc['kept']}**, "
              f"rejected: **{acc['rejected']}**"]
    for reason, count in acc["rejected_by_reason"].items():
        lines.append(f"  - {reason}: {count}")
    lines += [f"- segments: **{acc['segments']}** ({acc['segments_coded']} coded); "
              f"codings: **{acc['codings']}** ({acc['codings_negated']} negated)",
              f"- documents with no code: {acc['documents_uncoded']}",
              f"- coder: `{record['coder']}`; codebook `{record['codebook']['id']}` "
              f"v{record['codebook']['version']}"]
    for note in record.get("notes", []):
        lines.append(f"- note: {note}")
    lines += ["", "## Top codes per question", "", "| question | code | respondents | share |",
              "|---|---|---|---|"]
    for question_id, best in top_codes(summary).items():
        for code_id, mentions, share in best:
            lines.append(f"| {question_id} | {labels.get(code_id, code_id)} | {mentions} | "
                         f"{share:.0%} |")
    lines += ["", "## Topics not covered by the codebook", ""]
    if topics is None or topics.empty:
        reason = record.get("topics", {}).get("skipped_reason") or "not run"
        lines.append(f"_topic discovery: {reason}_")
    else:
        uncovered = topics[topics[s.UNCOVERED]]
        if uncovered.empty:
            lines.append("_every topic is covered by at least one code_")
        for row in uncovered.itertuples(index=False):
            words = ", ".join(list(getattr(row, s.WORDS))[:6])
            lines.append(f"- topic {getattr(row, s.TOPIC_ID)} ({getattr(row, s.SIZE)} "
                         f"segments): {words}")
    lines += ["", "## Stage wall times (s)", ""]
    lines += [f"- {stage}: {secs:.1f}" for stage, secs in record["timings"].items()]
    lines += ["", f"Written to `{record['output_dir']}/`"]
    return "\n".join(lines) + "\n"
