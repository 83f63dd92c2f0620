"""Agreement per code: figures for a small fixed review, checked against hand computation."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from support_review import decisions

from pipeline import schema as s
from pipeline.review.agreement import codes_to_revise, review_agreement

# The machine coded housing on s1, s2, s3 and mental_health on s3, s5, s6.
MACHINE = [("s1", "housing"), ("s2", "housing"), ("s3", "housing"), ("s3", "mental_health"),
           ("s5", "mental_health"), ("s6", "mental_health")]
ANN = [("s1", "housing", "accepted"), ("s2", "housing", "rejected"),
       ("s3", "mental_health", "accepted"),  # s3's housing left undecided: not an item
       ("s4", "housing", "added"), ("s5", "mental_health", "accepted"),
       ("s6", "mental_health", "accepted")]
BOB = [("s1", "housing", "accepted"), ("s2", "housing", "accepted")]


def _codings() -> pd.DataFrame:
    return pd.DataFrame([{s.SEGMENT_ID: seg, s.CODE_ID: code, s.METHOD: "rule",
                          s.STATUS: "machine"} for seg, code in MACHINE])


def _log(*reviews: tuple[str, list]) -> pd.DataFrame:
    frame = pd.concat([decisions(rows, reviewer=who) for who, rows in reviews],
                      ignore_index=True)
    return frame.assign(**{s.IMPORTED_AT: "2024-03-10", s.LOG_SEQ: range(1, len(frame) + 1)})


@pytest.fixture()
def table(mini_codebook) -> pd.DataFrame:
    found = review_agreement(_codings(), _log(("Ann", ANN), ("Bob", BOB)), mini_codebook, "w1")
    return found.set_index([s.COMPARISON, s.RATERS, s.CODE_ID])


def test_machine_vs_reviewer_kappa_matches_hand_computation(table):
    housing = table.loc[("machine-vs-reviewer", "machine | Ann", "housing")]
    # items s1 (1,1) s2 (1,0) s4 (0,1) s5 (0,0) s6 (0,0): po = 3/5, pe = .4*.4 + .6*.6 = .52
    assert housing[s.ITEMS] == 5
    assert (housing[s.ACCEPTED], housing[s.REJECTED_CODINGS], housing[s.ADDED]) == (1, 1, 1)
    assert housing[s.PERCENT_AGREEMENT] == pytest.approx(0.6)
    assert housing[s.KAPPA] == pytest.approx((0.6 - 0.52) / (1 - 0.52))
    assert housing[s.BELOW_THRESHOLD]
    mental = table.loc[("machine-vs-reviewer", "machine | Ann", "mental_health")]
    assert (mental[s.ITEMS], mental[s.KAPPA], mental[s.BELOW_THRESHOLD]) == (6, 1.0, False)


def test_reviewer_vs_reviewer_alpha_matches_hand_computation(table):
    housing = table.loc[("reviewer-vs-reviewer", "Ann | Bob", "housing")]
    # shared items s1 (Ann 1, Bob 1) and s2 (Ann 0, Bob 1): coincidences o11 = 2,
    # o01 = o10 = 1, n = 4, so alpha = 1 - (n - 1) * 2 / (2 * n0 * n1) = 1 - 3 * 2 / 6 = 0
    assert housing[s.ITEMS] == 2 and housing[s.PERCENT_AGREEMENT] == 0.5
    assert housing[s.ALPHA] == pytest.approx(0.0)
    assert math.isnan(housing[s.KAPPA])
    # both said "no mental health" on s1 and s2: perfect agreement, alpha undefined
    mental = table.loc[("reviewer-vs-reviewer", "Ann | Bob", "mental_health")]
    assert mental[s.PERCENT_AGREEMENT] == 1.0 and math.isnan(mental[s.ALPHA])
    assert not mental[s.BELOW_THRESHOLD]


def test_pooled_rows_and_codes_for_revision(table, mini_codebook):
    pooled = table.loc[("machine-vs-reviewer", "machine | Ann", s.ALL_CODES)]
    assert pooled[s.ITEMS] == 6 * len(mini_codebook.code_ids()) - 1  # s3's housing left out
    found = table.reset_index()
    assert codes_to_revise(found) == ["housing"]
    assert set(found[s.WAVE]) == {"w1"}


def test_nothing_reviewed_gives_an_empty_table(mini_codebook):
    empty = review_agreement(_codings(), s.empty(s.STORED_REVIEW_LOG), mini_codebook, "w1")
    assert empty.empty and list(empty.columns) == s.REVIEW_AGREEMENT.names
