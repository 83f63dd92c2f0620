"""Build a wave's report: tables as CSV under ``report/``, and one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import schema as s
from pipeline.export.tables import most_answered
from pipeline.report import charts, tables
from pipeline.report.banner import sign_off_banner
from pipeline.report.compare import codebook_change, compare_shares
from pipeline.report.html import figure_html, render_page, table_html
from pipeline.report.inputs import ReportWave, load_outputs
from pipeline.report.numbers import num, pct
from pipeline.untrusted import csv_safe

REPORT_DIR = "report"
REPORT_HTML = "report.html"
COMPARE_ROWS_PER_QUESTION = 8
# A page of a panel and a table per question does not scale to a survey of thousands of open
# columns (20,000 took minutes per chart); the CSV tables keep every question.
MAX_QUESTIONS_SHOWN = 24


def report_tables(current: ReportWave, earlier: ReportWave | None = None
                  ) -> dict[str, pd.DataFrame]:
    """Every table of the report, by the name of its CSV file (without ``.csv``)."""
    book = current.codebook
    mentioned = tables.mentions(current.documents, current.segments, current.codings,
                                current.stances, book)
    out = {
        "themes": current.themes,  # as published: the report never counts themes again
        "stance_by_theme": tables.stance_by_theme(mentioned, book),
        "direction_by_theme": tables.direction_by_theme(mentioned, book),
        "crosstabs": tables.crosstab(current.documents, mentioned, book, current.attributes),
        "cooccurrence": tables.cooccurrence(mentioned, book).reset_index(),
        "uncovered_topics": tables.uncovered_topics(current.topics),
        "exemplars": tables.exemplars(mentioned, book),
        "codings_stances": current.stances,
    }
    if current.review is not None:
        labels = book.labels()
        out["review"] = current.review.assign(**{s.LABEL: current.review[s.CODE_ID].map(
            lambda c: labels.get(c, c))})
    if earlier is not None:
        out["compare"] = compare_shares(
            current.themes, earlier.themes,
            codebook_note=codebook_change(current.recorded_codebook, earlier.recorded_codebook))
    return out


def _figures(current: ReportWave, found: dict[str, pd.DataFrame]) -> dict[str, Any]:
    figures = {
        "themes": charts.themes_chart(found["themes"]),
        "stance": charts.stance_chart(found["stance_by_theme"]),
        "direction": charts.direction_chart(found["direction_by_theme"]),
    }
    crosstabs = found["crosstabs"]
    for kind, attribute in dict.fromkeys(zip(crosstabs[s.KIND], crosstabs[tables.ATTRIBUTE],
                                             strict=True)):
        figures[f"crosstab_{kind}_{attribute}"] = charts.crosstab_chart(crosstabs, attribute,
                                                                         kind)
    figures["cooccurrence"] = charts.cooccurrence_chart(
        found["cooccurrence"].set_index(s.CODE_ID), current.codebook.labels())
    if "compare" in found and not found["compare"].empty:
        figures["compare"] = charts.compare_chart(found["compare"])
    return {name: figure_html(fig, f"chart-{name}") for name, fig in figures.items()}


def _quotes(exemplars: pd.DataFrame) -> list[dict[str, Any]]:
    themes = []
    for code_id, group in exemplars.groupby(s.CODE_ID, sort=False):
        quotes = []
        for row in group.itertuples(index=False):
            text, a, b = str(row.quote), int(row.evidence_start), int(row.evidence_end)
            meta = [f"respondent {row.respondent_id}", str(row.question_id),
                    f"coded {row.coded_as}", f"confidence {float(row.confidence):.2f}"]
            meta += [f"{k} {v}" for k, v in (("stance", row.stance), ("direction", row.direction),
                                             ("status", row.status)) if isinstance(v, str) and v]
            quotes.append({"before": text[:a], "evidence": text[a:b], "after": text[b:],
                           "meta": " · ".join(meta)})
        themes.append({"code_id": code_id, "label": group[s.LABEL].iloc[0], "quotes": quotes})
    return themes


def _compare_context(found: dict[str, pd.DataFrame], earlier: ReportWave | None
                     ) -> dict[str, Any] | None:
    if earlier is None:
        return None
    table = found["compare"]
    shown = table[(table.groupby(s.QUESTION_ID).cumcount() < COMPARE_ROWS_PER_QUESTION)
                  | table["significant"].astype(bool)]
    note = str(table["codebook_note"].iloc[0]) if len(table) else codebook_change(
        {}, earlier.recorded_codebook)
    return {"wave": earlier.wave, "codebook_note": note, "tests": len(table),
            "table": table_html(shown, [
                (s.QUESTION_ID, "question", "text"), (s.LABEL, "theme", "text"),
                ("share_earlier", f"share {earlier.wave}", "pct"), (s.SHARE, "share", "pct"),
                ("difference", "change (points)", "points"), ("ci_low", "95% CI from", "points"),
                ("ci_high", "to", "points"), ("p", "p", "p"), ("q", "q", "p")],
                table_id="compare-table", highlight="significant")}


def _context(current: ReportWave, found: dict[str, pd.DataFrame], figures: dict[str, Any],
             earlier: ReportWave | None) -> dict[str, Any]:
    shares = found["themes"]
    questions = []
    for question_id, group in shares.groupby(s.QUESTION_ID, sort=True):
        questions.append({"id": question_id, "text": group[s.QUESTION].iloc[0],
                          "respondents": int(group[s.RESPONDENTS].max()),
                          "rows": group[group[s.MENTIONS] > 0].sort_values(s.RANK)
                          .to_dict("records")})
    book = current.recorded_codebook
    notes = list(current.notes)
    if current.rejected_codings:
        notes.append(f"{current.rejected_codings} codings rejected in review are left out.")
    stance_rows, direction_rows = (
        found[name][found[name][s.RESPONDENTS] > 0].sort_values(
            [s.RESPONDENTS, s.CODE_ID], ascending=[False, True], kind="stable")
        for name in ("stance_by_theme", "direction_by_theme"))
    topics_note = None
    if current.topics is None:
        skipped = current.topics_skipped
        topics_note = f"Topic discovery did not run{': ' + skipped if skipped else ''}."
    sections = [("themes", "Themes"), ("stance", "Needs and gaps"),
                ("direction", "Improved or worsened"), ("attributes", "Attributes"),
                ("cooccurrence", "Co-occurrence")]
    sections += [("compare", "Change")] if earlier is not None else []
    sections += [("topics", "New topics"), ("quotes", "Quotes")]
    review = found.get("review")
    sections += [("review", "Review")] if review is not None else []
    return {
        "title": current.title, "wave": current.wave, "sections": sections,
        "sign_off": sign_off_banner(current.outputs.run),
        "codebook": (f"{book.get('id')} {book.get('version')} "
                     f"(sha256 {str(book.get('sha256', ''))[:12]})" if book else "not recorded"),
        "counts": (f"{current.documents[s.RESPONDENT_ID].nunique()} respondents · "
                   f"{len(current.documents)} answers and transcripts · "
                   f"{len(current.segments)} segments · {len(current.codings)} codings"),
        "notes": notes, "charts": figures, "questions": questions,
        "stance_table": table_html(stance_rows, [
            (s.LABEL, "theme", "text"), (s.RESPONDENTS, "respondents raising it", "int"),
            ("needed", "needed", "int"), ("gap", "gap", "int"), ("available", "available", "int"),
            ("gap_share", "gap share", "pct")], table_id="stance-table"),
        "direction_table": table_html(direction_rows, [
            (s.LABEL, "theme", "text"), (s.RESPONDENTS, "respondents raising it", "int"),
            ("improved", "improved", "int"), ("worsened", "worsened", "int"),
            ("same", "same", "int"), ("net", "net", "int"), ("balance", "balance", "num")],
            table_id="direction-table"),
        "crosstab_keys": [k for k in figures if k.startswith("crosstab_")],
        "compare": _compare_context(found, earlier),
        "topics_note": topics_note,
        "topics_table": table_html(found["uncovered_topics"], [
            (s.TOPIC_ID, "topic", "int"), (s.SIZE, "segments", "int"),
            (s.COVERAGE, "coded", "pct"), (s.WORDS, "words", "text"),
            ("examples", "examples", "text")], table_id="topics-table",
            empty="Every topic found is covered by the codebook's codes."),
        "quotes": _quotes(found["exemplars"]),
        "sample": _sample_context(current.sample),
        "review": None if review is None else {
            "to_revise": review.loc[review[s.BELOW_THRESHOLD], s.LABEL].tolist(),
            "table": table_html(review, [
                (s.LABEL, "code", "text"), (s.STATUS_MACHINE, "not yet reviewed", "int"),
                (s.STATUS_ACCEPTED, "accepted", "int"), (s.STATUS_REJECTED, "rejected", "int"),
                (s.STATUS_HUMAN_ADDED, "added by reviewers", "int"),
                (s.PERCENT_AGREEMENT, "agreement", "pct"), (s.KAPPA, "kappa", "num")],
                table_id="review-table", highlight=s.BELOW_THRESHOLD)},
    }


def _sample_context(pooled: pd.Series | None) -> dict[str, str] | None:
    """The machine's pooled precision, recall and F1 on random samples, as the page says them."""
    if pooled is None:
        return None

    def said(value: float, style: str = "num") -> str:
        return "undefined" if pd.isna(value) else (pct(value) if style == "pct" else num(value))

    interval = ("" if pd.isna(pooled[s.F1_LOW]) else
                f" (95 % interval {num(pooled[s.F1_LOW])}-{num(pooled[s.F1_HIGH])})")
    return {"passages": f"{int(pooled[s.PASSAGES]):,}",
            "precision": said(pooled[s.PRECISION], "pct"),
            "recall": said(pooled[s.RECALL], "pct"),
            "f1": said(pooled[s.F1]) + interval, "kappa": said(pooled[s.KAPPA])}


