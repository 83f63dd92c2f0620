"""Which codes each document carries: roll-up, negation, order, codings without a segment."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.export.tables import _document_codes_joined, document_codes

SEGMENTS = pd.DataFrame({s.SEGMENT_ID: ["s1", "s2", "s3"], s.DOCUMENT_ID: ["d1", "d1", "d2"]})
CODINGS = pd.DataFrame([
    ("s2", "housing_gap", True),  # "no dry housing": negated, and rolled up to housing
    ("s1", "employment_training", False),
    ("s1", "housing", False),  # the same document's plain mention: housing is not all negated
    ("s3", "housing_gap", True),
    ("gone", "mental_health", False),  # its segment is not in the table: counted nowhere
    ("s3", "not_in_codebook", False),  # an unknown code keeps no ancestors
], columns=[s.SEGMENT_ID, s.CODE_ID, s.NEGATED])


def test_codes_roll_up_and_are_negated_only_when_every_mention_is(mini_codebook):
    found = document_codes(SEGMENTS, CODINGS, mini_codebook)
    assert list(found.itertuples(index=False, name=None)) == [
        ("d1", "housing_gap", True), ("d1", "housing", False),
        ("d1", "employment_training", False),
        ("d2", "housing_gap", True), ("d2", "housing", True),
        ("d2", "not_in_codebook", False)]
    assert found[s.NEGATED].dtype == bool


def test_without_roll_up_each_coding_counts_for_its_own_code_only(mini_codebook):
    found = document_codes(SEGMENTS, CODINGS, mini_codebook, roll_up=False)
    assert list(found.itertuples(index=False, name=None)) == [
        ("d1", "housing_gap", True), ("d1", "employment_training", False),
        ("d1", "housing", False), ("d2", "housing_gap", True), ("d2", "not_in_codebook", False)]


def test_positions_give_the_rows_a_join_and_groupby_give(mini_codebook):
    for roll_up in (True, False):
        pd.testing.assert_frame_equal(
            document_codes(SEGMENTS, CODINGS, mini_codebook, roll_up=roll_up),
            _document_codes_joined(SEGMENTS, CODINGS, mini_codebook, roll_up=roll_up),
            check_exact=True)


def test_a_segment_id_listed_twice_counts_for_each_of_its_documents(mini_codebook):
    twice = pd.concat([SEGMENTS, pd.DataFrame({s.SEGMENT_ID: ["s1"], s.DOCUMENT_ID: ["d3"]})],
                      ignore_index=True)
    found = document_codes(twice, CODINGS, mini_codebook)
    assert set(found.loc[found[s.DOCUMENT_ID] == "d3", s.CODE_ID]) == {
        "employment_training", "housing"}


def test_mentions_counted_on_positions_equal_the_join_and_groupby():
    from pipeline.export.tables import _mention_counts, _mention_counts_joined

    documents = pd.DataFrame({
        s.DOCUMENT_ID: ["a1", "a2", "b1", "b2", "c1", "d1"],
        s.QUESTION_ID: ["q1", "q2", "q1", "q1", None, "q1"],
        s.RESPONDENT_ID: ["r1", "r1", "r2", "r2", "r3", None]})
    present = pd.DataFrame([
        ("a1", "housing", True), ("a1", "employment_training", False),
        ("a2", "housing", False),
        ("b1", "housing", True), ("b2", "housing", False),  # r2 twice on q1: not all negated
        ("b1", "employment_training", True), ("b2", "employment_training", True),
        ("c1", "housing", False),  # no question: not counted, as groupby drops it
        ("d1", "housing", True),  # no respondent: not counted
        ("zz", "housing", False),  # no such document
    ], columns=[s.DOCUMENT_ID, s.CODE_ID, s.NEGATED])
    expected = {("q1", "housing"): (2, 1), ("q1", "employment_training"): (2, 1),
                ("q2", "housing"): (1, 0)}
    assert _mention_counts(present, documents) == expected
    assert _mention_counts_joined(present, documents) == expected
    repeated = pd.concat([documents, documents.iloc[[0]]], ignore_index=True)  # takes the join
    assert _mention_counts(present, repeated) == expected


def test_mentions_on_sorted_keys_equal_the_join_and_groupby_on_a_random_wave():
    from pipeline.export.tables import _mention_counts, _mention_counts_joined

    rng = np.random.default_rng(7)
    n = 400
    questions = np.array(["q1", "q2", "q3", None], dtype=object)
    respondents = np.array([f"r{i}" for i in range(60)] + [None], dtype=object)
    documents = pd.DataFrame({  # respondents answer a question more than once, some ids missing
        s.DOCUMENT_ID: [f"d{i}" for i in range(n)],
        s.QUESTION_ID: questions[rng.integers(0, len(questions), n)],
        s.RESPONDENT_ID: respondents[rng.integers(0, len(respondents), n)]})
    codes = np.array(["housing", "housing_gap", "mental_health", None], dtype=object)
    pairs = {(f"d{rng.integers(0, n + 20)}", codes[rng.integers(0, len(codes))])
             for _ in range(900)}  # some documents the table lacks
    present = pd.DataFrame([(d, c, bool(rng.random() < 0.4)) for d, c in sorted(
        pairs, key=str)], columns=[s.DOCUMENT_ID, s.CODE_ID, s.NEGATED])
    expected = _mention_counts_joined(present, documents)
    assert sum(negated for _, negated in expected.values()) > 0
    assert any(mentions > negated > 0 for mentions, negated in expected.values())
    assert _mention_counts(present, documents) == expected
