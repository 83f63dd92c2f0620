"""Evaluate: how far a coder agrees with human coders, per code and overall, with intervals.

Scores come from scikit-learn (precision, recall, F1) and :mod:`pipeline.quality.agreement`
(Cohen's kappa per code, Krippendorff's alpha over every text × code decision, human vs
machine; NaN where undefined, see that module). Intervals are percentile bootstrap intervals
over texts, seeded; resamples on which a score is undefined are left out of its interval.
Cross-validation uses multilabel-stratified folds, or folds by group (a session, a respondent:
:mod:`pipeline.quality.groups`), so every coder compared on a gold set sees exactly the same
splits.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from pipeline.quality.agreement import (
    alpha_from_counts,
    cohen_kappa,
    kappa_from_counts,
    krippendorff_alpha,
)
from pipeline.quality.gold import GoldSet
from pipeline.quality.groups import grouped_folds

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
        """The summary with per-code scores, as plain JSON types (an undefined score: None)."""
        rows = self.per_code.astype(object).where(self.per_code.notna(), None)
        return {**self.summary, "coder": self.coder, "codes": self.codes,
                "per_code": rows.to_dict(orient="records")}


def scorable(gold: GoldSet, min_support: int = DEFAULT_MIN_SUPPORT) -> list[str]:
    """Codes with at least ``min_support`` positive examples in ``gold``."""
    return [c for c, n in gold.support().items() if n >= min_support]


def score(truth: np.ndarray, pred: np.ndarray, codes: Sequence[str], *, coder: str = "",
          labels: dict[str, str] | None = None, n_boot: int = DEFAULT_BOOTSTRAP,
          seed: int = 0) -> Evaluation:
    """Score 0/1 predictions against 0/1 truth (texts × ``codes``).

    Returns per-code precision, recall, F1, support and Cohen's kappa, and overall micro and
    macro F1 and Krippendorff's alpha, each with a bootstrap 95% interval.
    """
    truth, pred = np.asarray(truth, dtype=int), np.asarray(pred, dtype=int)
    # From each code's counts, not scikit-learn's multilabel scores: one column alone reads to
    # it as a binary target, scored per class (two rows, and micro-F1 as accuracy).
    tp, fp = (truth & pred).sum(axis=0), ((1 - truth) & pred).sum(axis=0)
    fn, support = (truth & (1 - pred)).sum(axis=0), truth.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):  # undefined: 0, as zero_division=0
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
    micro = 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1)
    per_code = pd.DataFrame({
        "code_id": list(codes), "label": [(labels or {}).get(c, c) for c in codes],
        "support": support.astype(int), "predicted": pred.sum(axis=0).astype(int),
        "precision": precision.round(4), "recall": recall.round(4), "f1": f1.round(4),
        "kappa": [round(cohen_kappa(truth[:, j], pred[:, j]), 4) for j in range(len(codes))],
    })
    summary: dict[str, Any] = {
        "n_texts": int(len(truth)), "n_codes": len(codes),
        "macro_f1": round(float(f1.mean()), 4),
        "micro_f1": round(float(micro), 4),
        "alpha": round(krippendorff_alpha(np.vstack([truth.ravel(), pred.ravel()])), 4),
        "mean_kappa": round(float(per_code["kappa"].mean()), 4),  # skips NaN
    }
    if n_boot and len(truth):
        boot = bootstrap(truth, pred, n_boot=n_boot, seed=seed)
        with warnings.catch_warnings():  # a score undefined on every resample: NaN interval
            warnings.simplefilter("ignore", RuntimeWarning)
            for name in ("f1", "kappa"):
                low, high = np.nanpercentile(boot[name], [2.5, 97.5], axis=0)
                per_code[f"{name}_low"], per_code[f"{name}_high"] = low.round(4), high.round(4)
            for name in ("macro_f1", "micro_f1", "alpha", "mean_kappa"):
                low, high = np.nanpercentile(boot[name], [2.5, 97.5])
                summary[f"{name}_ci"] = [round(float(low), 4), round(float(high), 4)]
        summary["bootstrap"] = {"resamples": n_boot, "seed": seed, "unit": "text"}
    return Evaluation(coder, per_code, summary, list(codes))


def bootstrap(truth: np.ndarray, pred: np.ndarray, *, n_boot: int = DEFAULT_BOOTSTRAP,
              seed: int = 0) -> dict[str, np.ndarray]:
    """Scores on ``n_boot`` resamples of the texts (with replacement), seeded.

    Each resample is a vector of counts per text, so every score comes from weighted confusion
    counts in one matrix product: per-code F1 and Cohen's kappa (resamples × codes), macro and
    micro F1, mean kappa (over the codes where it is defined) and Krippendorff's alpha, by the
    count formulas of :mod:`pipeline.quality.agreement`: the same as scikit-learn and
    ``krippendorff`` on the resampled rows, only faster. Undefined scores are NaN.
    """
    truth, pred = np.asarray(truth, dtype=int), np.asarray(pred, dtype=int)
    n_texts, n_codes = truth.shape
    rng = np.random.default_rng(seed)
    weights = np.stack([np.bincount(rng.integers(0, n_texts, n_texts), minlength=n_texts)
                        for _ in range(n_boot)]).astype(float)
    tp, fp = weights @ (truth & pred), weights @ ((1 - truth) & pred)
    fn = weights @ (truth & (1 - pred))
    tn = n_texts - tp - fp - fn
    kappa = kappa_from_counts(tp, fp, fn, tn)
    alpha = alpha_from_counts((fp + fn).sum(1), (weights @ truth).sum(1) + (weights @ pred).sum(1),
                              2 * n_texts * n_codes)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        micro = 2 * tp.sum(1) / (2 * tp.sum(1) + fp.sum(1) + fn.sum(1))
    with warnings.catch_warnings():  # a resample where no code's kappa is defined: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean_kappa = np.nanmean(kappa, axis=1)
    return {"f1": f1, "kappa": kappa, "macro_f1": f1.mean(1), "micro_f1": np.nan_to_num(micro),
            "mean_kappa": mean_kappa, "alpha": alpha}


def folds(labels: np.ndarray, n_folds: int = 5, seed: int = 42,
          groups: Sequence[str] | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs, the same for every coder compared on ``labels``.

    With ``groups`` (one value per text) every group lies in one fold, fold sizes balanced
    (:func:`pipeline.quality.groups.grouped_folds`). Otherwise multilabel-stratified
    (iterative stratification, ``iterative-stratification``) so that rare codes reach every
    fold; shuffled ``KFold`` with the same seed if it is not installed.
    """
    if groups is not None:
        return grouped_folds(list(groups), n_folds, seed)
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
                   progress: Callable[[int], None] | None = None, jobs: int = 1
                   ) -> tuple[np.ndarray, np.ndarray | None]:
    """Out-of-fold predictions (and probabilities) over ``splits`` of ``gold``.

    With ``jobs`` > 1 the folds run in that many worker processes (joblib's loky), each fold
    alone, so the predictions are those of ``jobs=1``; ``predict`` must then be picklable
    (cloudpickle: a closure will do). ``progress`` is told each fold done, in fold order.
    """
    pred = np.zeros_like(gold.labels)
    proba: np.ndarray | None = None
    work = ((test, gold.subset(train), gold.subset(test)) for train, test in splits)
    if jobs > 1:
        from joblib import Parallel, delayed  # scikit-learn's; loads only when asked for

        # loky caps each worker's BLAS and OpenMP threads at cores // jobs: no oversubscription
        runner = Parallel(n_jobs=jobs, backend="loky", return_as="generator")
        done = zip((test for _, test in splits), runner(
            delayed(predict)(train, held_out) for _, train, held_out in work), strict=True)
    else:
        done = ((test, predict(train, held_out)) for test, train, held_out in work)
    for index, (test, (fold_pred, fold_proba)) in enumerate(done):
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
