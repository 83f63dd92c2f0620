"""Build the trend report of several waves: tables as CSV, a PNG per code, one HTML page.

``build_trend_report([outputs/w1, outputs/w2, outputs/w3])`` writes, by default into
``outputs/trends/``: ``report.html`` (self-contained: the charts are inlined), the tables
(``theme_trends.csv``, ``codebook_changes.csv``, ``gaps.csv``, ``topic_trends.csv`` when topics
carry stable ids, ``compare.csv``) and ``charts/*.png``. The last step is the two-wave
comparison of the last two waves, written as the last wave's own report as well.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment
from matplotlib.figure import Figure

from pipeline import schema as s
from pipeline.export.tables import most_answered
from pipeline.report.build import (
    COMPARE_ROWS_PER_QUESTION,
    MAX_QUESTIONS_SHOWN,
    REPORT_HTML,
    build_report,
)
from pipeline.report.compare import codebook_change, compare_shares
from pipeline.report.html import pct, table_html
from pipeline.report.trend_charts import MAX_LINES, save_png, trend_chart
from pipeline.report.trend_template import PAGE
from pipeline.report.trends import (
    CI_HIGH,
    CI_LOW,
    NEW_IN_WAVE,
    WAVE_INDEX,
    TrendWaves,
    codebook_changes,
    codebook_ref,
    gaps,
    questions_by_reach,
    read_trend_waves,
    theme_trends,
    topic_trends,
)
from pipeline.untrusted import csv_safe

TRENDS_DIR = "trends"  # beside the wave folders: outputs/trends/
CHARTS_DIR = "charts"
MAX_GAP_NOTES = 20  # the page names this many; gaps.csv has them all
# A section and chart per code: a codebook imported from a large QDA project may have hundreds
# (566 codes took 112 s and a 34 MB page); theme_trends.csv keeps every code.
MAX_CODES_CHARTED = 40


@dataclass
class TrendReport:
    """What :func:`build_trend_report` wrote."""

    path: Path  # report.html
    tables: dict[str, pd.DataFrame]
    charts: dict[str, Path] = field(default_factory=dict)  # "code-<id>" / "topic-<id>" -> PNG
    compare_report: Path | None = None  # the last wave's report, compared with the one before


def default_trend_dir(wave_dirs: list[Path]) -> Path:
    """Where a trend report goes unless told: ``trends/`` beside the last wave's folder."""
    return Path(wave_dirs[-1]).parent / TRENDS_DIR


def _code_order(found: TrendWaves, trends: pd.DataFrame) -> list[str]:
    """Codes in the last wave's codebook order, then codes only earlier waves had."""
    order: list[str] = []
    for wave in reversed(found.waves):
        ids = wave.codebook.code_ids() if wave.codebook is not None else []
        order += [c for c in ids if c not in order]
    return order + [c for c in dict.fromkeys(trends[s.CODE_ID]) if c not in order]


def charted_codes(found: TrendWaves, trends: pd.DataFrame, limit: int = MAX_CODES_CHARTED
                  ) -> tuple[list[str], str | None]:
    """The codes the page charts, in codebook order, and a note when it cannot chart them all.

    Past ``limit`` codes, those with the most mentions (respondents raising them, summed over
    questions and waves; the first in codebook order on a tie).
    """
    order = _code_order(found, trends)
    if len(order) <= limit:
        return order, None
    mentions = trends.groupby(s.CODE_ID, sort=False)[s.MENTIONS].sum().reindex(order)
    kept = set(mentions.sort_values(ascending=False, kind="stable").index[:limit])
    return [c for c in order if c in kept], (
        f"The {limit} of {len(order):,} codes with the most mentions across the waves are "
        "charted here; theme_trends.csv holds every code.")


