"""Reading a wave folder that has no ``wave.yaml``: infer its sources from the files.

``.csv``/``.xlsx`` are survey exports (each sheet of a workbook its own source): the id column
is the export tool's (``ResponseId``, ``Respondent ID``, ``ID``) or one named like an id, and it
must be unique, else the run refuses naming the candidates; with no id-like column, the first
column if unique, else respondents are numbered by line. Long free-text columns are open
questions (worded as in the header rows); short categorical columns are attributes; the export
tool's bookkeeping columns are ignored. Text files are transcripts (if they mark speakers or
questions) or documents, one respondent each. Every inference is a note for the run summary.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from pathlib import Path

from pipeline.config import (
    ROW_ID,
    WAVE_ID_PATTERN,
    ConfigError,
    Question,
    SurveySource,
    TranscriptSource,
)
from pipeline.ingest.decode import UnreadableError
from pipeline.ingest.survey import non_answer
from pipeline.ingest.tables import RawTable, read_table, sheet_names
from pipeline.ingest.transcripts import transcript_text
from pipeline.turns import parse_transcript

# .tsv: read as tab-separated; .sav/.zsav (SPSS) and .dta (Stata): pipeline/ingest/statfiles.py
TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".sav", ".zsav", ".dta")
IGNORED_NAMES = {"wave.yaml", "wave.yml", "readme.md", "readme.txt", "gold.csv", "gold.xlsx",
                 "gold.provenance.yaml"}  # the gold file and its sidecar are not answers
_ID_NAME = re.compile(r"(^id$|_id$|^id_|\bid\b|[a-z]Id$|[a-z]ID$|respondent|^service$|^case)",
                      re.IGNORECASE)
_WAVE_ID = re.compile(WAVE_ID_PATTERN)
FREE_TEXT_MEDIAN_CHARS = 25  # median answer length above which a column is an open question
MAX_ATTRIBUTE_VALUES = 30
MAX_ID_REPEATS = 0.1  # share of rows an id column may repeat (resubmissions, rejected later)


def folder_wave_id(folder_name: str) -> str:
    """The wave id a folder's name gives: the name itself when it is a valid id, else a slug.

    "Wave 2013 — Café" gives "Wave-2013-Cafe": a wave id names output folders and database
    rows, so it keeps to letters, digits, '.', '_' and '-', the rest becoming '-'.
    """
    if _WAVE_ID.fullmatch(folder_name) and ".." not in folder_name:
        return folder_name
    plain = unicodedata.normalize("NFKD", folder_name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9_.-]+", "-", plain)).strip("-._")
    return text[:64].rstrip("-._") or "wave"


def slug(name: str, limit: int = 40) -> str:
    """A code-id-safe slug of a column name: lower-case words joined by '_'."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    text = "_".join(words)[:limit].strip("_") or "question"
    return text if text[0].isalpha() else f"q_{text}"


def _column_values(table: RawTable, index: int) -> list[str]:
    return [cells[index].strip() for _, cells in table.rows if cells[index].strip()]


def _free_text(values: list[str]) -> bool:
    """Whether a column's values read as answers: long (median) and mostly distinct.

    Non-answers ("Did not answer", "N/A") are left out first: an export where most people
    skipped the question repeats its placeholder more often than anyone answers.
    """
    answers = [v for v in values if non_answer(v) is None]
    return bool(answers) and statistics.median(len(v) for v in answers) >= \
        FREE_TEXT_MEDIAN_CHARS and len(set(answers)) > len(answers) / 2


def _repeats(table: RawTable, index: int) -> int:
    """Rows whose value in the column repeats an earlier row's (blanks are not repeats)."""
    values = _column_values(table, index)
    return len(values) - len(set(values)) if values else len(table.rows) or 1


def _only_answers_first(table: RawTable) -> bool:
    """Whether the first column reads as answers and no other column does.

    Such a column is the open question, not the id: comments pasted into a sheet of their
    own, or first beside a category, would else be taken for ids, leaving nothing to code. A
    first column of long names beside a column of answers stays the id.
    """
    return _free_text(_column_values(table, 0)) and not any(
        _free_text(_column_values(table, i)) for i in range(1, len(table.header)))


