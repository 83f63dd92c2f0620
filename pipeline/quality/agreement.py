"""Agreement between raters: Cohen's kappa, Krippendorff's alpha, percent agreement.

The one place these are computed: evaluation against gold (:mod:`pipeline.quality.evaluate`,
including its bootstrap), the agreement gate (:mod:`pipeline.quality.gate`) and the review
tables (:mod:`pipeline.review.agreement`) all call this module.

Convention: **a score that is undefined is NaN, never a made-up 1.0 or 0.0.** Cohen's kappa is
undefined when both raters give the same single value to every item (chance agreement is then
1, and kappa is 0 / 0); Krippendorff's alpha when there is only one value in the data or no
pairable values. Percent agreement is always defined where there are items, so tables give it
beside the chance-corrected score. NaN is written as a blank cell in CSV and ``null`` in JSON,
averages over codes skip it, and :func:`below` never counts it as below a threshold: an
undefined score is no measurement, and a code never measured is left as it is (not gated, not
sent for codebook revision).
"""

from __future__ import annotations

import math

import krippendorff
import numpy as np

__all__ = ["alpha_from_counts", "below", "cohen_kappa", "kappa_from_counts",
           "krippendorff_alpha", "percent_agreement"]


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two raters' nominal labels over the same items (scikit-learn).

    NaN when undefined: no items, or both raters gave every item the same single value.
    """
    a, b = np.asarray(a), np.asarray(b)
    if len(a) == 0 or len(set(a.tolist()) | set(b.tolist())) < 2:
        return float("nan")
    # imported here: scikit-learn costs seconds at start-up, and most runs only read the gate
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b))


def krippendorff_alpha(matrix: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) of a raters × items matrix, NaN marking a missing value.

    NaN when undefined: no items, or fewer than two distinct values in the data.
    """
    matrix = np.asarray(matrix, dtype=float)
    values = matrix[~np.isnan(matrix)]
    if matrix.ndim != 2 or matrix.shape[1] == 0 or len(np.unique(values)) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def percent_agreement(matrix: np.ndarray) -> float:
    """Share of items on which every rater who rated it gave the same value.

    ``matrix`` is raters × items (NaN: not rated); items rated by fewer than two raters are
    not counted. NaN when no item was rated by two raters.
    """
    matrix = np.asarray(matrix, dtype=float)
    rated = ~np.isnan(matrix)
    pairable = rated.sum(axis=0) >= 2
    if not pairable.any():
        return float("nan")
    low = np.where(rated, matrix, np.inf).min(axis=0)
    high = np.where(rated, matrix, -np.inf).max(axis=0)
    return float((low == high)[pairable].mean())


def kappa_from_counts(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray,
                      tn: np.ndarray) -> np.ndarray:
    """Cohen's kappa of two 0/1 raters from (possibly weighted) confusion counts, elementwise.

    The same formula as scikit-learn's on the rows behind the counts; NaN where chance
    agreement is 1 (both raters gave one and the same value throughout).
    """
    tp, fp, fn, tn = (np.asarray(x, dtype=float) for x in (tp, fp, fn, tn))
    n = tp + fp + fn + tn
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = (tp + tn) / n
        expected = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / n ** 2
        return np.where(expected < 1, (observed - expected) / (1 - expected), np.nan)


def alpha_from_counts(disagreements: np.ndarray, ones: np.ndarray,
                      values: int) -> np.ndarray:
    """Krippendorff's alpha (nominal, two raters, 0/1, nothing missing) from counts.

    ``1 - (values - 1) * disagreements / (ones * zeros)`` over ``values`` pairable values, of
    which ``ones`` are 1 and ``disagreements`` items got different values; the same as the
    ``krippendorff`` package on the rows behind the counts. NaN where only one value occurs.
    """
    disagreements, ones = np.asarray(disagreements, float), np.asarray(ones, float)
    zeros = values - ones
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ones * zeros > 0, 1 - (values - 1) * disagreements / (ones * zeros),
                        np.nan)


def below(score: float | None, threshold: float) -> bool:
    """Whether a measured score is below ``threshold``; an undefined score (NaN/None) is not."""
    return score is not None and not math.isnan(score) and score < threshold
