"""Evaluation numbers for a fixed toy prediction match values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.coding.thresholds import best_thresholds
from pipeline.config import load_codebook
from pipeline.quality.evaluate import (
    comparison,
    cross_validate,
    folds,
    score,
    with_ancestors,
)
from pipeline.quality.measure import fold_predictor

# Five texts, two codes.
TRUTH = np.array([[1, 0], [1, 1], [0, 0], [0, 1], [1, 0]])
PRED = np.array([[1, 0], [0, 1], [0, 1], [0, 1], [1, 1]])
# Code A: TP 2, FP 0, FN 1, TN 2 -> P 1, R 2/3, F1 0.8.
#   kappa: po = 4/5; pe = 3/5*2/5 + 2/5*3/5 = 0.48 -> (0.8 - 0.48) / 0.52 = 0.6154
# Code B: TP 2, FP 2, FN 0, TN 1 -> P 0.5, R 1, F1 2/3.
#   kappa: po = 3/5; pe = 2/5*4/5 + 3/5*1/5 = 0.44 -> (0.6 - 0.44) / 0.56 = 0.2857
# macro F1 = (0.8 + 0.6667) / 2 = 0.7333
# micro: TP 4, FP 2, FN 1 -> P 2/3, R 4/5 -> F1 = 2 * (2/3 * 4/5) / (2/3 + 4/5) = 0.7273
# Krippendorff's alpha (nominal, human vs machine over the 10 decisions): coincidences
#   o11 = 8 (4 units agree on 1), o00 = 6 (3 units agree on 0), o01 = o10 = 3 (3 disagree);
#   n = 20, n0 = 9, n1 = 11; Do = 6/20 = 0.3; De = 2*9*11 / (20*19) = 0.5211
#   alpha = 1 - 0.3 / 0.5211 = 0.4242


def test_scores_match_hand_computed_values():
    evaluation = score(TRUTH, PRED, ["a", "b"], coder="toy", n_boot=0)
    per = evaluation.per_code.set_index("code_id")
    assert per.loc["a", ["precision", "recall", "f1"]].tolist() == pytest.approx(
        [1.0, 0.6667, 0.8], abs=1e-4)
    assert per.loc["b", ["precision", "recall", "f1"]].tolist() == pytest.approx(
        [0.5, 1.0, 0.6667], abs=1e-4)
    assert per["kappa"].tolist() == pytest.approx([0.6154, 0.2857], abs=1e-4)
    assert per["support"].tolist() == [3, 2]
    assert evaluation.summary["macro_f1"] == pytest.approx(0.7333, abs=1e-4)
    assert evaluation.summary["micro_f1"] == pytest.approx(0.7273, abs=1e-4)
    assert evaluation.summary["alpha"] == pytest.approx(0.4242, abs=1e-4)


def test_one_code_alone_is_scored_as_one_code():
    """A single code column is a one-code multilabel table, not a binary target with two classes
    (a review round where one code alone reached the support to be scored)."""
    evaluation = score(TRUTH[:, :1], PRED[:, :1], ["a"], coder="toy", n_boot=50)
    per = evaluation.per_code.set_index("code_id")
    assert per.index.tolist() == ["a"]
    assert per.loc["a", ["precision", "recall", "f1", "support", "predicted"]].tolist() == \
        pytest.approx([1.0, 0.6667, 0.8, 3, 2], abs=1e-4)
    assert evaluation.summary["macro_f1"] == evaluation.summary["micro_f1"] == 0.8


def test_bootstrap_intervals_are_seeded_and_contain_the_estimate():
    first = score(TRUTH, PRED, ["a", "b"], n_boot=200, seed=1).summary
    second = score(TRUTH, PRED, ["a", "b"], n_boot=200, seed=1).summary
    assert first["macro_f1_ci"] == second["macro_f1_ci"]
    low, high = first["micro_f1_ci"]
    assert low <= first["micro_f1"] <= high


def test_thresholds_come_from_held_out_scores():
    truth = np.array([[0], [0], [1], [1]])
    held_out = np.array([[0.1], [0.3], [0.35], [0.9]])
    # Best F1 on the grid: the first cut above 0.3 (0.325); shrunk halfway back to 0.5.
    assert best_thresholds(truth, held_out, shrink=0.0, min_positives=1).tolist() == [0.325]
    assert best_thresholds(truth, held_out, shrink=0.5, min_positives=1).tolist() == [0.4125]
    assert best_thresholds(truth, held_out).tolist() == [0.5]  # fewer than 3 positives: default


def test_folds_are_stratified_and_reproducible():
    labels = np.array([[i % 2, int(i % 5 == 0)] for i in range(50)])
    first, second = folds(labels, 5, seed=3), folds(labels, 5, seed=3)
    assert all((a[1] == b[1]).all() for a, b in zip(first, second, strict=True))
    for _, test in first:
        assert labels[test, 0].sum() == 5 and labels[test, 1].sum() == 2


def test_children_count_for_their_parents(mini_codebook):
    labels = np.array([[1, 0], [0, 1]])  # housing_gap; mental_health_threshold
    rolled, codes = with_ancestors(labels, ["housing_gap", "mental_health_threshold"],
                                   mini_codebook)
    assert codes == mini_codebook.code_ids()
    assert rolled.tolist() == [[1, 1, 0, 0, 0], [0, 0, 0, 1, 1]]


def test_comparison_puts_coders_side_by_side():
    one = score(TRUTH, PRED, ["a", "b"], coder="x", n_boot=0)
    two = score(TRUTH, TRUTH, ["a", "b"], coder="y", n_boot=0)
    table = comparison([one, two])
    assert list(table.columns) == ["code_id", "support", "f1[x]", "kappa[x]", "f1[y]",
                                   "kappa[y]"]
    assert table["f1[y]"].tolist() == [1.0, 1.0]


def test_bootstrap_scores_equal_the_libraries_on_each_resample():
    import krippendorff
    from sklearn.metrics import cohen_kappa_score, f1_score

    from pipeline.quality.evaluate import bootstrap

    rng = np.random.default_rng(7)
    truth = rng.integers(0, 2, (40, 3))
    pred = np.where(rng.random((40, 3)) < 0.8, truth, 1 - truth)
    boot = bootstrap(truth, pred, n_boot=3, seed=5)
    # the same resamples, drawn the same way, scored by scikit-learn and krippendorff
    draw = np.random.default_rng(5)
    for b in range(3):
        rows = draw.integers(0, 40, 40)
        t, p = truth[rows], pred[rows]
        assert boot["f1"][b] == pytest.approx(f1_score(t, p, average=None, zero_division=0))
        assert boot["micro_f1"][b] == pytest.approx(f1_score(t, p, average="micro"))
        assert boot["kappa"][b] == pytest.approx(
            [cohen_kappa_score(t[:, j], p[:, j]) for j in range(3)])
        assert boot["alpha"][b] == pytest.approx(krippendorff.alpha(
            reliability_data=np.vstack([t.ravel(), p.ravel()]).astype(float),
            level_of_measurement="nominal"))


def test_intervals_cover_kappa_per_code_and_overall():
    evaluation = score(TRUTH, PRED, ["a", "b"], n_boot=300, seed=2)
    per = evaluation.per_code
    assert (per["kappa_low"] <= per["kappa"]).all() and (per["kappa"] <= per["kappa_high"]).all()
    low, high = evaluation.summary["mean_kappa_ci"]
    assert low <= evaluation.summary["mean_kappa"] <= high
    assert evaluation.summary["bootstrap"] == {"resamples": 300, "seed": 2, "unit": "text"}


def test_folds_in_worker_processes_give_the_same_predictions(comments_gold, data_dir):
    book = load_codebook(data_dir / "codebook-comments.yaml")
    splits = folds(comments_gold.labels, 3, 42)
    for name in ("baseline", "linear-static"):
        done: list[int] = []
        alone, _ = cross_validate(fold_predictor(name, book), comments_gold, splits)
        together, _ = cross_validate(fold_predictor(name, book), comments_gold, splits,
                                     progress=done.append, jobs=2)
        assert np.array_equal(alone, together) and done == [1, 2, 3]
        assert alone.sum() > 0  # each fold coded something: not two empty matrices