def _png(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def _code_rows(part: pd.DataFrame, n_waves: int) -> list[dict[str, Any]]:
    rows = []
    for question_id, lines in part.groupby(s.QUESTION_ID, sort=True):
        cells: list[dict[str, Any] | None] = [None] * n_waves
        for row in lines.itertuples(index=False):
            cells[int(getattr(row, WAVE_INDEX))] = {
                "share": getattr(row, s.SHARE), "low": getattr(row, CI_LOW),
                "high": getattr(row, CI_HIGH), "mentions": int(getattr(row, s.MENTIONS)),
                "respondents": int(getattr(row, s.RESPONDENTS))}
        rows.append({"question": f"{question_id}: {lines[s.QUESTION].iloc[-1]}",
                     "cells": cells})
    return rows


def charted_topics(table: pd.DataFrame, limit: int = MAX_CODES_CHARTED
                   ) -> tuple[list[int], str | None]:
    """The stable topics the page charts, by id, and a note when it cannot chart them all.

    Past ``limit`` topics, those with the most segments summed over the waves (the lower id
    on a tie): a kept topic model may hold hundreds.
    """
    sizes = table.groupby(s.TOPIC_ID, sort=True)[s.SIZE].sum()
    if len(sizes) <= limit:
        return [int(t) for t in sizes.index], None
    kept = set(sizes.sort_values(ascending=False, kind="stable").index[:limit])
    return [int(t) for t in sizes.index if t in kept], (
        f"The {limit} of {len(sizes):,} topics with the most segments across the waves are "
        "charted here; topic_trends.csv holds every topic.")


def code_chart(part: pd.DataFrame, waves: list[str], changes: dict[int, str] | None = None
               ) -> Figure:
    """A code's chart from its trend rows: a line per question, share per wave.

    Past :data:`MAX_LINES` questions (one colour each), the lines are those with the most
    respondents over the waves (:func:`questions_by_reach`) and the legend's heading says so.
    """
    code_id, label = part[s.CODE_ID].iloc[-1], part[s.LABEL].iloc[-1]
    questions = part.drop_duplicates(s.QUESTION_ID, keep="last").set_index(s.QUESTION_ID)
    ranked = questions_by_reach(part)
    note = (f"The {MAX_LINES} of {len(ranked):,} questions with the most respondents"
            if len(ranked) > MAX_LINES else None)
    return trend_chart(part[part[s.QUESTION_ID].isin(ranked[:MAX_LINES])], s.QUESTION_ID,
                       waves, title=f"{label} ({code_id})",
                       names={q: f"{q}: {t}" for q, t in questions[s.QUESTION].items()},
                       changes=changes, note=note)


def _charts(found: TrendWaves, tables: dict[str, pd.DataFrame], chart_dir: Path
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Path],
                       dict[str, str | None]]:
    """The code and topic sections, the PNGs written, and the notes on what was left out."""
    ids, trends = found.ids, tables["theme_trends"]
    changes = {int(r[WAVE_INDEX]): f"{r['previous_wave']} → {r[s.WAVE]}, v{r['codebook_version']}"
               for _, r in tables["codebook_changes"].iterrows()}
    written, codes, topics = {}, [], []
    code_ids, codes_note = charted_codes(found, trends)
    notes: dict[str, str | None] = {"codes_note": codes_note, "topics_cut": None}
    for code_id in code_ids:
        part = trends[trends[s.CODE_ID] == code_id]
        label = str(part[s.LABEL].iloc[-1])
        path = written[f"code-{code_id}"] = save_png(code_chart(part, ids, changes),
                                                     chart_dir / f"code-{code_id}.png")
        ranked = questions_by_reach(part)
        shown = part[part[s.QUESTION_ID].isin(ranked[:MAX_QUESTIONS_SHOWN])]
        codes.append({"id": code_id, "label": label, "png": _png(path),
                      "rows": _code_rows(shown, len(ids)),
                      "more": max(0, len(ranked) - MAX_QUESTIONS_SHOWN)})
    topic_table = tables.get("topic_trends")
    if topic_table is not None:
        topic_ids, notes["topics_cut"] = charted_topics(topic_table)
        charted = set(topic_ids)
        for topic_id, part in topic_table.groupby(s.TOPIC_ID, sort=True):
            if topic_id not in charted:
                continue
            words = str(part[s.WORDS].iloc[-1])
            fig = trend_chart(part, s.TOPIC_ID, ids, title=f"Topic {topic_id}: {words}",
                              names={topic_id: "share of modelled segments"}, changes=changes,
                              ylabel="% of modelled segments")
            path = written[f"topic-{topic_id}"] = save_png(
                fig, chart_dir / f"topic-{topic_id}.png")
            new_in = part.loc[part[NEW_IN_WAVE].astype(bool), s.WAVE].tolist()
            topics.append({"id": int(topic_id), "words": words, "png": _png(path),
                           "new_in": ", ".join(new_in)})
    return codes, topics, written, notes


def _gap_notes(table: pd.DataFrame, limit: int = MAX_GAP_NOTES) -> list[str]:
    """A line per question or code some wave lacks, at most ``limit``, then how many more."""
    notes = [f"{'Question' if row.kind == 'question' else 'Code'} {row.id} ({row.label}) is "
             f"not in {row.missing_in}: "
             f"{'not asked that wave' if row.kind == 'question' else 'not in that codebook'}."
             for row in table.head(limit).itertuples(index=False)]
    if len(table) > limit:
        notes.append(f"{len(table) - limit:,} more questions or codes some wave lacks: "
                     "gaps.csv lists every one.")
    return notes


