"""Spreadsheet review: a wave's codings as an ``.xlsx`` a researcher fills in, and its import.

The ``review`` sheet has one row per coding, the review queue's picks first: the passage with
its evidence highlighted, the passage in context (the sentences either side), the code, the
machine's confidence and status, and four columns to fill: ``decision`` (a drop-down: accept,
reject, recode, add), ``corrected_code`` (a drop-down of the codebook's ids), ``reviewer`` and
``note``. A code the machine missed is added on a new row: the segment id (from the
``segments`` sheet), decision ``add`` and the code in ``corrected_code``.

A sample workbook (``sample``: segment ids drawn at random, :mod:`pipeline.review.sample`)
has the sampled passages only, each with its codings or, uncoded, one row without a code for
``none`` (no code applies) or ``add``; its hidden ``sample`` sheet lists the passages, read
back on import to measure the machine on them.

Reading it back, every row that cannot be a decision gets a message naming the row: an unknown
code or segment, a recode without its new code, an accept or reject with a different corrected
code, two rows deciding the same coding differently. Rows left blank are counted, not decided.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.errors import InputError
from pipeline.review import ReviewImport
from pipeline.review.sample import sample_rows
from pipeline.review.workbook_rows import DECISIONS, RowReader
from pipeline.untrusted import cells_as_text, check_office_file

REVIEW_SHEET, SEGMENTS_SHEET, CODEBOOK_SHEET = "review", "segments", "codebook"
SAMPLE_SHEET = "sample"
COLUMNS = [s.PRIORITY, s.QUEUE_REASON, s.SEGMENT_ID, s.RESPONDENT_ID, s.QUESTION_ID,
           s.CODE_ID, s.LABEL, s.PASSAGE, s.IN_CONTEXT, s.CONFIDENCE, s.NEEDS_REVIEW, s.STATUS,
           s.DECISION, s.CORRECTED_CODE, s.REVIEWER, s.NOTE]
REQUIRED = [s.SEGMENT_ID, s.CODE_ID, s.DECISION, s.CORRECTED_CODE, s.REVIEWER]
_WIDTHS = {s.PASSAGE: 70, s.IN_CONTEXT: 70, s.LABEL: 28, s.NOTE: 30, s.DECISION: 11,
           s.CORRECTED_CODE: 22, s.REVIEWER: 16, s.SEGMENT_ID: 16, s.QUEUE_REASON: 16}
_EVIDENCE_FONT = InlineFont(b=True, color="C00000")


def _passage(text: str, start: int, end: int) -> CellRichText | str:
    """The segment with ``text[start:end]`` (segment offsets) in bold red."""
    start, end = max(0, start), min(len(text), end)
    if start >= end:
        return text
    parts = [text[:start], TextBlock(_EVIDENCE_FONT, text[start:end]), text[end:]]
    return CellRichText(*[p for p in parts if p])


def _contexts(segments: pd.DataFrame) -> dict[str, str]:
    """Each segment between the sentences before and after it in its document, marked »…«."""
    out = {}
    for _, group in segments.sort_values([s.DOCUMENT_ID, s.START]).groupby(s.DOCUMENT_ID,
                                                                           sort=False):
        texts, ids = group[s.TEXT].tolist(), group[s.SEGMENT_ID].tolist()
        for i, segment_id in enumerate(ids):
            before = texts[i - 1] + " " if i else ""
            after = " " + texts[i + 1] if i + 1 < len(texts) else ""
            out[segment_id] = f"{before}»{texts[i]}«{after}"
    return out


def review_rows(codings: pd.DataFrame, segments: pd.DataFrame, documents: pd.DataFrame,
                queue: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """The workbook's rows: every coding, queued ones first (by priority), then by segment.

    A segment's codings stay together, where its first queued coding comes: a reviewer who
    works down the sheet decides whole passages, and only a passage whose every coding is
    decided becomes gold for ``retrain`` (with each coding in its own place, the first 300 rows
    of a review of the NHS comments left 160 of their 300 passages partly decided).
    """
    joined = _located(codings.merge(queue[[s.SEGMENT_ID, s.CODE_ID, s.PRIORITY,
                                           s.QUEUE_REASON]], on=[s.SEGMENT_ID, s.CODE_ID],
                                    how="left"), segments, documents, codebook)
    position = {sid: i for i, sid in enumerate(segments[s.SEGMENT_ID])}
    joined["_position"] = joined[s.SEGMENT_ID].map(position)
    joined["_first"] = joined.groupby(s.SEGMENT_ID, sort=False)[s.PRIORITY].transform("min")
    ordered = joined.sort_values(["_first", "_position", s.PRIORITY, s.START, s.CODE_ID],
                                 kind="stable", na_position="last")
    return ordered.drop(columns="_first").reset_index(drop=True)


def _located(rows: pd.DataFrame, segments: pd.DataFrame, documents: pd.DataFrame,
             codebook: Codebook) -> pd.DataFrame:
    """``rows`` (codings) with their passage, its start, respondent, question and code label."""
    placed = segments[[s.SEGMENT_ID, s.DOCUMENT_ID, s.TEXT, s.START]].rename(
        columns={s.START: "segment_start"})
    joined = rows.merge(placed, on=s.SEGMENT_ID, how="left")
    joined = joined.merge(documents[[s.DOCUMENT_ID, s.RESPONDENT_ID, s.QUESTION_ID]],
                          on=s.DOCUMENT_ID, how="left")
    joined[s.LABEL] = joined[s.CODE_ID].map(codebook.labels())
    return joined


def write_workbook(path: Path, wave: str, codings: pd.DataFrame, segments: pd.DataFrame,
                   documents: pd.DataFrame, queue: pd.DataFrame, codebook: Codebook, *,
                   sample: list[str] | None = None) -> Path:
    """Write the review workbook of ``wave`` to ``path``; returns the path.

    ``sample``: segment ids drawn at random; the workbook then has only those passages,
    coded or not, instead of every coding (``queue`` is not read).
    """
    if sample is None:
        rows = review_rows(codings, segments, documents, queue, codebook)
    else:
        rows = _located(sample_rows(codings, segments, sample), segments, documents, codebook)
    contexts = _contexts(segments)
    book = Workbook()
    book.properties.identifier = wave  # read back to refuse another wave's workbook
    book.properties.title = f"wavecoder review: {wave}"
    sheet = book.active
    sheet.title = REVIEW_SHEET
    sheet.append(COLUMNS)
    for row in rows.itertuples(index=False):
        start = int(row.start) - int(row.segment_start)
        values = {
            s.PRIORITY: None if pd.isna(row.priority) else int(row.priority),
            s.QUEUE_REASON: None if pd.isna(row.queue_reason) else row.queue_reason,
            s.SEGMENT_ID: row.segment_id, s.RESPONDENT_ID: row.respondent_id,
            s.QUESTION_ID: row.question_id, s.CODE_ID: _or_none(row.code_id),
            s.LABEL: _or_none(row.label),
            s.PASSAGE: _passage(row.text, start, int(row.end) - int(row.segment_start)),
            s.IN_CONTEXT: contexts.get(row.segment_id, row.text),
            s.CONFIDENCE: None if pd.isna(row.confidence) else round(float(row.confidence), 3),
            s.NEEDS_REVIEW: bool(row.needs_review), s.STATUS: row.status,
        }
        sheet.append([values.get(c) for c in COLUMNS])
    _format(sheet, len(rows), len(codebook.code_ids()))
    segment_sheet = book.create_sheet(SEGMENTS_SHEET)
    segment_sheet.append([s.SEGMENT_ID, s.RESPONDENT_ID, s.QUESTION_ID, s.TEXT])
    located = segments.merge(documents[[s.DOCUMENT_ID, s.RESPONDENT_ID, s.QUESTION_ID]],
                             on=s.DOCUMENT_ID, how="left")
    for row in located[[s.SEGMENT_ID, s.RESPONDENT_ID, s.QUESTION_ID, s.TEXT]].itertuples(
            index=False):
        segment_sheet.append(list(row))
    codes = book.create_sheet(CODEBOOK_SHEET)
    codes.append([s.CODE_ID, s.LABEL, s.PARENT, "definition"])
    for code, parent in codebook.walk():
        codes.append([code.id, code.label, parent, code.definition])
    if sample is not None:
        drawn = book.create_sheet(SAMPLE_SHEET)
        drawn.sheet_state = "hidden"
        drawn.append([s.SEGMENT_ID])
        for segment_id in sample:
            drawn.append([segment_id])
    for written in book.worksheets:
        cells_as_text(written)  # a passage or id starting with '=' stays text, never a formula
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _or_none(value: object) -> object:
    """A cell's value: None for a missing one (a sampled passage's blank code)."""
    return None if not isinstance(value, str) and pd.isna(value) else value


def _format(sheet, n_rows: int, n_codes: int) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    letters = {name: sheet.cell(1, i + 1).column_letter for i, name in enumerate(COLUMNS)}
    for name, width in _WIDTHS.items():
        sheet.column_dimensions[letters[name]].width = width
    for name in (s.PASSAGE, s.IN_CONTEXT):
        for cell in sheet[letters[name]][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = max(n_rows + 200, 1000)  # room for rows a reviewer adds
    decision = DataValidation(type="list", formula1=f'"{",".join(DECISIONS)}"',
                              allow_blank=True, showErrorMessage=True,
                              errorTitle="decision", error=", ".join(DECISIONS))
    decision.add(f"{letters[s.DECISION]}2:{letters[s.DECISION]}{last}")
    corrected = DataValidation(type="list", formula1=f"={CODEBOOK_SHEET}!$A$2:$A${n_codes + 1}",
                               allow_blank=True)
    corrected.add(f"{letters[s.CORRECTED_CODE]}2:{letters[s.CORRECTED_CODE]}{last}")
    sheet.add_data_validation(decision)
    sheet.add_data_validation(corrected)


# --------------------------------------------------------------------------- import


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def _read_rows(path: Path, wave: str
               ) -> tuple[list[tuple[int, dict[str, str]]], str | None, list[str] | None]:
    check_office_file(path, "a readable .xlsx workbook")  # untrusted: zip sizes and XML first
    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    written_for = book.properties.identifier
    if written_for and written_for != wave:
        raise InputError(f"{path}: this workbook reviews wave '{written_for}', not '{wave}'")
    if REVIEW_SHEET not in book.sheetnames:
        raise InputError(f"{path}: no '{REVIEW_SHEET}' sheet (sheets: {book.sheetnames})")
    sheet = book[REVIEW_SHEET]
    header = [_cell(c.value) for c in sheet[1]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"{path}: sheet '{REVIEW_SHEET}' lacks columns {missing}")
    rows = []
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        rows.append((number, {h: _cell(v) for h, v in zip(header, values, strict=False) if h}))
    modified = book.properties.modified
    return rows, modified.isoformat(timespec="seconds") if modified else None, _sample(book)


def _sample(book: Workbook) -> list[str] | None:
    """The segment ids of a sample workbook's ``sample`` sheet, in order; None for another."""
    if SAMPLE_SHEET not in book.sheetnames:
        return None
    cells = [_cell(row[0] if row else None) for row in book[SAMPLE_SHEET].iter_rows(
        min_row=2, max_col=1, values_only=True)]
    return list(dict.fromkeys(cell for cell in cells if cell))


