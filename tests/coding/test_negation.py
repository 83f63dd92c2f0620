"""The negation component alone: cues before and after a match, scope ends, pseudo-negations."""

from __future__ import annotations

import pytest
from spacy.tokens import Span

from pipeline.coding import negation as _negation  # noqa: F401  (registers the factory)
from pipeline.coding.negation import SPANS_KEY
from pipeline.nlp import blank_english


@pytest.fixture(scope="module")
def nlp():
    pipeline = blank_english()
    pipeline.add_pipe("wavecoder_negation")
    return pipeline


def negation_of(nlp, text: str, words: str) -> tuple[bool, str | None]:
    """Whether the first stretch of ``text`` reading ``words`` is negated, and by which cue."""
    doc = nlp.make_doc(text)
    start = text.index(words)
    span = doc.char_span(start, start + len(words), label="housing|housing:bed")
    doc.spans[SPANS_KEY] = [span]
    flagged: Span = nlp.get_pipe("wavecoder_negation")(doc).spans[SPANS_KEY][0]
    return flagged._.negated, flagged._.negation_cue


@pytest.mark.parametrize("text, words, expected", [
    ("There is no supported housing in the county.", "supported housing", (True, "no")),
    ("Supported housing isn't available here.", "Supported housing", (True, "n't")),
    # a typographic apostrophe is the same cue (the rule coder also maps it to ' beforehand)
    ("Supported housing isn\u2019t available here.", "Supported housing", (True, "n\u2019t")),
    ("Dry housing is missing.", "Dry housing", (True, "missing")),
    # a scope terminator between the cue and the match ends the negation
    ("No beds were free, but supported housing helped.", "supported housing", (False, None)),
    # "not only" and "no doubt" are not negations
    ("Not only supported housing but also rehab.", "supported housing", (False, None)),
    ("There is no doubt supported housing helps.", "supported housing", (False, None)),
    # a cue beyond the window before the match does not reach it
    ("Never once in all the years since the service opened did supported housing fail.",
     "supported housing", (False, None)),
    ("Supported housing is good.", "Supported housing", (False, None)),
])
def test_a_cue_in_scope_negates_the_match(nlp, text, words, expected):
    assert negation_of(nlp, text, words) == expected


def test_a_doc_without_matches_is_left_as_it_is(nlp):
    doc = nlp.make_doc("Nothing matched here, not at all.")
    assert nlp.get_pipe("wavecoder_negation")(doc) is doc
    assert SPANS_KEY not in doc.spans
