"""Builds the spaCy pipeline once per process: blank English, lookup lemmatizer, sentencizer.

A trained pipeline (e.g. ``en_core_web_sm``) can be named instead; it is optional configuration
and never needed on the hot path.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import LEMMA, ORTH
from spacy.language import Language
from spacy.tokens import Doc

BLANK = "blank:en"

# Every ``Language()`` loads all of spaCy's ``spacy_factories`` entry points, whichever
# components the pipeline uses (spacy/language.py, ``Language.__init__``). Presidio declares one
# there (its Hugging Face token pipe), whose module imports presidio_analyzer and transformers:
# 5-20 s of start-up for a blank pipeline that only uses spaCy's own lemmatizer and sentencizer
# and our factories, which are registered by importing our modules. While one of our blank
# pipelines is built, spaCy sees no entry-point factories; anything else that builds a pipeline
# (Presidio for redaction, ``spacy.load`` of a trained model) still loads them as usual. A
# pipeline built in another thread during the swap misses only Presidio's transformers token
# pipe, which our redaction (Presidio's spaCy engine) never uses; the next one loads it.
_ENTRY_POINTS_SWAP = threading.Lock()


class _NoEntryPointFactories:
    """Stands in for spaCy's registry of entry-point factories: there are none to load."""

    def get_all(self) -> dict:
        return {}


@contextmanager
def _without_entry_point_factories() -> Iterator[None]:
    registry = spacy.util.registry
    with _ENTRY_POINTS_SWAP:
        kept = registry._entry_point_factories
        registry._entry_point_factories = _NoEntryPointFactories()
        try:
            yield
        finally:
            registry._entry_point_factories = kept


def blank_english() -> Language:
    """A new blank English pipeline, built without importing other packages' spaCy factories.

    Use it instead of ``spacy.blank("en")`` wherever the pipeline gets only spaCy's built-in
    components and ours: the same object, minus seconds of start-up (see above).
    """
    with _without_entry_point_factories():
        return spacy.blank("en")


@lru_cache(maxsize=4)
def load_nlp(name: str = BLANK) -> Language:
    """Return the shared spaCy pipeline for ``name`` (``blank:en`` or an installed package).

    The blank pipeline has a lookup lemmatizer (tables from ``spacy-lookups-data``, offline) and
    a rule sentencizer. Cached: every caller in a process gets the same object.
    """
    if name == BLANK:
        nlp = blank_english()
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.add_pipe("sentencizer")
        nlp.initialize()
    else:
        nlp = spacy.load(name, exclude=["ner"])
        if "parser" not in nlp.pipe_names and "senter" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer")
    return nlp


def lemmas(text: str, nlp: Language | None = None) -> list[str]:
    """Lower-case lemmas of the alphabetic, non-stop-word tokens of ``text``."""
    nlp = nlp or load_nlp()
    doc = nlp(text)
    return [t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop and len(t) > 1]


@dataclass
class ParsedSegments:
    """Docs one stage made of segments, for a later stage to read again.

    ``docs``: segment id -> (the segment's text, the doc ``nlp`` made of its matchable form,
    :func:`pipeline.text.matchable`). A later stage uses a doc only with ``nlp``'s vocabulary
    and only for a segment of that same text; it tokenises any other segment itself.
    """

    nlp: Language
    docs: dict[str, tuple[str, Doc]] = field(default_factory=dict)


class LookupLemmas:
    """spaCy's lookup lemmatizer applied to a whole doc at once: the same lemmas, faster.

    Takes a pipeline whose ``lemmatizer`` runs in ``lookup`` mode, initialised. As its
    ``lookup_lemmatize``, a token's lemma is the table's entry for the token's text, or the text
    itself; a token that already has a lemma keeps it (the component without ``overwrite``).
    The component makes a ``Token`` per word and looks each up; this looks each word form up
    once per process and sets the doc's lemmas as one array.
    """

    def __init__(self, nlp: Language) -> None:
        lemmatizer = nlp.get_pipe("lemmatizer")
        if getattr(lemmatizer, "mode", None) != "lookup":
            raise ValueError("LookupLemmas needs a lemmatizer in lookup mode")
        self._table = lemmatizer.lookups.get_table("lemma_lookup", {})  # type: ignore
        self._strings = nlp.vocab.strings
        self._lemma_of: dict[int, int] = {}  # a text's string id -> its lemma's

    def _lemma(self, orth: int) -> int:
        text = self._strings[orth]
        lemma = self._lemma_of[orth] = self._strings.add(self._table.get(text, text))
        return lemma

    def __call__(self, doc: Doc) -> Doc:
        """Set the lemma of every token of ``doc`` that has none; returns ``doc``."""
        if not len(doc):
            return doc
        orths, lemmas = doc.to_array([ORTH, LEMMA]).T.tolist()
        lemma_of, lemma = self._lemma_of, self._lemma
        lemmas = [old or lemma_of.get(orth) or lemma(orth)
                  for orth, old in zip(orths, lemmas, strict=True)]
        doc.from_array([LEMMA], numpy.array(lemmas, dtype="uint64").reshape(-1, 1))
        return doc
