"""Topic words and repeated topics, from which of a topic's segments use which words.

c-TF-IDF ranks a word by how much of a topic's text it makes up against the whole wave's, so
on a large wave a typo or a place named in three of a topic's two hundred segments can top the
list. Here a topic's words are those that at least ``min_share`` of its segments use, and use
at least ``min_lift`` times as often as the wave's segments do, ranked by that share times the
log of the ratio. And a clustering of a large wave splits one theme into several topics with
the same words: topics whose segments use the same words in the same proportions (cosine
distance of their word shares below ``max_distance``, average linkage) are merged into one.

Pure functions over a binary segments × words matrix (:func:`segment_words`), one row per text
in the order of the topic assignments; no topic model is needed, so any clustering can use them.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

import numpy as np
from scipy import sparse

OUTLIER_TOPIC = -1
MIN_WORD_SHARE = 0.1  # a topic word is used by at least one in ten of the topic's segments
MIN_WORD_LIFT = 2.0  # ... and at least twice as often as in the wave ("okay" is everywhere)
MERGE_DISTANCE = 0.6  # topics whose word shares are closer than this are one topic


def segment_words(documents: Iterable[str], analyze: Callable[[str], list[str]]
                  ) -> tuple[sparse.csr_matrix, np.ndarray]:
    """A binary texts × words matrix (which words each text uses) and its vocabulary, sorted."""
    from sklearn.feature_extraction.text import CountVectorizer

    documents = list(documents)
    counter = CountVectorizer(analyzer=analyze, binary=True, dtype=np.float64)
    try:
        matrix = counter.fit_transform(documents).tocsr()
    except ValueError:  # not one word in any text: scikit-learn refuses an empty vocabulary
        return sparse.csr_matrix((len(documents), 0)), np.array([], dtype=object)
    return matrix, counter.get_feature_names_out()


def _membership(assigned: np.ndarray, outliers: bool = False
                ) -> tuple[np.ndarray, sparse.csr_matrix]:
    """The topics (the outliers as one only if asked) and a topics × texts 0/1 matrix."""
    members = np.ones(len(assigned), dtype=bool) if outliers else assigned != OUTLIER_TOPIC
    topics = np.unique(assigned[members])
    rows = np.searchsorted(topics, assigned)
    matrix = sparse.csr_matrix((np.ones(int(members.sum())),
                                (rows[members], np.flatnonzero(members))),
                               shape=(len(topics), len(assigned)))
    return topics, matrix


def word_shares(assigned: Sequence[int], matrix: sparse.csr_matrix, *, outliers: bool = False
                ) -> tuple[np.ndarray, sparse.csr_matrix]:
    """The topics and, for each, the share of its texts that use each word (topics × words).

    The outliers (``-1``) are a topic of their own only when ``outliers`` is true.
    """
    assigned = np.asarray(assigned, dtype=int)
    topics, members = _membership(assigned, outliers)
    counts = (members @ matrix).tocsr()
    sizes = np.asarray(members.sum(axis=1)).ravel()
    return topics, sparse.diags(1.0 / np.maximum(sizes, 1)) @ counts


def merge_similar_topics(assigned: Sequence[int], matrix: sparse.csr_matrix, *,
                         max_distance: float = MERGE_DISTANCE) -> np.ndarray:
    """Each text's topic once topics whose word shares are alike are merged, renumbered.

    Takes the topic of each text (``-1`` an outlier) and :func:`segment_words`' matrix (a
    ``max_distance`` of 0 merges nothing: the topics are only renumbered); gives
    the new topic of each text: topics are numbered by size, largest first (ties by their
    smallest old number), as BERTopic numbers them; outliers stay ``-1``.
    """
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.preprocessing import normalize

    assigned = np.asarray(assigned, dtype=int)
    topics, shares = word_shares(assigned, matrix)
    if len(topics) < 2 or not shares.shape[1] or max_distance <= 0:  # nothing to merge
        return _renumbered(assigned, {int(t): int(t) for t in topics})
    unit = normalize(shares)
    distance = np.clip(1.0 - (unit @ unit.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    groups = AgglomerativeClustering(n_clusters=None, distance_threshold=max_distance,
                                     metric="precomputed", linkage="average").fit_predict(distance)
    pairs = [(int(t), int(g)) for t, g in zip(topics, groups, strict=True)]
    first: dict[int, int] = {}
    for topic, group in pairs:  # topics ascend: a group keeps its first number
        first.setdefault(group, topic)
    return _renumbered(assigned, {topic: first[group] for topic, group in pairs})


def _renumbered(assigned: np.ndarray, merged_into: dict[int, int]) -> np.ndarray:
    merged = np.array([merged_into.get(int(t), OUTLIER_TOPIC) for t in assigned], dtype=int)
    kept, sizes = np.unique(merged[merged != OUTLIER_TOPIC], return_counts=True)
    order = sorted(range(len(kept)), key=lambda i: (-sizes[i], kept[i]))
    new_number = {int(kept[i]): rank for rank, i in enumerate(order)}
    return np.array([new_number.get(int(t), OUTLIER_TOPIC) for t in merged], dtype=int)


def distinctive_words(assigned: Sequence[int], matrix: sparse.csr_matrix,
                      vocabulary: Sequence[str], *, min_share: float = MIN_WORD_SHARE,
                      min_lift: float = MIN_WORD_LIFT, top_n: int = 10
                      ) -> dict[int, list[tuple[str, float]]]:
    """Each topic's words with their scores, best first, at most ``top_n``.

    A word is a topic's when at least ``min_share`` of the topic's texts use it and they use it
    at least ``min_lift`` times as often as the wave's texts do (outliers included; never less
    than more often); it is scored by that share times the log of the ratio. A topic may have
    fewer than ``top_n`` words, or none. The outliers (``-1``) get words too, as if they were a
    topic.
    """
    assigned = np.asarray(assigned, dtype=int)
    topics, shares = word_shares(assigned, matrix, outliers=True)
    everywhere = np.asarray(matrix.sum(axis=0)).ravel() / max(len(assigned), 1)
    words: dict[int, list[tuple[str, float]]] = {}
    for row, topic in enumerate(topics):
        line = shares.getrow(row)
        share, columns = line.data, line.indices
        lift = share / everywhere[columns]
        chosen = (share >= min_share) & (lift > 1.0) & (lift >= min_lift)
        scores = share[chosen] * np.log(lift[chosen])
        names = np.asarray(vocabulary, dtype=object)[columns[chosen]]
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], names[i]))[:top_n]
        words[int(topic)] = [(str(names[i]), round(float(scores[i]), 6)) for i in order]
    return words
