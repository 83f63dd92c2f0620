"""Segment: documents into sentence segments with stable ids and offsets into the document.

Survey answers and documents are split into paragraphs (blank lines) and then sentences by
spaCy's sentencizer; interviews are first split into speaker turns and only respondent turns
are segmented, each sentence keeping the interviewer question that prompted it as ``context``.
For every segment ``document.text[start:end] == segment.text``. Line breaks inside a paragraph
(text extracted from PDFs) do not end a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import pandas as pd
from spacy.language import Language
from tqdm.auto import tqdm

from pipeline import schema as s
from pipeline.nlp import load_nlp
from pipeline.text import matchable, stable_id
from pipeline.turns import paragraph_spans, parse_turns

DEFAULT_CHUNK_SIZE = 2000  # documents per chunk: bounds memory on very large waves


@dataclass(frozen=True)
class Unit:
    """A stretch of one document to split into sentences, with its speaker and context."""

    document_id: str
    wave: str
    text: str  # the whole document text
    start: int
    end: int
    speaker: str | None
    context: str | None


def document_units(row: dict[str, object], interviewer_labels: Iterable[str]) -> Iterator[Unit]:
    """The paragraphs of one document to segment: respondent turns of interviews, else all text."""
    text = str(row[s.TEXT])
    base = dict(document_id=str(row[s.DOCUMENT_ID]), wave=str(row[s.WAVE]), text=text)
    if row[s.KIND] != "interview":
        question = row.get(s.QUESTION)
        context = str(question) if isinstance(question, str) else None
        for start, end in paragraph_spans(text):
            yield Unit(**base, start=start, end=end, speaker=None, context=context)
        return
    question_text: str | None = None
    for turn in parse_turns(text, interviewer_labels):
        if turn.role == "interviewer":
            question_text = " ".join(text[turn.start:turn.end].split())
        elif turn.role == "respondent":
            for start, end in paragraph_spans(text, turn.start, turn.end):
                yield Unit(**base, start=start, end=end, speaker=turn.speaker,
                           context=question_text)


def _sentence_rows(unit: Unit, doc: object) -> Iterator[dict[str, object]]:
    for sent in doc.sents:  # type: ignore[attr-defined]
        start, end = unit.start + sent.start_char, unit.start + sent.end_char
        while end > start and unit.text[end - 1].isspace():
            end -= 1
        while start < end and unit.text[start].isspace():
            start += 1
        text = unit.text[start:end]
        if not any(ch.isalnum() for ch in text):
            continue  # stray punctuation between sentences carries nothing to code
        yield {
            s.SEGMENT_ID: stable_id(unit.document_id, start, end, text),
            s.DOCUMENT_ID: unit.document_id,
            s.WAVE: unit.wave,
            s.START: start,
            s.END: end,
            s.TEXT: text,
            s.SPEAKER: unit.speaker,
            s.CONTEXT: unit.context,
        }


def iter_segments(
    documents: pd.DataFrame,
    *,
    interviewer_labels: Iterable[str] = ("Q", "INT", "Interviewer"),
    nlp: Language | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    batch_size: int = 256,
    progress: bool = False,
) -> Iterator[pd.DataFrame]:
    """Yield segments tables, one per chunk of ``chunk_size`` documents.

    Args:
        documents: a documents table (schema.DOCUMENTS columns).
        interviewer_labels: speaker labels that mark the interviewer in transcripts.
        nlp: the spaCy pipeline; defaults to the shared blank English one.
        chunk_size: documents per yielded chunk.
        batch_size: texts per ``nlp.pipe`` batch.
        progress: show a progress bar.
    """
    nlp = nlp or load_nlp()
    labels = list(interviewer_labels)
    bar = tqdm(total=len(documents), desc="segment", unit="doc", disable=not progress)
    for offset in range(0, len(documents), chunk_size):
        chunk = documents.iloc[offset:offset + chunk_size].to_dict("records")
        units = [u for row in chunk for u in document_units(row, labels)]
        texts = (matchable(u.text[u.start:u.end]) for u in units)
        rows: list[dict[str, object]] = []
        with nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in ("sentencizer", "senter",
                                                                          "parser")]):
            for unit, doc in zip(units, nlp.pipe(texts, batch_size=batch_size), strict=True):
                rows.extend(_sentence_rows(unit, doc))
        bar.update(len(chunk))
        yield s.conform(pd.DataFrame(rows), s.SEGMENTS) if rows else s.empty(s.SEGMENTS)
    bar.close()


def segment_documents(documents: pd.DataFrame, **options: object) -> pd.DataFrame:
    """All segments of ``documents`` as one table (see :func:`iter_segments` for options)."""
    chunks = list(iter_segments(documents, **options))  # type: ignore[arg-type]
    return pd.concat(chunks, ignore_index=True) if chunks else s.empty(s.SEGMENTS)
