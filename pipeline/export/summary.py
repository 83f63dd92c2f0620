"""The human-readable run summary: the Prefect artifact and what the CLI prints."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline import schema as s
from pipeline.export.files import UNCOVERED_FILE
from pipeline.export.tables import most_answered, top_codes, uncovered
from pipeline.text import some_of

RESPONDENT_WARN_SHARE = 0.5
MAX_TOPICS_LISTED = 10
MAX_QUESTIONS_LISTED = 20  # a survey of thousands of open columns: the rest in the CSV


def run_summary_markdown(record: dict[str, Any], summary: pd.DataFrame,
                         topics: pd.DataFrame | None, labels: dict[str, str]) -> str:
    """Render a run as Markdown.

    Rows in/kept/rejected by reason, segments, codings, transcripts whose respondent says
    under half the text, top codes per question, the largest topics the codebook does not
    cover (publish lists them all in ``uncovered_topics.csv``), stage times
    and where the outputs are.
    """
    acc = record["accounting"]
    lines = [f"# Wave `{record['wave']}`", ""]
    lines += [f"- rows in: **{acc['items_in']:,}**, kept: **{acc['kept']:,}**, "
              f"rejected: **{acc['rejected']:,}**"]
    for reason, count in acc["rejected_by_reason"].items():
        lines.append(f"  - {reason}: {count:,}")
    lines += [f"- segments: **{acc['segments']:,}** ({acc['segments_coded']:,} coded); "
              f"codings: **{acc['codings']:,}** ({acc['codings_negated']:,} negated)",
              f"- documents with no code: {acc['documents_uncoded']:,}",
              f"- coder: `{record['coder']}`; codebook `{record['codebook']['id']}` "
              f"v{record['codebook']['version']}"]
    lines += [f"- note: {note}" for note in grouped_notes(record.get("notes", []),
                                                          set(record.get("inputs") or {}))]
    lines += transcript_warnings(record.get("transcripts", {}))
    lines += ["", "## Top codes per question", "", "| question | code | respondents | share |",
              "|---|---|---|---|"]
    listed = set(most_answered(summary, MAX_QUESTIONS_LISTED).index)
    shown = summary[summary[s.QUESTION_ID].isin(listed)]
    for question_id, best in top_codes(shown).items():
        for code_id, mentions, share in best:
            lines.append(f"| {question_id} | {labels.get(code_id, code_id)} | {mentions} | "
                         f"{share:.0%} |")
    if (asked := summary[s.QUESTION_ID].nunique()) > len(listed):
        lines.append(f"\n_… {asked - len(listed):,} more questions (those listed have the most "
                     "respondents): every question is in theme_summary.csv_")
    lines += continuity_lines(record.get("topics", {}), topics)
    lines += ["", "## Topics not covered by the codebook", ""]
    if topics is None or topics.empty:
        reason = record.get("topics", {}).get("skipped_reason") or "not run"
        lines.append(f"_topic discovery: {reason}_")
    else:
        lines += uncovered_topics(topics)
    lines += candidate_lines(record.get("topics", {}).get("candidates") or {})
    lines += timing_lines(record["timings"])
    lines += ["", f"Written to `{record['output_dir']}/`"]
    return "\n".join(lines) + "\n"


FILES_NAMED = 3  # files named in a note said of many; the count says how many more


def grouped_notes(notes: list[str], files: set[str]) -> list[str]:
    """``notes`` with those that say the same of several of the wave's ``files`` as one.

    A note about a file reads ``<file>: <what>``. Seventeen transcripts each "inferred
    interview; interviewer ['MODERATOR']" read as one note naming the files; run.json keeps
    every note as it was.
    """
    files_of: dict[str, list[str]] = {}
    for note in notes:
        file, _, said = note.partition(": ")
        if said and file in files:
            files_of.setdefault(said, []).append(file)
    grouped, done = [], set()
    for note in notes:
        file, _, said = note.partition(": ")
        alike = files_of.get(said, [])
        if len(alike) < 2 or file not in alike:
            grouped.append(note)
        elif said not in done:
            done.add(said)
            grouped.append(f"{len(alike)} files ({some_of(alike, FILES_NAMED)}): {said}")
    return grouped


# Seconds the chunks spent in each of their steps, summed over the processes that ran them
# side by side (pipeline.coding.stream): together more than segment-and-code's wall time.
CHUNK_STEPS = ("segment", "code", "stance")
BESIDE_PUBLISH = ("wide_files",)  # written by a process of their own during export and store


def timing_lines(timings: dict[str, float]) -> list[str]:
    """Each stage's wall time; the chunks' own steps under segment-and-code, marked as such."""
    lines = ["", "## Stage times (s)", ""]
    for stage, seconds in timings.items():
        if stage in CHUNK_STEPS:
            lines.append(f"  - {stage}: {seconds:.1f} (the chunks' own seconds, summed)")
        elif stage in BESIDE_PUBLISH:
            lines.append(f"- {stage}: {seconds:.1f} (beside export and store)")
        else:
            lines.append(f"- {stage}: {seconds:.1f}")
    return lines


def candidate_lines(candidates: dict[str, Any]) -> list[str]:
    """Where the uncovered topics were drafted as candidate codes, and how to accept one."""
    ids = candidates.get("ids") or []
    if not ids:
        return []
    new = candidates.get("new_in_wave") or []
    first = new[0] if new else ids[0]
    return [f"- {len(ids)} candidate codes drafted in `{candidates.get('file', '')}`"
            + (f" (new in this wave: {', '.join(new)})" if new else "")
            + f"; add one to the codebook with `wavecoder codebook accept {first}`"]


def transcript_warnings(transcripts: dict[str, dict[str, Any]]) -> list[str]:
    """A warning per transcript whose respondent text is under half of it."""
    lines = []
    for document_id, found in sorted(transcripts.items()):
        share = found.get("respondent_share", 1.0)
        if share < RESPONDENT_WARN_SHARE:
            who = ", ".join(found.get("interviewer") or []) or "none found"
            lines.append(f"- **warning**: `{document_id}`: respondent text is {share:.0%} of the "
                         f"transcript (interviewer: {who}; see run.json `transcripts`)")
    return lines


def uncovered_topics(topics: pd.DataFrame) -> list[str]:
    """The largest uncovered topics as Markdown lines, pointing to the file that lists all."""
    found = uncovered(topics)
    if found.empty:
        return ["_every topic is covered by at least one code_"]
    lines = [f"- topic {getattr(row, s.TOPIC_ID)} ({getattr(row, s.SIZE)} segments): "
             f"{', '.join(list(getattr(row, s.WORDS))[:6])}"
             for row in found.head(MAX_TOPICS_LISTED).itertuples(index=False)]
    if len(found) > MAX_TOPICS_LISTED:
        lines.append(f"- … and {len(found) - MAX_TOPICS_LISTED} smaller uncovered topics in "
                     f"`{UNCOVERED_FILE}`")
    return lines


def continuity_lines(info: dict[str, Any], topics: pd.DataFrame | None) -> list[str]:
    """How the topics were made (kept model, pooled waves) and which are new or vanished."""
    if not info.get("summary"):
        return []
    lines = ["", "## Topics across waves", "", f"- {info['summary']}"]
    words = {} if topics is None or topics.empty else dict(zip(topics[s.TOPIC_ID],
                                                               topics[s.WORDS], strict=True))
    for topic in info.get("new_topics", []):
        lines.append(f"- **new in this wave**: topic {topic}: "
                     f"{', '.join(list(words.get(topic, []))[:6])}")
    vanished = info.get("vanished_topics", [])
    if vanished:
        lines.append(f"- vanished (kept topics with no segment in this wave): "
                     f"{', '.join(str(t) for t in vanished)}")
    if info.get("mapping"):
        lines.append(f"- refitted: old → new topic ids in `{info['mapping']}` beside the model")
    return lines