def _id_column(table: RawTable, name: str) -> tuple[int | None, str]:
    """The id column's index (None: number by line) and how it was chosen.

    An id column may repeat a few values (a respondent who submitted twice: the repeats are
    rejected as duplicates), but a column repeating more than MAX_ID_REPEATS of its rows (and
    more than two) is a category ("Status"), not an id.

    Raises:
        ConfigError: id-like columns exist but each repeats too many values.
    """
    preferred = [i for i, c in enumerate(table.header) if c in table.layout.id_columns]
    named = preferred or [i for i, c in enumerate(table.header) if _ID_NAME.search(c)]
    ranked = sorted(named, key=lambda i: (_repeats(table, i) > 0, named.index(i)))
    allowed = max(2, MAX_ID_REPEATS * len(table.rows))
    usable = [i for i in ranked if _repeats(table, i) <= allowed]
    if usable:
        return usable[0], f"'{table.header[usable[0]]}'"
    if named:
        listed = ", ".join(f"'{table.header[i]}' ({_repeats(table, i)} repeated)" for i in named)
        raise ConfigError(
            f"{name}: no unique respondent id among the id-like columns {listed}; name the id "
            f"in wave.yaml (sources[].respondent_id, or \"{ROW_ID}\" to number respondents "
            "by line; a file with a row per answer needs question_column and answer_column "
            "too)")
    if table.header and table.layout.name == "plain" and _repeats(table, 0) == 0 \
            and not _only_answers_first(table):
        return 0, f"'{table.header[0]}' (first column)"
    return None, "none: respondents numbered by line"


def infer_survey(path: Path, name: str, sheet: str | None = None
                 ) -> tuple[SurveySource, list[str]]:
    """Infer a survey source (id column, open questions, attributes) from a table's contents."""
    table = read_table(path, sheet)
    notes: list[str] = []
    label = name if sheet is None else f"{name} sheet '{sheet}'"
    id_index, how = _id_column(table, label)
    questions: list[Question] = []
    attributes: list[str] = []
    ignored: list[str] = []
    for i, column in enumerate(table.header):
        if i == id_index or not column:
            continue
        if column in table.layout.metadata:
            ignored.append(column)
            continue
        values = _column_values(table, i)
        if not values:
            ignored.append(column)
            continue
        distinct = len(set(values))
        if _free_text(values):
            question_id = slug(column)
            while question_id in {q.id for q in questions}:
                question_id += "_"
            questions.append(Question(id=question_id, column=column,
                                      text=table.wording.get(column, column)))
        elif distinct <= MAX_ATTRIBUTE_VALUES and distinct < max(2, len(values)):
            attributes.append(column)
        else:
            ignored.append(column)
    if not questions:
        raise UnreadableError(f"{label}: no free-text column found to treat as an open question")
    layout = "" if table.layout.name == "plain" else \
        f" ({table.layout.name} export, {table.layout.header_rows} header rows)"
    notes.append(
        f"{label}: inferred a survey{layout}; id column {how}"
        + f"; {len(questions)} open question(s): {_named([q.column for q in questions])}"
        + f"; attributes: {_named(attributes)}"
        + (f"; ignored columns: {_named(ignored)}" if ignored else "")
    )
    source = SurveySource(file=name, sheet=sheet,
                          respondent_id=ROW_ID if id_index is None else table.header[id_index],
                          questions=questions, attributes=attributes)
    return source, notes


def infer_tables(path: Path, name: str
                 ) -> tuple[list[SurveySource], list[str], list[tuple[str, str]]]:
    """Survey sources of a .csv, or of each sheet of an .xlsx; sheets refused, with why."""
    if path.suffix.lower() != ".xlsx":
        source, notes = infer_survey(path, name)
        return [source], notes, []
    sheets = sheet_names(path)
    if len(sheets) == 1:
        source, notes = infer_survey(path, name)
        return [source], notes, []
    sources, notes, refused = [], [], []
    for sheet in sheets:
        try:
            source, said = infer_survey(path, name, sheet)
        except UnreadableError as exc:
            refused.append((sheet, str(exc)))
            continue
        sources.append(source)
        notes += said
    return sources, notes, refused


def infer_transcript(path: Path, name: str) -> tuple[TranscriptSource, list[str]]:
    """Infer whether a text file is an interview (speakers or questions marked) or a document."""
    text, _ = transcript_text(path, name)
    source = TranscriptSource(file=name)
    transcript = parse_transcript(text)
    kind = "document" if transcript.form == "none" else "interview"
    how = {"labelled": "speaker labels", "interviewer-only": "interviewer labels only",
           "questions": "unlabelled questions", "none": "no speakers or questions found"}
    found = transcript.evidence.get("interviewer")
    who = f"; interviewer {found} ({transcript.evidence.get('how')})" if found else ""
    return source.model_copy(update={"kind": kind}), [
        f"{name}: inferred {kind} ({how[transcript.form]}){who}"]


COLUMNS_NAMED = 20  # a note names this many columns of a kind; a wider export is counted


def _named(columns: list[str]) -> str:
    """``columns`` as a list, its first :data:`COLUMNS_NAMED` and how many more past that."""
    if len(columns) <= COLUMNS_NAMED:
        return str(columns)
    return f"{columns[:COLUMNS_NAMED]} and {len(columns) - COLUMNS_NAMED:,} more"


def wave_files(folder: Path) -> list[Path]:
    """Candidate input files under ``folder``, sorted, skipping hidden and known non-input files."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and p.name.lower() not in IGNORED_NAMES
    )
