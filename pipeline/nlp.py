"""Builds the spaCy pipeline once per process: blank English, lookup lemmatizer, sentencizer.

A trained pipeline (e.g. ``en_core_web_sm``) can be named instead; it is optional configuration
and never needed on the hot path.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

BLANK = "blank:en"


@lru_cache(maxsize=4)
def load_nlp(name: str = BLANK) -> Language:
    """Return the shared spaCy pipeline for ``name`` (``blank:en`` or an installed package).

    The blank pipeline has a lookup lemmatizer (tables from ``spacy-lookups-data``, offline) and
    a rule sentencizer. Cached: every caller in a process gets the same object.
    """
    if name == BLANK:
        nlp = spacy.blank("en")
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
