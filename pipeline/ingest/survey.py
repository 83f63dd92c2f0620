"""Survey exports into documents: one per respondent × open question, or a rejected item.

Accounting unit: an *answer cell* (a data row × an open question). Every cell becomes a document
or a rejected row with its reason; a malformed row rejects each of its cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import schema as s
from pipeline.config import ROW_ID, SurveySource
from pipeline.ingest.decode import UnreadableError
from pipeline.ingest.records import (
    Rows,
    document_id,
    rejected_row,
    renamed_attributes_note,
)
from pipeline.ingest.tables import RawTable, read_table

# Answers that say nothing to code. Compared after lower-casing and stripping punctuation.
# "Nothing" is not one: it answers the question asked ("What could we do better?" "Nothing.").
# Of the 299 NHS comments that are just "nothing", the human coders gave 252 a positive and 27 a
# negative experience, and 20 no code; kept, a codebook or a trained coder can code them too.
NON_ANSWERS = {
    "na": "'N/A'",
    "n a": "'N/A'",
    "not applicable": "'not applicable'",
    "none": "'none'",
    "nil": "'nil'",
    "no comment": "'no comment'",
    "no comments": "'no comment'",
    "dont know": "'don't know'",
    "unknown": "'unknown'",
    "see above": "refers to an earlier answer ('see above')",
    "as above": "refers to an earlier answer ('as above')",
    "same as above": "refers to an earlier answer ('same as above')",
    "see previous answer": "refers to an earlier answer",
    # placeholders survey systems write for a question left blank (NHS Friends and Family Test
    # exports say "Did not answer")
    "did not answer": "'did not answer'",
    "didnt answer": "'did not answer'",
    "not answered": "'not answered'",
    "no answer": "'no answer'",
    "no response": "'no response'",
}
_PUNCTUATION = re.compile(r"[^\w\s]+")
# More word characters than the longest non-answer has letters: an answer, whatever else it holds
# (the folded text keeps every word character). Found from the start, not by folding it all.
_LONGER_THAN_ANY = re.compile(r"\W*(?:\w\W*){%d}" % (max(map(len, NON_ANSWERS)) + 1))


@dataclass
class SourceRead:
    """What one source yielded: documents, rejected items, how many items came in, and notes."""

    documents: Rows = field(default_factory=Rows)
    rejected: list[dict[str, object]] = field(default_factory=list)
    items_in: int = 0
    notes: list[str] = field(default_factory=list)


def non_answer(text: str) -> str | None:
    """Why ``text`` is a non-answer ('N/A', 'see above', '-'), or None if it is an answer."""
    if _LONGER_THAN_ANY.match(text):
        return None
    folded = " ".join(_PUNCTUATION.sub(" ", text.lower().replace("'", "").replace("’", "")).split())
    if not folded:
        return "punctuation only"
    return NON_ANSWERS.get(folded)


class _SurveyDocuments:
    """A survey's documents gathered a column at a time, in the columns ``document_row`` gives.

    A dict per answer, then spread over the columns, was most of reading a million answers;
    every value here is the one ``document_row`` would give, attributes included.
    """

    def __init__(self, wave: str, source: str, questions: list[tuple[str, str]],
                 attributes: list[tuple[str, int]]) -> None:
        self.wave, self.source, self.questions = wave, source, questions
        # two attributes stored under one column: the first's place, the last's value
        self.attributes = {s.attribute_column(a): i for a, i in attributes}
        self.lines: list[int] = []
        self.respondents: list[str] = []
        self.asked: list[int] = []  # the question's number
        self.texts: list[str] = []
        self.values: dict[str, list[str | None]] = {c: [] for c in self.attributes}

    def add(self, question: int, line: int, respondent: str, text: str,
            cells: list[str]) -> None:
        """One answer: question number ``question`` of the row at ``line``."""
        self.lines.append(line)
        self.respondents.append(respondent)
        self.asked.append(question)
        self.texts.append(text)
        for column, index in self.attributes.items():
            self.values[column].append(cells[index].strip() or None)

    def rows(self) -> Rows:
        """The documents, as :class:`Rows` of ``document_row``'s columns."""
        count = len(self.lines)
        if not count:  # no columns at all, as when no row was ever added
            return Rows()
        ids = [self.questions[q][0] for q in self.asked]
        return Rows.from_columns({
            s.DOCUMENT_ID: [document_id(self.source, respondent, question_id)
                            for respondent, question_id in zip(self.respondents, ids, strict=True)],
            s.WAVE: [self.wave] * count, s.SOURCE: [self.source] * count,
            s.KIND: ["survey"] * count, s.RESPONDENT_ID: self.respondents,
            s.QUESTION_ID: ids, s.QUESTION: [self.questions[q][1] for q in self.asked],
            s.TEXT: self.texts, s.LINE: self.lines, **self.values})


