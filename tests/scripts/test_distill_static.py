"""The static model's recipe: principal components kept, signs fixed, partial whitening."""

from __future__ import annotations

import numpy as np

from scripts.distill_static import pca


def vectors_of_rank(rank: int, width: int = 8, rows: int = 200) -> np.ndarray:
    """Seeded rows spanning ``rank`` directions of a ``width``-wide space, plus an offset."""
    rng = np.random.default_rng(0)
    scales = np.linspace(3.0, 0.5, rank)[:, None]
    return rng.normal(size=(rows, rank)) @ (scales * rng.normal(size=(rank, width))) + 5.0


def test_dimensions_zero_keeps_every_component_with_variance_and_no_noise():
    scores = pca(vectors_of_rank(5), 0)
    assert scores.shape == (200, 5)
    assert np.allclose(scores.mean(axis=0), 0.0)
    variances = scores.var(axis=0, ddof=1)
    assert np.all(np.diff(variances) < 0) and variances[-1] > 0.1


def test_fewer_dimensions_are_the_first_columns_of_all_and_signs_are_fixed():
    vectors = vectors_of_rank(5)
    every, three = pca(vectors, 0), pca(vectors, 3)
    assert np.array_equal(three, every[:, :3])
    largest = np.abs(every).argmax(axis=0)
    assert np.all(every[largest, np.arange(5)] > 0)


def test_whitening_evens_out_the_components_variances():
    vectors = vectors_of_rank(5)
    plain = pca(vectors, 0).var(axis=0, ddof=1)
    assert np.allclose(pca(vectors, 0, whitening=1.0).var(axis=0, ddof=1), 1.0)
    assert np.allclose(pca(vectors, 0, whitening=0.5).var(axis=0, ddof=1), np.sqrt(plain))
