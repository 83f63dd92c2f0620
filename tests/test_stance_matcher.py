"""The compiled stance matcher: the plain spaCy Matcher's matches, in its order, found faster."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import spacy
from spacy.matcher import Matcher

from pipeline.stance import load_rules
from pipeline.stance_matcher import WordSetFlag, compile_matcher

STANCE_DATA = Path(__file__).parent / "data" / "stance"
SENTENCES = [
    "There is a real shortage of detox beds and no dry housing at all.",  # LOWER IN, no-x
    "Clients were turned away and went without a script for weeks.",  # LEMMA IN (went: go)
    "It is hard to get a GP appointment; waiting lists have got much longer.",  # multi-token
    "Housing is no longer a problem, and the hostel is not full any more.",  # negation, OP *
    "More people than ever are sleeping rough - fewer than last year have a tenancy.",  # NOT_IN
    "Clients with complex needs need more support; their needs assessment is slow.",  # not_after
    "Funding was cut to the bone but the team can still get clients in-house.",
    "",
]


def plain_matcher(rules) -> Matcher:
    """The cues in an ordinary validating spaCy Matcher."""
    matcher = Matcher(rules.nlp.vocab, validate=True)
    for cue in rules.table.cues:
        matcher.add(cue.id, [cue.tokens])
    return matcher


def test_the_compiled_cues_match_as_the_plain_matcher_on_real_segments():
    rules = load_rules()
    plain = plain_matcher(rules)
    texts = SENTENCES + [text for name in ("gold.csv", "handwritten.csv")
                         for text in pd.read_csv(STANCE_DATA / name)["text"]]
    total = 0
    for text in texts:
        doc = rules.parse(text)
        expected = plain(doc)
        assert rules.matcher(doc) == expected, text  # same matches, same order
        total += len(expected)
    assert total > 300  # the texts do exercise the cues


def test_word_sets_became_flags_and_the_smallest_opening_sets_one_pattern_per_word():
    rules = load_rules()
    flags = [bit for bit, getter in rules.nlp.vocab.lex_attr_getters.items()
             if isinstance(getter, WordSetFlag)]
    assert len(flags) >= 40
    patterns = rules.matcher.patterns
    # "require" opens with LEMMA {IN: [require, want]}: two exact-value patterns
    assert [tokens for key, tokens in patterns if key == "require"] == [
        [{"LEMMA": "require"}], [{"LEMMA": "want"}]]
    # "lack" opens with a large LOWER set: one pattern testing a flag
    ((lack,),) = [tokens for key, tokens in patterns if key == "lack"]
    assert list(lack.values()) == [True] and all(isinstance(k, int) for k in lack)


def test_flags_hold_for_words_seen_before_and_after_compiling_and_bits_run_out():
    nlp = spacy.blank("en")
    before = nlp.make_doc("Beds were scarce, and the hostel is oversubscribed.")
    getters = nlp.vocab.lex_attr_getters
    for bit in [bit for bit in range(1, 64) if bit not in getters][1:]:
        getters[bit] = WordSetFlag(frozenset(), lower=True)  # leave one bit free
    cues = [("scarce", [{"LOWER": {"IN": ["scarce", "scarcity", "lacking"]}}]),
            ("full", [{"LOWER": {"IN": ["full", "oversubscribed"]}}]),
            ("no-x", [{"LOWER": {"IN": ["no", "none"]}}, {"LOWER": {"NOT_IN": ["longer"]}}]),
            ("hostel", [{"LOWER": "the", "OP": "?"}, {"LOWER": {"IN": ["hostel", "shelter"]}}])]
    matcher = compile_matcher(nlp.vocab, cues)
    plain = Matcher(nlp.vocab, validate=True)
    for key, tokens in cues:
        plain.add(key, [tokens])
    after = nlp.make_doc("No beds: SCARCITY of places, none left, no longer a shelter.")
    found = {nlp.vocab.strings[m[0]] for doc in (before, after) for m in matcher(doc)}
    assert found == {"scarce", "full", "no-x", "hostel"}
    for doc in (before, after):
        assert matcher(doc) == plain(doc)
    # one free bit: the larger opening set got it, the smaller was spelled out word by word
    assert [tokens for key, tokens in matcher.patterns if key == "full"] == [
        [{"LOWER": "full"}], [{"LOWER": "oversubscribed"}]]
