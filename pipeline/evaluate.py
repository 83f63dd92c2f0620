"""Evaluate: how far a coder agrees with human coders, per code and overall, with intervals.

Scores come from scikit-learn (precision, recall, F1, Cohen's kappa) and the ``krippendorff``
package (alpha over every text × code decision, human vs machine). Intervals are percentile
bootstrap intervals over texts, seeded. Cross-validation uses multilabel-stratified folds so
every coder compared on a gold set sees exactly the same splits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score, f1_score, precision_recall_fscore_support

from pipeline.gold import GoldSet

DEFAULT_MIN_SUPPORT = 10
DEFAULT_BOOTSTRAP = 500


@dataclass
class Evaluation:
    """One coder's agreement with a gold set: a per-code table and an overall summary."""

    coder: str
    per_code: pd.DataFrame
    summary: dict[str, Any]
    codes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The summary with per-code scores, as plain JSON types."""
        return {**self.summary, "coder": self.coder, "codes": self.codes,
                "per_code": self.per_code.to_dict(orient="records")}


def scorable(gold: GoldSet, min_support: int = DEFAULT_MIN_SUPPORT) -> list[str]:
    """Codes with at least ``min_support`` positive examples in ``gold``."""
    return [c for c, n in gold.support().items() if n >= min_support]


def _kappa(truth: np.ndarray, pred: np.ndarray) -> float:
    if len(set(truth)) < 2 and len(set(pred)) < 2:
        return 1.0 if (truth == pred).all() else 0.0  # kappa is undefined on one class
    return float(cohen_kappa_score(truth, pred))


def _alpha(truth: np.ndarray, pred: np.ndarray) -> float:
    data = np.vstack([truth.ravel(), pred.ravel()]).astype(float)
    if len(np.unique(data)) < 2:
        return 1.0
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def score(truth: np.ndarray, pred: np.ndarray, codes: Sequence[str], *, coder: str = "",
          labels: dict[str, str] | None = None, n_boot: int = DEFAULT_BOOTSTRAP,
          seed: int = 0) -> Evaluation:
    """Score 0/1 predictions against 0/1 truth (texts × ``codes``).

    Returns per-code precision, recall, F1, support and Cohen's kappa, and overall micro and
    macro F1 and Krippendorff's alpha, each with a bootstrap 95% interval.
    """
    truth, pred = np.asarray(truth, dtype=int), np.asarray(pred, dtype=int)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, pred, average=None, zero_division=0)
    per_code = pd.DataFrame({
        "code_id": list(codes), "label": [(labels or {}).get(c, c) for c in codes],
        "support": support.astype(int), "predicted": pred.sum(axis=0).astype(int),
        "precision": precision.round(4), "recall": recall.round(4), "f1": f1.round(4),
        "kappa": [round(_kappa(truth[:, j], pred[:, j]), 4) for j in range(len(codes))],
    })
    summary: dict[str, Any] = {
        "n_texts": int(len(truth)), "n_codes": len(codes),
        "macro_f1": round(float(f1.mean()), 4),
        "micro_f1": round(float(f1_score(truth, pred, average="micro", zero_division=0)), 4),
        "alpha": round(_alpha(truth, pred), 4),
        "mean_kappa": round(float(per_code["kappa"].mean()), 4),
    }
    if n_boot and len(truth):
        boot = bootstrap(truth, pred, n_boot=n_boot, seed=seed)
        for name in ("f1", "kappa"):
            low, high = np.percentile(boot[name], [2.5, 97.5], axis=0)
            per_code[f"{name}_low"], per_code[f"{name}_high"] = low.round(4), high.round(4)
        for name in ("macro_f1", "micro_f1", "alpha", "mean_kappa"):
            low, high = np.percentile(boot[name], [2.5, 97.5])
            summary[f"{name}_ci"] = [round(float(low), 4), round(float(high), 4)]
        summary["bootstrap"] = {"resamples": n_boot, "seed": seed, "unit": "text"}
    return Evaluation(coder, per_code, summary, list(codes))


def bootstrap(truth: np.ndarray, pred: np.ndarray, *, n_boot: int = DEFAULT_BOOTSTRAP,
              seed: int = 0) -> dict[str, np.ndarray]:
    """Scores on ``n_boot`` resamples of the texts (with replacement), seeded.

    Each resample is a vector of counts per text, so every score comes from weighted confusion
    counts in one matrix product: per-code F1 and Cohen's kappa (resamples × codes), macro and
    micro F1, mean kappa and Krippendorff's alpha (nominal, two coders, no missing values:
    ``1 - (n - 1) * disagreements / (n0 * n1)`` over the ``n`` pairable values). The same
    formulas as scikit-learn and ``krippendorff`` on the resampled rows, only faster.
    """
    truth, pred = np.asarray(truth, dtype=int), np.asarray(pred, dtype=int)
    n_texts, n_codes = truth.shape
    rng = np.random.default_rng(seed)
    weights = np.stack([np.bincount(rng.integers(0, n_texts, n_texts), minlength=n_texts)
                        for _ in range(n_boot)]).astype(float)
    tp, fp = weights @ (truth & pred), weights @ ((1 - truth) & pred)
    fn = weights @ (truth & (1 - pred))
    tn = n_texts - tp - fp - fn
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        observed = (tp + tn) / n_texts
        expected = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / n_texts ** 2
        kappa = np.where(expected < 1, (observed - expected) / (1 - expected),
                         (observed == 1).astype(float))  # one class on both sides
        micro = 2 * tp.sum(1) / (2 * tp.sum(1) + fp.sum(1) + fn.sum(1))
        values = 2 * n_texts * n_codes
        ones = (weights @ truth).sum(1) + (weights @ pred).sum(1)
        zeros = values - ones
        alpha = np.where(ones * zeros > 0,
                         1 - (values - 1) * (fp + fn).sum(1) / (ones * zeros), 1.0)
    return {"f1": f1, "kappa": kappa, "macro_f1": f1.mean(1), "micro_f1": np.nan_to_num(micro),
            "mean_kappa": kappa.mean(1), "alpha": alpha}


def folds(labels: np.ndarray, n_folds: int = 5, seed: int = 42) -> list[tuple[np.ndarray,
                                                                              np.ndarray]]:
    """(train, test) index pairs, the same for every coder compared on ``labels``.

    Multilabel-stratified (iterative stratification, ``iterative-stratification``) so that
    rare codes reach every fold; shuffled ``KFold`` with the same seed if it is not installed.
    """
    try:
        from iterstrat.ml_stratifiers import MultilabelStratifiedKFold
    except ImportError:  # pragma: no cover - a declared dependency; kept for slim installs
        from sklearn.model_selection import KFold

        splitter = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(len(labels))))
    splitter = MultilabelStratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return [(train, test) for train, test in splitter.split(np.zeros(len(labels)), labels)]


Predictor = Callable[[GoldSet, GoldSet], tuple[np.ndarray, np.ndarray | None]]
"""Given (train, test) gold sets, returns 0/1 predictions for test (and probabilities, if any)."""


def cross_validate(predict: Predictor, gold: GoldSet, splits: list[tuple[np.ndarray, np.ndarray]],
                   progress: Callable[[int], None] | None = None
                   ) -> tuple[np.ndarray, np.ndarray | None]:
    """Out-of-fold predictions (and probabilities) over ``splits`` of ``gold``."""
    pred = np.zeros_like(gold.labels)
    proba: np.ndarray | None = None
    for index, (train, test) in enumerate(splits):
        fold_pred, fold_proba = predict(gold.subset(train), gold.subset(test))
        pred[test] = fold_pred
        if fold_proba is not None:
            proba = np.zeros(gold.labels.shape) if proba is None else proba
            proba[test] = fold_proba
        if progress:
            progress(index + 1)
    return pred, proba


def comparison(evaluations: Sequence[Evaluation]) -> pd.DataFrame:
    """Several coders side by side: one row per code, an F1 and kappa column per coder."""
    table = None
    for evaluation in evaluations:
        part = evaluation.per_code.set_index("code_id")[["support", "f1", "kappa"]].rename(
            columns={"f1": f"f1[{evaluation.coder}]", "kappa": f"kappa[{evaluation.coder}]"})
        table = part if table is None else table.join(part.drop(columns="support"))
    return table.reset_index() if table is not None else pd.DataFrame()


def with_ancestors(labels: np.ndarray, code_ids: Sequence[str], codebook) -> tuple[np.ndarray,
                                                                                  list[str]]:
    """Decisions over every codebook code, a child's decision also counting for its parents.

    Human coders apply the most specific code; the coded datasets count a child for its
    parents too, and so does scoring, so "no dry housing" coded ``housing_gap`` by one side and
    ``housing`` + ``housing_gap`` by the other agrees on both.
    """
    all_codes = codebook.code_ids()
    out = np.zeros((labels.shape[0], len(all_codes)), dtype=int)
    index = {c: j for j, c in enumerate(all_codes)}
    for j, code_id in enumerate(code_ids):
        for target in (code_id, *codebook.ancestors(code_id)):
            out[:, index[target]] |= labels[:, j]
    return out, all_codes
