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
from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.strings import get_string_id
from spacy.tokens import Doc
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


def sentence_bounds(doc: Doc, stops: frozenset[int]) -> list[tuple[int, int]]:
    """Character spans of ``doc``'s sentences as spaCy's rule sentencizer would cut them.

    ``stops``: the string ids of the sentencizer's ``punct_chars``. The rule, as in
    ``Sentencizer.predict``: after a token that is one of them, the next token that is neither
    punctuation nor one of them opens a sentence. The same spans as ``doc.sents`` after the
    sentencizer, read from the token arrays: the sentencizer and the sentence spans made a
    Python object for every token of a wave.
    """
    if not len(doc):
        return []
    orths, puncts, starts, lengths = doc.to_array([ORTH, IS_PUNCT, IDX, LENGTH]).T.tolist()
    firsts, seen = [0], False
    for i, (orth, punct) in enumerate(zip(orths, puncts, strict=True)):
        if orth in stops:
            seen = True
        elif seen and not punct:
            firsts.append(i)
            seen = False
    lasts = [first - 1 for first in firsts[1:]] + [len(orths) - 1]
    return [(starts[first], starts[last] + lengths[last])
            for first, last in zip(firsts, lasts, strict=True)]


def _sentence_rows(unit: Unit, bounds: Iterable[tuple[int, int]]) -> Iterator[dict[str, object]]:
    for first, last in bounds:
        start, end = unit.start + first, unit.start + last
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


def _sentences(nlp: Language, texts: Iterable[str], batch_size: int
               ) -> Iterator[list[tuple[int, int]]]:
    """Each text's sentence spans by ``nlp``'s sentence component (sentencizer, senter, parser).

    A pipeline whose one such component is spaCy's rule sentencizer only needs its tokens:
    :func:`sentence_bounds` gives the sentencizer's spans without running it.
    """
    names = [p for p in nlp.pipe_names if p in ("sentencizer", "senter", "parser")]
    if names == ["sentencizer"] and type(nlp.get_pipe("sentencizer")) is Sentencizer:
        stops = frozenset(get_string_id(c) for c in nlp.get_pipe("sentencizer").punct_chars)
        for doc in nlp.tokenizer.pipe(texts, batch_size=batch_size):
            yield sentence_bounds(doc, stops)
        return
    with nlp.select_pipes(enable=names):
        for doc in nlp.pipe(texts, batch_size=batch_size):
            yield [(sent.start_char, sent.end_char) for sent in doc.sents]


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
        for unit, bounds in zip(units, _sentences(nlp, texts, batch_size), strict=True):
            rows.extend(_sentence_rows(unit, bounds))
        bar.update(len(chunk))
        yield s.conform(pd.DataFrame(rows), s.SEGMENTS) if rows else s.empty(s.SEGMENTS)
    bar.close()


def segment_documents(documents: pd.DataFrame, **options: object) -> pd.DataFrame:
    """All segments of ``documents`` as one table (see :func:`iter_segments` for options)."""
    chunks = list(iter_segments(documents, **options))  # type: ignore[arg-type]
    return pd.concat(chunks, ignore_index=True) if chunks else s.empty(s.SEGMENTS)
