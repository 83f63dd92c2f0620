"""Anchor words: the rule coder's fast path finds exactly the spans the full pipeline finds."""

from __future__ import annotations

import pytest
from tests_paths import ROOT

from pipeline.coding import RuleCoder
from pipeline.coding.anchors import LemmaForms, gate, token_anchors
from pipeline.coding.matcher import NOTHING_BEYOND_LOWER
from pipeline.coding.negation import SPANS_KEY
from pipeline.config import Code, Codebook, Pattern, load_codebook
from pipeline.text import matchable

CODEBOOK = ROOT / "models" / "codebooks" / "recovery-capital.yaml"

TEXTS = [
    "Funding was slashed again this year.",  # token pattern, match only through a lemma
    "Our budget has halved and grants shrank.",  # lemma of an irregular past tense
    "The council cuts services; they cut our grant too.",  # the LEMMA phrase "cut"
    "There is a shortage of supported move-on accommodation in the town.",  # multi-token
    "We work with the health and wellbeing board and the police and crime commissioner.",
    "Clients who meet the criteria still wait; thresholds were raised last year.",
    "They won’t see people who are drinking, and AA meetings are full.",  # curly apostrophe
    "aa is not the same as AA",  # ORTH pattern: case matters
    "FUNDING WAS CUT AND HOUSING IS NOT AVAILABLE",  # upper case
    "Nothing here names any theme at all.",
    "",
]


def spans_of(doc, cues=None):
    """Label, offsets and negation cue of each span: the fast path gives its ``cues`` beside."""
    spans = doc.spans[SPANS_KEY]
    cues = [span._.negation_cue for span in spans] if cues is None else cues
    return [(span.label_, span.start_char, span.end_char, cue)
            for span, cue in zip(spans, cues, strict=True)]


def assert_same_spans(coder: RuleCoder, texts: list[str]) -> None:
    """The fast path's spans and negation flags equal those of the whole pipeline, per text."""
    texts = [matchable(t) for t in texts]
    plain = [spans_of(doc) for doc in coder.nlp.pipe(texts)]
    fast = [spans_of(doc, cues) for doc, cues in coder._matched(texts)]
    assert fast == plain


@pytest.fixture(scope="module")
def coder():
    return RuleCoder(load_codebook(CODEBOOK))


def test_fast_path_finds_the_same_spans_on_the_shipped_codebook(coder):
    assert_same_spans(coder, TEXTS)
    plain = [spans_of(doc) for doc in coder.nlp.pipe(map(matchable, TEXTS))]
    labels = {label for spans in plain for label, *_ in spans}
    assert any(label.startswith("funding_change|") for label in labels)  # lemma-only matches
    assert any(label.startswith("mutual_aid|") for label in labels)  # "AA", not "aa"
    cues = {cue for spans in plain for *_, cue in spans} - {None}
    assert cues == {"NOT", "not"}  # cues as written ("HOUSING IS NOT AVAILABLE"), both ways


def test_lemma_only_match_is_coded_as_by_the_full_pipeline(coder):
    found = spans_of(*next(iter(coder._matched(["Funding was slashed again this year."]))))
    assert {label.split("|")[0] for label, *_ in found} == {"funding_change"}
    assert coder._matcher.needs_lemmas(coder.nlp.make_doc("Funding was slashed."))


def test_segments_without_anchor_words_skip_the_lemma_and_token_matchers(coder):
    doc = coder.nlp.make_doc("Nothing here names any theme at all.")
    assert not coder._matcher.needs_lemmas(doc)
    assert spans_of(*next(iter(coder._matched([doc.text])))) == []


def edge_codebook(regex: bool = True) -> Codebook:
    patterns = [
        Pattern(id="be-late", tokens=[{"LEMMA": "be"}, {"LOWER": "late"}]),  # "was", "is"...
        Pattern(id="regex", tokens=[{"LOWER": {"REGEX": "^rehab"}}]),  # no anchor: always run
        Pattern(id="optional", tokens=[{"LOWER": "very", "OP": "?"}, {"ORTH": "GP"}]),
        Pattern(id="not-in", tokens=[{"LEMMA": {"NOT_IN": ["go"]}}, {"LOWER": "home"}]),
        Pattern(phrase="went", attr="LEMMA"),  # lemma "go": matches "goes", "going", "gone"
        Pattern(phrase="waiting list"),
    ]
    patterns = [p for p in patterns if regex or p.id != "regex"]
    return Codebook(id="edge", version="1", codes=[
        Code(id="edge", label="Edge", definition="Patterns at the fast path's edges.",
             patterns=patterns)])


def test_fast_path_matches_the_full_pipeline_at_its_edges():
    coder = RuleCoder(edge_codebook())
    texts = ["The bus was late.", "It is always late!", "Rehabilitation helps.",
             "A very good GP.", "a gp", "She goes home.", "They drove home.",
             "We went home.", "Going, gone.",
             "The waiting list grows.", "Waiting lists", "Nothing to see."]
    assert_same_spans(coder, texts)
    found = {label for doc, cues in coder._matched(texts) for label, *_ in spans_of(doc, cues)}
    assert {"edge|edge:be-late", "edge|edge:regex", "edge|edge:optional", "edge|edge:not-in",
            "edge|edge:went", "edge|edge:waiting list"} <= found
    assert coder._matcher.needs_lemmas(coder.nlp.make_doc("Nothing to see."))  # REGEX pattern
    goes_home = spans_of(*next(iter(coder._matched(["She goes home."]))))
    assert "edge|edge:not-in" not in [label for label, *_ in goes_home]  # lemma "go": NOT_IN


def test_with_every_pattern_anchored_one_set_test_rules_them_all_out():
    coder = RuleCoder(edge_codebook(regex=False))
    assert coder._matcher._gate is not None  # no pattern left that may match anywhere
    texts = ["The bus was late.", "It is always late!", "A very good GP.", "a gp",
             "She goes home.", "They drove home.", "We went home.", "Going, gone.",
             "The waiting list grows.", "Nothing to see."]
    assert_same_spans(coder, texts)
    assert coder._matcher.plan(coder.nlp.make_doc("Nothing to see.")) is NOTHING_BEYOND_LOWER
    assert coder._matcher.plan(coder.nlp.make_doc("They drove home.")).lemmatise  # "home"


def test_gate_is_the_union_of_each_patterns_smallest_anchor():
    one, two, three = frozenset([1]), frozenset([2, 3]), frozenset([4, 5, 6])
    assert gate([[two, one], [three]]) == {1, 4, 5, 6}
    assert gate([[one], None]) is None  # a pattern without known anchors may match anywhere
    assert gate([[one], []]) is None
    assert gate([]) == frozenset()  # no lemma or token pattern: nothing beyond LOWER, ever


def test_token_anchors_leave_out_optional_and_unanchorable_tokens():
    forms = LemmaForms({})
    assert token_anchors([{"LOWER": {"REGEX": "x"}}, {"LOWER": "a", "OP": "*"}], forms) is None
    anchors = token_anchors([{"LOWER": "a", "OP": "?"}, {"LOWER": {"IN": ["b", "c"]}},
                             {"OP": "{0,3}"}, {"ORTH": "D", "OP": "{1,2}"}], forms)
    assert anchors is not None and len(anchors) == 2