def sample_of(path: Path) -> list[str] | None:
    """The passages a sample workbook was drawn for (None when ``path`` is not one)."""
    check_office_file(path, "a readable .xlsx workbook")
    try:
        return _sample(load_workbook(path, read_only=True))
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(f"{path}: not a readable .xlsx workbook ({exc})") from None


def decisions_from_workbook(path: Path, codings: pd.DataFrame, segments: pd.DataFrame,
                            codebook: Codebook, wave: str,
                            reviewer: str | None = None) -> ReviewImport:
    """Read a filled review workbook as decisions (schema.REVIEW_LOG) and per-row problems.

    Args:
        path: the ``.xlsx`` written by :func:`write_workbook` and filled in.
        codings: the wave's codings the workbook was written from.
        segments: the wave's segments.
        codebook: the codes a decision may name.
        wave: the wave id (a workbook written for another wave is refused: ValueError).
        reviewer: the reviewer of rows whose ``reviewer`` cell is blank.
    """
    rows, modified, sample = _read_rows(path, wave)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    reader = RowReader(path.name, codings, segments, codebook, reviewer,
                       sample=sample is not None)
    for number, row in rows:
        reader.read(number, row)
    decisions = reader.decisions()
    decisions[s.DECIDED_AT] = modified
    decisions[s.REVIEW_FILE] = path.name
    decisions[s.REVIEW_FILE_SHA256] = digest
    return ReviewImport(decisions=s.conform(decisions, s.REVIEW_LOG), problems=reader.problems,
                        notes=reader.notes, sample=sample)
