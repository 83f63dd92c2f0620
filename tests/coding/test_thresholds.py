"""Decisions from probabilities: per-code thresholds, and a relative cut learned when it pays."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.coding.thresholds import best_relative_cut, decide, macro_f1

THRESHOLDS = np.array([0.5, 0.5, 0.3])


def test_without_a_cut_every_code_over_its_threshold_is_kept():
    proba = np.array([[0.9, 0.6, 0.1], [0.2, 0.1, 0.35], [0.4, 0.4, 0.2]])
    assert decide(proba, THRESHOLDS).astype(int).tolist() == [[1, 1, 0], [0, 0, 1], [0, 0, 0]]


def test_a_cut_drops_runners_up_far_below_the_texts_best_code():
    proba = np.array([[0.9, 0.6, 0.1],    # 0.6 < 0.8 × 0.9: dropped
                      [0.9, 0.8, 0.1],    # 0.8 ≥ 0.72: kept
                      [0.2, 0.1, 0.35],   # one code: kept, however low
                      [0.4, 0.4, 0.2],    # none over its threshold: still none
                      [0.45, 0.95, 0.32]])  # under its own threshold, 0.45 never counted
    assert decide(proba, THRESHOLDS, 0.8).astype(int).tolist() == [
        [1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 0, 0], [0, 1, 0]]


def test_macro_f1_is_the_mean_of_per_code_f1():
    truth = np.array([[1, 0], [1, 0], [0, 1], [0, 0]])
    decided = np.array([[1, 0], [0, 0], [0, 1], [0, 1]], dtype=bool)
    # code 0: 1 hit, 1 missed -> 2/3; code 1: 1 hit, 1 false -> 2/3
    assert macro_f1(truth, decided) == pytest.approx(2 / 3)
    assert macro_f1(np.zeros((2, 1)), np.zeros((2, 1), dtype=bool)) == 0.0


def _texts(rng: np.random.Generator, n: int, second_true: bool):
    """Held-out probabilities: each text's own code high; a competing code often over 0.5."""
    truth = np.zeros((n, 3), dtype=int)
    proba = rng.uniform(0.0, 0.3, size=(n, 3))
    own = rng.integers(0, 3, size=n)
    rival = (own + 1) % 3
    truth[np.arange(n), own] = 1
    proba[np.arange(n), own] = rng.uniform(0.85, 1.0, size=n)
    proba[np.arange(n), rival] = rng.uniform(0.5, 0.65, size=n)
    if second_true:
        truth[np.arange(n), rival] = 1
    return truth, proba


def test_one_code_per_text_learns_a_cut_and_two_codes_per_text_learn_none():
    rng = np.random.default_rng(0)
    single, proba = _texts(rng, 300, second_true=False)
    cut = best_relative_cut(single, proba, np.full(3, 0.5))
    assert cut == 0.8  # the smallest that drops every rival: 0.65 < 0.8 × 0.85, not 0.7 × 0.85
    assert macro_f1(single, decide(proba, np.full(3, 0.5), cut)) == 1.0
    double, proba = _texts(rng, 300, second_true=True)
    assert best_relative_cut(double, proba, np.full(3, 0.5)) == 0.0


def test_a_cut_must_add_more_than_the_margin():
    rng = np.random.default_rng(1)
    single, proba = _texts(rng, 300, second_true=False)
    assert best_relative_cut(single, proba, np.full(3, 0.5), margin=0.9) == 0.0
    assert best_relative_cut(single[:, :1], proba[:, :1], np.full(1, 0.5)) == 0.0  # one code
