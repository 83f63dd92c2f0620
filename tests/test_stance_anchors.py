"""Anchor words of the stance cues: the fast path gives the full path's stances, exactly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import spacy
from spacy.matcher import Matcher
from support_stance import FullMatcher, full_rules

from pipeline import schema as s
from pipeline.stance import load_rules, stances
from pipeline.stance_anchors import Anchors, exact, pattern_anchors
from pipeline.stance_matcher import compile_matcher

STANCE_DATA = Path(__file__).parent / "data" / "stance"
# negators, clause openers, weak cues, multi-word and lemma cues, curly apostrophes, case
TRICKY = [
    "Housing isn\u2019t available locally, and it hasn\u2019t improved.",
    "There is NO dry housing and NOT ENOUGH detox beds.",
    "Since the hostel closed, clients have nowhere to go; we need more beds.",
    "No shortage of counselling now, but waiting lists have got much longer.",
    "Housing is no longer a problem, as in previous years.",
    "Clients went without a script - the team was cut - and nobody was told.",
    "Funding was set up in-house but is based in the town, which is further away from them.",
    "It takes 6 months to get a GP appointment, and waits are long.",
    "Thresholds have been raised again; more clients than ever are turned away.",
    "As before, peer support is still the same as it was.",
    "Clients with complex needs need more support: needs assessments take ages.",
    "Hardly any ETE provision; it is non-existent, no-one funds it.",
    "Demand has gone up whereas capacity has gone down.",
    "",
    "   ",
    "Nothing.",
]


def texts() -> list[str]:
    return TRICKY + [text for name in ("gold.csv", "handwritten.csv")
                     for text in pd.read_csv(STANCE_DATA / name)["text"]]


def test_hits_of_a_segment_without_lemmas_are_the_full_paths_hits():
    rules, full = load_rules(), full_rules()
    total, paths = 0, {"none": 0, "exact": 0, "spacy": 0}
    for text in texts():
        doc = rules.tokens(text)
        fast = rules.hits(doc)  # lemmas added only if a cue reads them
        assert fast == full.hits(full.parse(text)), text
        total += len(fast[0])
        mask = rules.matcher.possible(doc)
        paths["none" if not mask else "spacy" if mask & ~rules.matcher.anchors.exact
              else "exact"] += 1
    assert total > 250 and min(paths.values()) >= 5, paths  # the texts take every path


def test_stances_equal_the_full_paths_with_several_codes_a_segment():
    frame = pd.read_csv(STANCE_DATA / "gold.csv")
    segments = frame.drop_duplicates(s.SEGMENT_ID).rename(columns={"text": s.TEXT}).assign(
        **{s.START: 0})[[s.SEGMENT_ID, s.START, s.TEXT]]
    codings = frame.rename(columns={"evidence_start": s.START, "evidence_end": s.END})
    # each text also as one segment coded twice, at its start and at its end
    extra = pd.DataFrame({s.SEGMENT_ID: [f"t{i}" for i in range(len(TRICKY))], s.START: 100,
                          s.TEXT: TRICKY})
    extra_codings = pd.DataFrame(
        [{s.SEGMENT_ID: f"t{i}", s.CODE_ID: code, s.START: 100 + a, s.END: 100 + b}
         for i, text in enumerate(TRICKY) if text.strip()
         for code, (a, b) in (("housing", (0, min(7, len(text)))),
                              ("funding", (max(0, len(text) - 8), len(text))))])
    segments = pd.concat([segments, extra], ignore_index=True)
    codings = pd.concat([codings[[s.SEGMENT_ID, s.CODE_ID, s.START, s.END]], extra_codings],
                        ignore_index=True)
    fast = stances(segments, codings, parents={"housing": None, "funding": None})
    full = stances(segments, codings, parents={"housing": None, "funding": None},
                   rules=full_rules())
    pd.testing.assert_frame_equal(fast, full, check_exact=True)
    assert fast[s.STANCE].notna().sum() > 50 and fast[s.DIRECTION].notna().sum() > 20


@pytest.mark.parametrize("text", [
    "x y z x y y z w x y z",
    "y x x y z y x y",
    "Z X Y z w x",
    "",
])
def test_exact_patterns_are_matched_in_the_matchers_order(text):
    nlp = spacy.blank("en")
    cues = [("a", [{"LOWER": "x"}, {"LOWER": "y"}]),
            ("b", [{"LOWER": "y"}]),
            ("c", [{"LOWER": "x"}, {"LOWER": {"IN": ["y", "q"]}}, {"LOWER": "z"}]),
            ("a", [{"LOWER": "x"}]),
            ("d", [{"ORTH": {"IN": ["Z", "w"]}}]),
            ("e", [{"LOWER": "y"}, {"LOWER": "z", "OP": "?"}])]  # not exact: spaCy's
    doc = nlp.make_doc(text)
    for chosen in (cues[:-1], cues):  # exact patterns only (no spaCy), then with spaCy's
        plain = Matcher(nlp.vocab, validate=True)
        for key, tokens in chosen:
            plain.add(key, [tokens])
        assert compile_matcher(nlp.vocab, chosen)(doc) == plain(doc)


def test_anchors_are_the_mandatory_tokens_words_with_their_places():
    pattern = [{"LOWER": "no"}, {"LOWER": "-", "OP": "?"}, {"OP": "{0,2}"},
               {"TEXT": {"NOT_IN": [","]}}, {"LOWER": {"IN": ["one", "body"]}},
               {"IS_ALPHA": True, "OP": "+"}, {"LOWER": "else", "OP": "!"}]
    anchors = pattern_anchors(pattern, pattern, None)
    assert [(kind, len(ids), low, high) for kind, ids, low, high in anchors] == [
        ("lower", 1, 0, 0), ("lower", 2, 2, 5)]  # after no, "-"?, {0,2} and one more
    assert not exact(pattern, None)
    assert exact([{"LOWER": {"IN": ["a", "b"]}}, {"TEXT": "C"}], None)
    assert not exact([{"LEMMA": "be"}], None)  # no lemma table: no anchor for a lemma
    lower_case_op = [{"LOWER": "a"}, {"LOWER": "b", "op": "?"}, {"LOWER": "c"}]
    assert [(low, high) for *_, low, high in pattern_anchors(
        lower_case_op, lower_case_op, None)] == [(0, 0), (1, 2)]  # spaCy reads "op" too


def test_a_cue_is_possible_only_with_its_words_in_order_and_near_enough():
    nlp = spacy.blank("en")
    wait = [{"LOWER": "wait"}, {"OP": "{0,2}"}, {"LOWER": "long"}]
    anchors = Anchors([pattern_anchors(wait, wait, None)], [exact(wait, None)])

    def possible(text: str) -> bool:
        doc = nlp.make_doc(text)
        return bool(anchors.possible([t.lower for t in doc], [t.orth for t in doc]))

    assert possible("the WAIT is long")
    assert not possible("long is the wait")  # wrong order
    assert not possible("the wait for a bed is long")  # too far apart
    assert not possible("the wait")  # a word missing


def test_lemma_cues_without_lemmas_on_the_doc_and_with_them_agree():
    rules = load_rules()
    for text in ("Clients went without food.", "He WANTS more support.",
                 "They were told it takes years."):
        bare, parsed = rules.tokens(text), rules.parse(text)
        assert rules.hits(bare) == rules.hits(parsed)
        assert rules.matcher(parsed) == FullMatcher(rules).matcher(parsed)