def _column_index(table: RawTable, column: str, field_name: str, path: Path) -> int:
    try:
        return table.header.index(column)
    except ValueError:
        raise UnreadableError(
            f"{path.name}: column '{column}' (wave.yaml {field_name}) is not in the header; "
            f"columns are {table.header}"
        ) from None


def read_survey(path: Path, source: SurveySource, *, wave: str, name: str) -> SourceRead:
    """Read one survey export described by ``source``.

    Args:
        path: the file to read.
        source: its manifest entry (id column, questions, attributes).
        wave: the wave id stamped on every row.
        name: the file's path as given in the manifest (the ``source`` column).

    Returns:
        A :class:`SourceRead`. Raises UnreadableError if the file as a whole cannot be used.
    """
    table = read_table(path, source.sheet, header_rows=source.header_rows,
                       skip_rows=source.skip_rows)
    if source.long:
        return read_long_survey(table, path, source, wave=wave, name=name)
    result = SourceRead()
    try:
        id_index = None if source.respondent_id == ROW_ID else \
            _column_index(table, source.respondent_id, "respondent_id", path)
        questions = [
            (q, _column_index(table, q.column, f"questions[{i}].column", path))
            for i, q in enumerate(source.questions)
        ]
        attributes = [
            (a, _column_index(table, a, f"attributes[{i}]", path))
            for i, a in enumerate(source.attributes)
        ]
    except UnreadableError as exc:  # the file is unusable: each answer cell it held is lost
        lines = sorted([line for line, _ in table.rows] + [line for line, _ in table.malformed])
        for line in lines:
            for question in source.questions:
                result.rejected.append(rejected_row(
                    wave=wave, source=name, line=line, reason=s.REASON_UNREADABLE,
                    detail=str(exc), question_id=question.id))
        result.items_in = len(result.rejected)
        if not lines:
            raise
        return result
    result.notes += _table_notes(table, source, name)
    for line, detail in table.malformed:
        for question, _ in questions:
            result.rejected.append(rejected_row(
                wave=wave, source=name, line=line, reason=s.REASON_MALFORMED,
                detail=f"{name} line {line}: {detail}", question_id=question.id))
    result.items_in += len(table.malformed) * len(questions)

    first_seen: dict[str, tuple[int, list[str]]] = {}
    documents = _SurveyDocuments(wave, name, [
        (question.id, question.text or table.wording.get(question.column) or question.column)
        for question, _ in questions], attributes)
    for line, cells in table.rows:
        result.items_in += len(questions)
        respondent = f"line-{line}" if id_index is None else cells[id_index].strip()
        if not respondent:
            respondent = f"line-{line}"
            result.notes.append(f"{name} line {line}: no respondent id; using '{respondent}'")
        earlier = first_seen.get(respondent)
        if earlier is None:
            first_seen[respondent] = (line, cells)
        for number, (question, index) in enumerate(questions):
            text = cells[index]
            if earlier is None and (why := _why_not_kept(text, line, index, table, name)) is None:
                documents.add(number, line, respondent, text, cells)
                continue
            common = dict(wave=wave, source=name, line=line, respondent_id=respondent,
                          question_id=question.id, text=text)
            if earlier is not None:
                same = "identical to" if earlier[1] == cells else "answers differ from"
                result.rejected.append(rejected_row(
                    **common, reason=s.REASON_DUPLICATE,
                    detail=f"respondent '{respondent}' already submitted at line {earlier[0]} "
                           f"({same} that submission; the first is kept)"))
            else:
                result.rejected.append(rejected_row(**common, reason=why[0], detail=why[1]))
    result.documents = documents.rows()
    return result


def _table_notes(table: RawTable, source: SurveySource, name: str) -> list[str]:
    """What the run's notes say of how the file was read: layout, skipped lines, repairs."""
    notes = []
    if table.delimiter_hint:
        notes.append(f"{name}: line 1 is Excel's delimiter line (sep={table.delimiter_hint!r}), "
                     "not a row")
    if table.titles:
        notes.append(f"{name}: line(s) {table.titles} above the header read as a title, not "
                     "answers")
    if table.layout.name != "plain":
        notes.append(f"{name}: {table.layout.name} export; header lines "
                     f"{table.skipped[:table.layout.header_rows]} are not answers")
    if len(table.skipped) > table.layout.header_rows:
        notes.append(f"{name}: skipped lines "
                     f"{sorted(table.skipped[table.layout.header_rows:])} (skip_rows)")
    notes += renamed_attributes_note(name, list(source.attributes))
    if table.merged:
        notes.append(f"{name}: {table.merged} merged cell range(s): each covered cell read "
                     "with the range's value")
    if table.controls:
        notes.append(f"{name}: {table.controls} control character(s) replaced by spaces "
                     "(a form feed by a line end)")
    if table.encoding != "utf-8" or table.repaired:
        notes.append(f"{name}: decoded as {table.encoding}"
                     + (", mojibake repaired" if table.repaired else ""))
    return notes


