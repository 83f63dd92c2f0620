"""Reading a wave folder that has no ``wave.yaml``: infer its sources from the files.

``.csv``/``.xlsx`` are survey exports: the id column is one named like an id with unique values,
else the first column; long free-text columns are open questions; short categorical columns are
attributes. ``.txt``/``.docx`` are transcripts (if they mark speakers or questions) or documents,
one respondent each. Every inference is reported as a note for the run summary.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from pipeline.config import Question, SurveySource, TranscriptSource
from pipeline.ingest.decode import UnreadableError
from pipeline.ingest.tables import RawTable, read_table
from pipeline.ingest.transcripts import transcript_text
from pipeline.turns import parse_transcript

TABLE_SUFFIXES = (".csv", ".xlsx")
IGNORED_NAMES = {"wave.yaml", "wave.yml", "readme.md", "readme.txt", "gold.csv", "gold.xlsx"}
_ID_NAME = re.compile(r"(^id$|_id$|^id_|\bid\b|respondent|^service$|^case)", re.IGNORECASE)
FREE_TEXT_MEDIAN_CHARS = 25  # median answer length above which a column is an open question
MAX_ATTRIBUTE_VALUES = 30


def slug(name: str, limit: int = 40) -> str:
    """A code-id-safe slug of a column name: lower-case words joined by '_'."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    text = "_".join(words)[:limit].strip("_") or "question"
    return text if text[0].isalpha() else f"q_{text}"


def _column_values(table: RawTable, index: int) -> list[str]:
    return [cells[index].strip() for _, cells in table.rows if cells[index].strip()]


def infer_survey(path: Path, name: str) -> tuple[SurveySource, list[str]]:
    """Infer a survey source (id column, open questions, attributes) from a table's contents."""
    table = read_table(path)
    notes: list[str] = []
    candidates = [
        i for i, column in enumerate(table.header)
        if _ID_NAME.search(column)
        and len(set(v := _column_values(table, i))) == len(v) > 0
    ]
    id_index = candidates[0] if candidates else 0
    questions: list[Question] = []
    attributes: list[str] = []
    ignored: list[str] = []
    for i, column in enumerate(table.header):
        if i == id_index or not column:
            continue
        values = _column_values(table, i)
        if not values:
            ignored.append(column)
            continue
        median = statistics.median(len(v) for v in values)
        distinct = len(set(values))
        if median >= FREE_TEXT_MEDIAN_CHARS and distinct > len(values) / 2:
            question_id = slug(column)
            while question_id in {q.id for q in questions}:
                question_id += "_"
            questions.append(Question(id=question_id, column=column, text=column))
        elif distinct <= MAX_ATTRIBUTE_VALUES and distinct < max(2, len(values)):
            attributes.append(column)
        else:
            ignored.append(column)
    if not questions:
        raise UnreadableError(f"{name}: no free-text column found to treat as an open question")
    notes.append(
        f"{name}: inferred a survey; id column '{table.header[id_index]}'"
        + ("" if candidates else " (first column)")
        + f"; {len(questions)} open question(s): {[q.column for q in questions]}"
        + f"; attributes: {attributes}"
        + (f"; ignored columns: {ignored}" if ignored else "")
    )
    source = SurveySource(file=name, respondent_id=table.header[id_index],
                          questions=questions, attributes=attributes)
    return source, notes


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


def wave_files(folder: Path) -> list[Path]:
    """Candidate input files under ``folder``, sorted, skipping hidden and known non-input files."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and p.name.lower() not in IGNORED_NAMES
    )
