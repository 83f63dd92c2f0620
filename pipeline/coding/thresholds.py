"""Per-code decision thresholds, chosen on validation data rather than 0.5 everywhere."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


def best_thresholds(truth: np.ndarray, proba: np.ndarray, *, default: float = 0.5,
                    shrink: float = 0.5, min_positives: int = 3) -> np.ndarray:
    """The threshold per code that maximises F1 on held-out ``proba``, shrunk toward ``default``.

    Held-out probabilities come from models trained on part of the data, so the best cut on
    them is noisy; moving it part of the way back to ``default`` (``shrink`` = 0 keeps the
    validated cut, 1 ignores it) measured better in cross-validation. Codes with fewer than
    ``min_positives`` held-out positives keep ``default``.
    """
    chosen = np.full(truth.shape[1], default, dtype=float)
    for j in range(truth.shape[1]):
        if truth[:, j].sum() < min_positives:
            continue
        scores = [f1_score(truth[:, j], proba[:, j] >= g, zero_division=0) for g in GRID]
        best = float(GRID[int(np.argmax(scores))])
        chosen[j] = round(shrink * default + (1 - shrink) * best, 4)
    return chosen


RELATIVE_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)
RELATIVE_MARGIN = 0.0  # held-out macro-F1 a cut must add before it is used


def decide(proba: np.ndarray, thresholds: np.ndarray, relative_cut: float = 0.0) -> np.ndarray:
    """Which codes each text gets: those over their threshold, less any ``relative_cut`` drops.

    With ``relative_cut`` r > 0 a text keeps only the codes over their threshold whose
    probability is at least r × that of its most probable such code: where codes compete for
    the same words (one theme per passage, as highlights usually are), the runner-up goes. A
    text with no code over its threshold still gets none.
    """
    decided = proba >= thresholds
    if relative_cut > 0 and decided.size:
        top = np.where(decided, proba, 0.0).max(axis=1, keepdims=True)
        decided &= proba >= relative_cut * top
    return decided


def macro_f1(truth: np.ndarray, decided: np.ndarray) -> float:
    """Mean per-code F1 of 0/1 ``decided`` against ``truth`` (a code never true nor chosen: 0)."""
    hits = (truth.astype(bool) & decided).sum(axis=0)
    both = truth.sum(axis=0) + decided.sum(axis=0)
    return float(np.mean(np.where(both > 0, 2 * hits / np.maximum(both, 1), 0.0)))


def best_relative_cut(truth: np.ndarray, proba: np.ndarray, thresholds: np.ndarray, *,
                      grid: tuple[float, ...] = RELATIVE_GRID,
                      margin: float = RELATIVE_MARGIN) -> float:
    """The relative cut (:func:`decide`) that most raises held-out macro-F1; 0.0 for none.

    Chosen on held-out ``proba`` like the thresholds; a cut must beat none by ``margin``, so
    data whose texts carry several codes at once (where dropping runners-up costs recall)
    keeps every code over its threshold.
    """
    if truth.shape[1] < 2:
        return 0.0
    plain = macro_f1(truth, decide(proba, thresholds))
    scores = {r: macro_f1(truth, decide(proba, thresholds, r)) for r in grid}
    best = max(grid, key=lambda r: (scores[r], -r))
    return float(best) if scores[best] > plain + margin else 0.0