def read_long_survey(table: RawTable, path: Path, source: SurveySource, *, wave: str,
                     name: str) -> SourceRead:
    """Read a long survey file, a row per answer, as ``read_survey`` reads a wide one.

    Each row is one item: the answer in ``answer_column`` to the question whose ``column``
    value stands in ``question_column``. A row for a question not listed in wave.yaml, or a
    second answer of a respondent to a question, is rejected with its line and why.
    """
    result = SourceRead()
    result.notes += _table_notes(table, source, name)
    result.notes.append(f"{name}: a row per answer (question in '{source.question_column}', "
                        f"answer in '{source.answer_column}')")
    columns = [(source.respondent_id, "respondent_id"),
               (source.question_column, "question_column"),
               (source.answer_column, "answer_column"),
               *((a, f"attributes[{i}]") for i, a in enumerate(source.attributes))]
    try:
        id_index, asked_index, answer_index, *_ = [
            _column_index(table, str(column), field_name, path) for column, field_name in columns]
        attributes = [(a, table.header.index(a)) for a in source.attributes]
    except UnreadableError as exc:  # the file is unusable: each row, an answer, is lost
        lines = sorted([line for line, _ in table.rows] + [line for line, _ in table.malformed])
        result.rejected = [rejected_row(wave=wave, source=name, line=line,
                                        reason=s.REASON_UNREADABLE, detail=str(exc))
                           for line in lines]
        result.items_in = len(lines)
        if not lines:
            raise
        return result
    result.rejected += [rejected_row(wave=wave, source=name, line=line,
                                     reason=s.REASON_MALFORMED, detail=f"{name} line {line}: "
                                     f"{detail}") for line, detail in table.malformed]
    number_of = {q.column.strip(): n for n, q in enumerate(source.questions)}
    documents = _SurveyDocuments(wave, name, [(q.id, q.text or q.column)
                                              for q in source.questions], attributes)
    first_seen: dict[tuple[str, int], int] = {}
    result.items_in = len(table.rows) + len(table.malformed)
    for line, cells in table.rows:
        respondent, text = cells[id_index].strip(), cells[answer_index]
        number = number_of.get(cells[asked_index].strip())
        common = dict(wave=wave, source=name, line=line, respondent_id=respondent or None,
                      question_id=None if number is None else source.questions[number].id,
                      text=text)
        if number is None:
            result.rejected.append(rejected_row(
                **common, reason=s.REASON_UNLISTED,
                detail=f"{name} line {line}: its {source.question_column} "
                       f"'{cells[asked_index].strip()[:80]}' is not a question listed in "
                       "wave.yaml (questions[].column)"))
        elif not respondent:
            result.rejected.append(rejected_row(
                **common, reason=s.REASON_MISSING_ID,
                detail=f"{name} line {line}: no {source.respondent_id}"))
        elif (respondent, number) in first_seen:
            result.rejected.append(rejected_row(
                **common, reason=s.REASON_DUPLICATE,
                detail=f"respondent '{respondent}' already answered this question at line "
                       f"{first_seen[respondent, number]} (the first is kept)"))
        elif (why := _why_not_kept(text, line, answer_index, table, name)) is not None:
            first_seen[respondent, number] = line
            result.rejected.append(rejected_row(**common, reason=why[0], detail=why[1]))
        else:
            first_seen[respondent, number] = line
            documents.add(number, line, respondent, text, cells)
    result.documents = documents.rows()
    return result


def _why_not_kept(text: str, line: int, index: int, table: RawTable, name: str
                  ) -> tuple[str, str] | None:
    """The reason and detail an answer cell is not a document, or None when it is one."""
    if not text.strip():
        if (line, index) in table.formulas:
            return s.REASON_FORMULA, (
                f"{name} line {line}: the cell is a formula the workbook holds no computed "
                "value for; open and save it in Excel, or export values")
        return s.REASON_EMPTY, "no answer"
    why = non_answer(text)
    return None if why is None else (s.REASON_NON_ANSWER, why)
