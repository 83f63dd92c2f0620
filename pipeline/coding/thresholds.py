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
