"""Topics on a large wave: fit the topic model on a seeded sample of texts, assign the rest.

UMAP and HDBSCAN grow faster than linearly with the number of texts, and on a wave of 100,000
distinct segments they (not the embedding, with the static model) are most of the time. Fitted
on a seeded sample, the clusters are the same themes at a fraction of the cost; every other text
is then assigned as BERTopic assigns a new document (``transform``: UMAP's projection of its
embedding, then HDBSCAN's ``approximate_predict``, so a text far from every cluster stays an
outlier, as it would in a full fit). The topics' words are worked out afterwards over all the
texts with their topics (:mod:`pipeline.topic_words`), so they describe the whole wave, not only
the sample.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

SAMPLE_ABOVE = 20_000  # distinct topic texts above which the model is fitted on a sample
SAMPLE_SIZE = 15_000  # texts in that sample


def sample_rows(n_texts: int, size: int, seed: int) -> np.ndarray:
    """Row numbers of a seeded sample of ``size`` of ``n_texts`` texts, in ascending order.

    The same ``n_texts``, ``size`` and ``seed`` give the same rows; all rows when ``size`` is not
    smaller than ``n_texts``.
    """
    if size >= n_texts:
        return np.arange(n_texts)
    rows = np.random.default_rng(seed).choice(n_texts, size=size, replace=False)
    return np.sort(rows)


def fit_on_sample(model: Any, documents: Sequence[str], embeddings: np.ndarray, *, size: int,
                  seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fit ``model`` (an unfitted BERTopic) on a sample of ``documents``; assign every one.

    ``documents`` are the texts as the vectorizer sees them, ``embeddings`` their vectors (one row
    each). The sample's texts take the topics of the fit, the others BERTopic's ``transform``.
    The model's own topic words stay the sample's: the caller words the topics from every
    document (:mod:`pipeline.topic_words`). Returns each document's topic and its strength
    (HDBSCAN's probability).
    """
    documents = list(documents)
    rows = sample_rows(len(documents), size, seed)
    rest = np.setdiff1d(np.arange(len(documents)), rows, assume_unique=True)
    assigned = np.empty(len(documents), dtype=int)
    strength = np.empty(len(documents), dtype=float)
    fitted, fitted_strength = model.fit_transform([documents[i] for i in rows],
                                                  embeddings=embeddings[rows])
    assigned[rows], strength[rows] = fitted, fitted_strength
    if len(rest):
        found, found_strength = model.transform([documents[i] for i in rest],
                                                embeddings=embeddings[rest])
        assigned[rest], strength[rest] = found, found_strength
    return assigned, strength