def _compare_on_page(table: pd.DataFrame, summary: pd.DataFrame
                     ) -> tuple[pd.DataFrame, str | None]:
    """The comparison's rows of the questions the page shows, and a note when some are not.

    As the wave's own report: past :data:`MAX_QUESTIONS_SHOWN` questions, those with the most
    respondents in the last wave; the note counts the significant changes left to the CSV.
    """
    shown = most_answered(summary, MAX_QUESTIONS_SHOWN).index
    asked = table[s.QUESTION_ID].nunique()
    on_page = table[table[s.QUESTION_ID].isin(shown)]
    if len(on_page) == len(table):
        return table, None
    elsewhere = int(table.loc[~table[s.QUESTION_ID].isin(shown), "significant"].sum())
    return on_page, (f"{on_page[s.QUESTION_ID].nunique()} of {asked:,} questions are shown, "
                     "those with the most respondents this wave; compare.csv holds every one, "
                     f"with {elsewhere:,} significant changes among the others.")


def _compare(found: TrendWaves, trend_dir: Path, report: Path | None
             ) -> tuple[pd.DataFrame, dict[str, Any]]:
    earlier, current = found.waves[-2], found.waves[-1]
    note = codebook_change(codebook_ref(current), codebook_ref(earlier))
    table = compare_shares(current.theme_summary, earlier.theme_summary, codebook_note=note)
    on_page, page_note = _compare_on_page(table, current.theme_summary)
    shown = on_page[(on_page.groupby(s.QUESTION_ID).cumcount() < COMPARE_ROWS_PER_QUESTION)
                    | on_page["significant"].astype(bool)]
    link = os.path.relpath(report, trend_dir) if report is not None else ""
    return table, {
        "wave": earlier.wave, "current": current.wave, "codebook_note": note,
        "tests": len(table), "link": Path(link).as_posix(), "page_note": page_note,
        "table": table_html(shown, [
            (s.QUESTION_ID, "question", "text"), (s.LABEL, "theme", "text"),
            ("share_earlier", f"share {earlier.wave}", "pct"),
            (s.SHARE, f"share {current.wave}", "pct"), ("difference", "change (points)",
                                                        "points"),
            ("ci_low", "95% CI from", "points"), ("ci_high", "to", "points"), ("p", "p", "p"),
            ("q", "q", "p")], table_id="compare-table", highlight="significant")}


def build_trend_report(wave_dirs: list[Path], out_dir: Path | None = None, *,
                       compare_last: bool = True) -> TrendReport:
    """Write the trend report of ``wave_dirs`` (wave output folders, in fieldwork order).

    Args:
        wave_dirs: two or more ``outputs/<wave>/`` folders, earliest first.
        out_dir: where to write (default ``trends/`` beside the last wave's folder).
        compare_last: also write the last wave's own report compared with the wave before it
            (``outputs/<last wave>/report.html``), linked from the page's last section.

    Returns:
        :class:`TrendReport`: the page, its tables and charts.
    """
    found = read_trend_waves([Path(d) for d in wave_dirs])
    out_dir = Path(out_dir) if out_dir is not None else default_trend_dir(wave_dirs)
    trends = theme_trends(found)
    tables = {"theme_trends": trends, "codebook_changes": codebook_changes(found),
              "gaps": gaps(trends, found.ids)}
    topic_table, topics_note = topic_trends(found)
    if topic_table is not None:
        tables["topic_trends"] = topic_table
    compare_report = (build_report(found.waves[-1].directory, found.waves[-2].directory)
                      if compare_last else None)
    tables["compare"], compare = _compare(found, out_dir, compare_report)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in [*out_dir.glob("*.csv"), *(out_dir / CHARTS_DIR).glob("*.png")]:
        stale.unlink()  # a code or topic gone since the last report leaves no stale file
    for name, frame in tables.items():
        csv_safe(frame).to_csv(out_dir / f"{name}.csv", index=False)
    codes, topics, charts, left_out = _charts(found, tables, out_dir / CHARTS_DIR)
    waves = [{"id": w.wave, "codebook": codebook_ref(w).get("version", "not recorded"),
              "respondents": int(w.documents[s.RESPONDENT_ID].nunique())} for w in found.waves]
    env = Environment(autoescape=True, keep_trailing_newline=True)
    env.filters["pct"] = pct
    page = env.from_string(PAGE).render(
        waves=waves, codes=codes, topics=topics, topics_note=topics_note, **left_out,
        changes=tables["codebook_changes"].to_dict("records"),
        gaps=_gap_notes(tables["gaps"]), compare=compare)
    path = out_dir / REPORT_HTML
    path.write_text(page, encoding="utf-8")
    return TrendReport(path, tables, charts, compare_report)