def build_report(outputs_dir: Path, compare_dir: Path | None = None) -> Path:
    """Write ``<outputs_dir>/report.html`` and its tables as CSV in ``<outputs_dir>/report/``.

    Args:
        outputs_dir: a wave's output folder (``outputs/<wave>/``).
        compare_dir: an earlier wave's output folder; adds the change in share per theme.

    Returns:
        The path of ``report.html``: one file that opens offline (plotly.js is inlined).
    """
    outputs_dir = Path(outputs_dir)
    current = load_outputs(outputs_dir)
    earlier = load_outputs(Path(compare_dir)) if compare_dir is not None else None
    found = report_tables(current, earlier)
    csv_dir = outputs_dir / REPORT_DIR
    csv_dir.mkdir(parents=True, exist_ok=True)
    for stale in csv_dir.glob("*.csv"):
        stale.unlink()
    for name, frame in found.items():
        csv_safe(frame).to_csv(csv_dir / f"{name}.csv", index=False)  # quotes: never formulas
    on_page, note = questions_on_page(found)
    figures = _figures(current, on_page)
    context = _context(current, on_page, figures, earlier)
    context["notes"] += [note] if note else []
    path = outputs_dir / REPORT_HTML
    path.write_text(render_page(context), encoding="utf-8")
    return path


def questions_on_page(found: dict[str, pd.DataFrame], limit: int = MAX_QUESTIONS_SHOWN
                      ) -> tuple[dict[str, pd.DataFrame], str | None]:
    """The report's tables with the per-question ones cut to what the page shows, and a note.

    Up to ``limit`` questions all are shown; past it, those with the most respondents
    (:func:`most_answered`), the note saying so. Takes and gives tables by name.
    """
    themes = found["themes"]
    shown = most_answered(themes, limit).index
    asked = themes[s.QUESTION_ID].nunique()
    if asked <= len(shown):
        return found, None
    cut = {name: frame[frame[s.QUESTION_ID].isin(shown)] if name in ("themes", "compare")
           else frame for name, frame in found.items()}
    return cut, (f"{len(shown)} of {asked:,} questions are shown, those with the most "
                 f"respondents; {REPORT_DIR}/themes.csv holds every question.")
