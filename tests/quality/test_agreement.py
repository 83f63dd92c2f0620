"""One agreement implementation, one convention: an undefined score is NaN, never below a gate."""

from __future__ import annotations

import json
import math

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from pipeline import schema as s
from pipeline.coding.rules import RuleCoder
from pipeline.quality.agreement import (
    alpha_from_counts,
    below,
    cohen_kappa,
    kappa_from_counts,
    krippendorff_alpha,
    percent_agreement,
)
from pipeline.quality.evaluate import score
from pipeline.quality.gate import AgreementGate, kappa_from_evaluation


def test_kappa_is_scikit_learns_where_defined():
    a, b = np.array([1, 1, 0, 0, 1, 0]), np.array([1, 0, 0, 0, 1, 1])
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert cohen_kappa(a, b) == pytest.approx(1 / 3)  # observed 4/6, chance 1/2
    # one class on each side, but different ones: defined (chance agreement 0), and 0
    assert cohen_kappa(np.zeros(4), np.ones(4)) == 0.0


@pytest.mark.parametrize("a, b", [([0, 0, 0], [0, 0, 0]), ([1, 1], [1, 1]), ([], [])])
def test_kappa_is_nan_when_both_sides_give_one_same_value(a, b):
    assert math.isnan(cohen_kappa(np.array(a), np.array(b)))


def test_alpha_and_percent_agreement_with_missing_values():
    matrix = np.array([[1, 0, 1, np.nan, 0], [1, 0, 0, 1, 0], [np.nan, 0, 1, 1, np.nan]])
    assert krippendorff_alpha(matrix) == pytest.approx(
        krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))
    assert percent_agreement(matrix) == pytest.approx(4 / 5)  # only item 3 is disputed
    assert math.isnan(krippendorff_alpha(np.array([[1, 1], [1, np.nan]])))
    assert math.isnan(percent_agreement(np.array([[1, np.nan], [np.nan, 0]])))


def test_count_formulas_equal_the_libraries_and_share_the_convention():
    truth, pred = np.array([1, 1, 0, 0, 1, 0, 0]), np.array([1, 0, 0, 1, 1, 0, 0])
    tp, fp = (truth & pred).sum(), ((1 - truth) & pred).sum()
    fn, tn = (truth & (1 - pred)).sum(), ((1 - truth) & (1 - pred)).sum()
    assert kappa_from_counts(tp, fp, fn, tn) == pytest.approx(cohen_kappa(truth, pred))
    alpha = alpha_from_counts(fp + fn, truth.sum() + pred.sum(), 2 * len(truth))
    assert alpha == pytest.approx(krippendorff_alpha(np.vstack([truth, pred])))
    assert math.isnan(kappa_from_counts(0, 0, 0, 7)) and math.isnan(alpha_from_counts(0, 0, 14))


def test_undefined_is_never_below_a_threshold():
    assert below(0.59, 0.6) and not below(0.6, 0.6)
    assert not below(float("nan"), 0.6) and not below(None, 0.6)


def test_evaluation_reports_an_undefined_kappa_as_nan_and_null_and_skips_it():
    truth = np.array([[1, 1], [1, 0], [1, 1], [1, 0]])  # code a is on every text
    pred = np.array([[1, 1], [1, 0], [1, 0], [1, 0]])
    evaluation = score(truth, pred, ["a", "b"], n_boot=50)
    kappa = evaluation.per_code.set_index("code_id")["kappa"]
    assert math.isnan(kappa["a"]) and kappa["b"] == pytest.approx(0.5)
    assert evaluation.summary["mean_kappa"] == pytest.approx(0.5)  # the defined one only
    assert math.isnan(evaluation.per_code.set_index("code_id").loc["a", "kappa_low"])
    rows = json.loads(json.dumps(evaluation.to_json()))["per_code"]
    assert [row["kappa"] for row in rows] == [None, 0.5]


def test_gate_leaves_a_code_with_undefined_kappa_as_it_is(tmp_path, mini_codebook):
    evaluation = {"per_code": [{"code_id": "housing", "kappa": None},
                               {"code_id": "mental_health", "kappa": 0.2}]}
    path = tmp_path / "evaluation.json"
    path.write_text(json.dumps(evaluation))
    kappa = kappa_from_evaluation(path)
    assert math.isnan(kappa["housing"]) and kappa["mental_health"] == 0.2
    gate = AgreementGate(RuleCoder(mini_codebook), kappa, min_kappa=0.6)
    assert gate.gated == ["mental_health"]
    segments = pd.DataFrame({s.SEGMENT_ID: ["x"], s.START: [0], s.CONTEXT: [None],
                             s.TEXT: ["No dry housing and mental health thresholds raised."]})
    codings = gate.code(segments).set_index(s.CODE_ID)[s.NEEDS_REVIEW]
    assert not codings["housing"] and codings["mental_health"]
