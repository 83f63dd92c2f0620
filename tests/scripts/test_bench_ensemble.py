"""benchmarks/bench_ensemble.py: an ensemble decides as a linear coder on its members' mean."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from pipeline.coding.linear import LinearCoder
from pipeline.coding.thresholds import best_thresholds

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
NEW = ["The car park was full again and I missed my appointment",
       "Tea was cold, the toast was cold too", "The nurse was kind and explained everything",
       "Parking cost five pounds an hour"]


@pytest.fixture(scope="module")
def bench():
    import sys

    sys.path.insert(0, str(BENCHMARKS))  # the benchmarks import each other flat
    try:
        import bench_ensemble
    finally:
        sys.path.remove(str(BENCHMARKS))
    return bench_ensemble


@pytest.fixture(scope="module")
def fitted(bench, comments_gold):
    """Two members on the test comments (TF-IDF alone, C 4 and C 0.5), and their test scores."""

    class Member(bench.KeepsHeldOut, LinearCoder):
        pass

    gold = comments_gold
    questions = gold.extra["FFT question"].tolist()
    members = [Member(codebook="comments@1", embedding=None, c=c).fit(
        gold.texts, gold.labels, gold.code_ids, questions) for c in (4.0, 0.5)]
    asked = [questions[0]] * len(NEW)
    test_proba = {id(m): m.predict_proba(NEW, asked) for m in members}
    return gold, questions, members, test_proba, asked


def test_one_member_weighted_decides_as_that_member(bench, fitted):
    gold, questions, members, test_proba, asked = fitted
    ensemble = bench.Ensemble(members, (1, 0), test_proba, codebook="comments@1").fit(
        gold.texts, gold.labels, gold.code_ids, questions)
    alone = members[0]
    assert ensemble.learned == alone.learned and len(alone.learned) >= 2
    assert ensemble.thresholds == alone.thresholds
    assert ensemble.relative_cut == alone.relative_cut
    np.testing.assert_array_equal(ensemble.held_out, alone.held_out)
    np.testing.assert_array_equal(ensemble.predict(NEW, asked), alone.predict(NEW, asked))


def test_the_ensemble_learns_its_thresholds_on_the_members_mean(bench, fitted):
    gold, questions, members, test_proba, asked = fitted
    ensemble = bench.Ensemble(members, (3, 1), test_proba, codebook="comments@1").fit(
        gold.texts, gold.labels, gold.code_ids, questions)
    mean_held_out = (0.75 * members[0].held_out_probability
                     + 0.25 * members[1].held_out_probability)
    target = gold.labels[:, [gold.code_ids.index(c) for c in ensemble.learned]]
    expected = best_thresholds(target, mean_held_out, shrink=ensemble.shrink)
    assert list(ensemble.thresholds.values()) == pytest.approx(expected.tolist())
    # the members' thresholds differ, so the mean is not either member's choice
    assert members[0].thresholds != members[1].thresholds
    np.testing.assert_allclose(ensemble.predict_proba(NEW),
                               0.75 * test_proba[id(members[0])]
                               + 0.25 * test_proba[id(members[1])])


@pytest.mark.parametrize("text", ["1,-1", "0,0", "a,1"])
def test_a_combo_refuses_negative_zero_or_unreadable_weights(bench, text):
    with pytest.raises((argparse.ArgumentTypeError, ValueError)):
        bench.combo_of(text)
    assert bench.combo_of("2,0,1") == (2.0, 0.0, 1.0)
