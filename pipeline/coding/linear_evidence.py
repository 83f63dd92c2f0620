"""The linear coder's evidence for a whole batch of codings: each one's strongest n-gram.

For one coding (a text, a code) the evidence among one block of n-gram features is the feature
with the largest positive pull, coefficient × feature value, that can be found in the text (the
best three are tried, in case one is not found). Taking the pulls of every coding of a batch in
one gather from the batch's feature rows, instead of a row and a weight lookup per coding, gives
the same candidates (the same numbers, sorted by the same ``argsort``) in half the time.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from scipy import sparse

Candidate = tuple[float, int, int]
"""A pull and the offsets of the text it points at."""


def pair_pulls(matrix: sparse.csr_matrix, rows: np.ndarray, coef: np.ndarray, codes: np.ndarray,
               offset: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every coding's features in one block: columns, pulls, and where each coding's run starts.

    ``rows`` are the codings' rows of ``matrix`` (one block of the features), ``codes`` their
    rows of ``coef`` (codes × all features), whose columns for this block start at ``offset``.
    Returns the block's columns and the pulls of each coding, one run after another, and the
    runs' bounds (one more than the codings).
    """
    first, last = matrix.indptr[rows], matrix.indptr[rows + 1]
    lengths = (last - first).astype(np.int64)
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    # Positions in the matrix's arrays: each run counts up from its row's first entry.
    positions = np.arange(bounds[-1]) + np.repeat(first - bounds[:-1], lengths)
    columns = matrix.indices[positions]
    pulls = matrix.data[positions] * coef[np.repeat(codes, lengths), offset + columns]
    return columns, pulls, bounds


def best_spans(texts: Sequence[str], columns: np.ndarray, pulls: np.ndarray, bounds: np.ndarray,
               names: np.ndarray,
               locate: Callable[[str, str], tuple[int, int] | None]) -> list[Candidate | None]:
    """Per coding (its text in ``texts``), the strongest positive feature found in the text."""
    found: list[Candidate | None] = []
    for p, text in enumerate(texts):
        a, b = int(bounds[p]), int(bounds[p + 1])
        best = None
        if b > a:
            run = pulls[a:b]
            for n in np.argsort(-run)[:3]:  # the best few, in case one is not found
                if run[n] <= 0:
                    break
                span = locate(text, names[columns[a + n]])
                if span:
                    best = (float(run[n]), *span)
                    break
        found.append(best)
    return found
