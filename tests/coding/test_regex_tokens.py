"""REGEX token predicates run with a time limit and match exactly what spaCy's own would."""

from __future__ import annotations

import time

import pandas as pd
import pytest
import spacy
from spacy.matcher import Matcher

from pipeline import schema as s
from pipeline.coding import RuleCoder
from pipeline.coding.regex_tokens import MATCH_SECONDS, bounded_regexes
from pipeline.config import Codebook
from pipeline.errors import ConfigError

TEXTS = ["Housing was the gap.", "Two houses and a HOUSEBOAT", "no home at all",
         "rehoused, rehousing"]
PATTERNS = [[{"LOWER": {"REGEX": "^hous"}}],
            [{"TEXT": {"REGEX": "[A-Z]{3,}"}}],
            [{"LOWER": {"REGEX": "hous(ed|ing)$", "NOT_IN": ["housing"]}}],
            [{"LOWER": "no"}, {"LOWER": {"REGEX": "^hom"}, "OP": "?"}]]


def _matches(patterns) -> list[list[tuple[int, int]]]:
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab, validate=True)
    for number, pattern in enumerate(patterns):
        matcher.add(f"p{number}", [pattern])
    return [sorted((start, end) for _, start, end in matcher(nlp(text))) for text in TEXTS]


def test_bounded_patterns_match_what_spacys_regex_matches():
    bounded = [bounded_regexes(p, f"code 'c', patterns[{n}]") for n, p in enumerate(PATTERNS)]
    assert all("REGEX" not in str(p) for p in bounded)
    assert bounded[2][0]["LOWER"] == {"NOT_IN": ["housing"]}  # other predicates stay
    assert _matches(bounded) == _matches(PATTERNS)
    assert _matches(bounded) != [[]] * len(TEXTS)


def _segments(*texts):
    return s.conform(pd.DataFrame({
        s.SEGMENT_ID: [f"s{i}" for i in range(len(texts))], s.DOCUMENT_ID: "d", s.WAVE: "w",
        s.START: 0, s.END: [len(t) for t in texts], s.TEXT: list(texts), s.SPEAKER: None,
        s.CONTEXT: None}), s.SEGMENTS)


def test_a_match_that_backtracks_stops_after_its_time_naming_code_and_pattern():
    # built without load_codebook, whose check would refuse this pattern before any matching
    codebook = Codebook.model_validate({"id": "slow", "version": "1", "title": "t", "codes": [
        {"id": "fine", "label": "F", "definition": "F.", "patterns": ["housing"]},
        {"id": "slow_code", "label": "S", "definition": "S.",
         "patterns": ["never", {"tokens": [{"TEXT": {"REGEX": "^(?:a|a){1,40}b"}}]}]}]})
    coder = RuleCoder(codebook)
    assert len(coder.code(_segments("housing, a few aaa words"))) == 1  # short tokens are quick
    started = time.process_time()
    with pytest.raises(ConfigError) as slow:
        coder.code(_segments("housing first", "a" * 32 + "!"))
    assert time.process_time() - started < 10 * MATCH_SECONDS
    message = str(slow.value)
    assert message.startswith("codebook 'slow', code 'slow_code', patterns[1]: REGEX "
                              "'^(?:a|a){1,40}b' took more than 1 s on one token of 32 "
                              "characters")
    assert "aaaa" not in message.replace("^(?:a|a)", "")  # the text itself is never quoted
