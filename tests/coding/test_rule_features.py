"""Rule matches as features: found once per batch, the same as coding each text with the rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.features import rule_matrix
from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.linear import LinearCoder
from pipeline.coding.rule_features import RuleFeatures, matches_of
from pipeline.coding.rules import RuleCoder

TEXTS = ["The car park was full and the meals were cold",
         "Nurses were kind", "Nothing to add", "The car park was full and the meals were cold"]


@pytest.fixture
def book(comments_codebook):
    return comments_codebook


@pytest.fixture
def gold(comments_gold):
    return comments_gold


class CountingRuleCoder(RuleCoder):
    """The real rule coder, counting the segments it is asked to code."""

    coded: list[int]

    def code(self, segments):
        self.coded.append(len(segments))
        return super().code(segments)


def counting(book) -> CountingRuleCoder:
    coder = CountingRuleCoder(book)
    coder.coded = []
    return coder


def test_matches_are_the_rule_codings_relative_to_each_segment(book):
    segments = pd.DataFrame({s.SEGMENT_ID: ["d1:0", "d1:1", "d2:0"], s.START: [0, 40, 0],
                             s.TEXT: ["Meals were cold", "The car park was full",
                                      "Meals were cold"], s.CONTEXT: None})
    codings = RuleCoder(book).code(segments)
    assert codings[[s.SEGMENT_ID, s.START]].values.tolist() == [
        ["d1:0", 0], ["d1:1", 44], ["d2:0", 0]]
    found = matches_of(segments, codings)
    assert found == {"Meals were cold": [("food_drink", 0, 5)],
                     "The car park was full": [("parking", 4, 12)]}


def test_matrix_equals_coding_each_text_with_the_rules_in_one_batch(book):
    features, coder = RuleFeatures(book), counting(book)
    features.use(coder)
    matrix = features.matrix(TEXTS)
    assert matrix.tolist() == [[1, 1, 0], [0, 0, 1], [0, 0, 0], [1, 1, 0]]
    assert np.array_equal(matrix, rule_matrix(RuleCoder(book), TEXTS, book.code_ids()))
    assert features.matrix(TEXTS[:2], ["staff_manner", "parking"]).tolist() == [[0, 1], [1, 0]]
    assert coder.coded == [3]  # the three distinct texts once; the second call reused them
    assert features.candidates(TEXTS[0], np.array([9.0, 0.5, 2.0, -1.0, -3.0])) == [
        (2.0, 4, 12)]  # weights: two features, then parking, food (negative), staff


def test_a_hybrid_runs_its_rules_once_per_batch_and_keeps_its_codings(book, gold):
    hybrid = HybridCoder(book).fit(gold.texts, gold.labels, gold.code_ids)
    hybrid.rules = counting(book)
    hybrid.model.use_rule_coder(hybrid.rules)
    segments = pd.DataFrame({s.SEGMENT_ID: ["a", "b", "c"], s.START: [0, 10, 0],
                             s.TEXT: ["The car park was full", "Meals were cold",
                                      "Took forty minutes to park"], s.CONTEXT: None})
    codings = hybrid.code(segments)
    assert hybrid.rules.coded == [3]
    parking = codings[(codings[s.SEGMENT_ID] == "a") & (codings[s.CODE_ID] == "parking")]
    assert parking[[s.START, s.END, s.EVIDENCE]].values.tolist() == [[4, 12, "car park"]]


def test_batch_evidence_with_rule_features_equals_one_coding_at_a_time(book, gold):
    coder = LinearCoder(codebook="comments@1", embedding=None, rules=book)
    coder.fit(gold.texts, gold.labels, gold.code_ids)
    texts = ["The car park was full, parking costs too much", "Drinks and meals were cold",
             "Staff were kind and friendly but food was late"]
    proba = coder.predict_proba(texts)  # scoring keeps the batch's n-grams and rule matches
    rows, columns = np.nonzero(proba >= 0.0)
    batch = coder.evidence_spans(texts, rows, columns)
    coder.predict_proba(["Nothing to add"])  # another batch: each text below is done afresh
    single = [coder.evidence(texts[i], coder.code_ids[j])
              for i, j in zip(rows, columns, strict=True)]
    assert batch == single and len(batch) == 9
    found = {(texts[i][a:b], coder.code_ids[j])
             for i, j, (a, b) in zip(rows, columns, batch, strict=True)}
    # the parking rule's column pulls hardest: its match, the rule's words, is the evidence
    assert {("car park", "parking"), ("Drinks", "food_drink"), ("kind", "staff_manner")} <= found
