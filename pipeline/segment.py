"""Segment: documents into sentence segments with stable ids and offsets into the document.

Survey answers and documents are split into paragraphs (blank lines), lines, and then sentences
by spaCy's sentencizer; interviews are first split into speaker turns (``pipeline.turns``) and
every turn is segmented, each segment carrying its ``speaker`` (the label as written), ``role``
(interviewer, respondent, other) and, as ``context``, the interviewer's question that prompted
it. Segments that are only fillers ("um, yeah", "thank you") are flagged ``filler``.
For every segment ``document.text[start:end] == segment.text``. A line break ends a unit (one
utterance per line) unless it wraps a sentence: the line before has no closing punctuation and
the next starts in lower case, as in text extracted from PDFs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping

import pandas as pd
from spacy.language import Language
from tqdm.auto import tqdm

from pipeline import schema as s
from pipeline.fillers import is_filler
from pipeline.nlp import load_nlp
from pipeline.text import matchable, stable_id
from pipeline.turns import is_guide_prompt, paragraph_spans, parse_transcript

DEFAULT_CHUNK_SIZE = 2000  # documents per chunk: bounds memory on very large waves
_WRAPPED = re.compile(r"[^.?!…:;\"'”’)\]]\n[ \t]*[a-z]")  # a line break inside a sentence


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
    role: str = "respondent"


def line_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Paragraphs of ``text[start:end]`` cut at line breaks that do not wrap a sentence."""
    for first, last in paragraph_spans(text, start, end):
        cursor = first
        for index in range(text.find("\n", first, last), last):
            if index < 0:
                break
            if text[index] == "\n" and not _WRAPPED.match(text, index - 1):
                piece = text[cursor:index]
                if piece.strip():
                    lead = len(piece) - len(piece.lstrip())
                    yield cursor + lead, cursor + len(piece.rstrip())
                cursor = index + 1
        piece = text[cursor:last]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            yield cursor + lead, cursor + len(piece.rstrip())


def document_units(row: Mapping[str, object], interviewer_labels: Iterable[str] = (),
                   speakers: Mapping[str, Iterable[str]] | None = None) -> Iterator[Unit]:
    """The stretches of one document to segment: every turn of an interview, else all text."""
    text = str(row[s.TEXT])
    base = dict(document_id=str(row[s.DOCUMENT_ID]), wave=str(row[s.WAVE]), text=text)
    if row[s.KIND] != "interview":
        question = row.get(s.QUESTION)
        context = str(question) if isinstance(question, str) else None
        for start, end in line_spans(text, 0, len(text)):
            yield Unit(**base, start=start, end=end, speaker=None, context=context)
        return
    speakers = speakers or {}
    transcript = parse_transcript(
        text, list(interviewer_labels) + list(speakers.get("interviewer", ())),
        respondent_labels=speakers.get("respondent", ()), other_labels=speakers.get("other", ()))
    question_text: str | None = None
    # With an interview guide, a segment answers the guide's last prompt: the moderator's
    # remarks between prompts ("Take your time") are not the question (measured on SERDIF).
    guided = any(is_guide_prompt(turn, text) for turn in transcript.turns)
    for turn in transcript.turns:
        if turn.role == "interviewer" and (not guided or is_guide_prompt(turn, text)):
            question_text = " ".join(text[turn.start:turn.end].split())
        for start, end in line_spans(text, turn.start, turn.end):
            yield Unit(**base, start=start, end=end, speaker=turn.speaker or None,
                       context=None if turn.role == "interviewer" else question_text,
                       role=turn.role)


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
            s.ROLE: unit.role,
            s.FILLER: is_filler(text),
            s.CONTEXT: unit.context,
        }


def iter_segments(
    documents: pd.DataFrame,
    *,
    interviewer_labels: Iterable[str] = (),
    speakers: Mapping[str, Iterable[str]] | None = None,
    nlp: Language | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    batch_size: int = 256,
    progress: bool = False,
) -> Iterator[pd.DataFrame]:
    """Yield segments tables, one per chunk of ``chunk_size`` documents.

    Args:
        documents: a documents table (schema.DOCUMENTS columns).
        interviewer_labels: speaker labels that mark the interviewer in transcripts (else the
            interviewer is inferred per transcript).
        speakers: labels by role (``interviewer``, ``respondent``, ``other``) from wave.yaml.
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
        units = [u for row in chunk for u in document_units(row, labels, speakers)]
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
