"""Topics on a large wave: fit the topic model on a seeded sample of texts, assign the rest.

UMAP and HDBSCAN grow faster than linearly with the number of texts, and on a wave of 100,000
distinct segments they (not the embedding, with the static model) are most of the time. Fitted
on a seeded sample, the clusters are the same themes at a fraction of the cost; every other text
is then assigned as BERTopic assigns a new document (``transform``: UMAP's projection of its
embedding, then HDBSCAN's ``approximate_predict``, so a text far from every cluster stays an
outlier, as it would in a full fit). Topic words are then recomputed by c-TF-IDF over all the
texts with their topics, so the words describe the whole wave, not only the sample.
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
                  seed: int, top_n_words: int) -> tuple[np.ndarray, np.ndarray]:
    """Fit ``model`` (an unfitted BERTopic) on a sample of ``documents``; assign every one.

    ``documents`` are the texts as the vectorizer sees them, ``embeddings`` their vectors (one row
    each). The sample's texts take the topics of the fit, the others BERTopic's ``transform``;
    the topic words are then recomputed over all ``documents`` with the model's own vectorizer and
    c-TF-IDF. Returns each document's topic and its strength (HDBSCAN's probability).
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
        # The same vectorizer and c-TF-IDF settings, refitted on every text with its topic.
        model.update_topics(documents, topics=assigned.tolist(), top_n_words=top_n_words,
                            vectorizer_model=model.vectorizer_model,
                            ctfidf_model=model.ctfidf_model)
    return assigned, strength
