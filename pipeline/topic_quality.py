"""How good a set of topics is, measured on the texts they were fitted to.

Two standard measures, pure functions of topic words and tokenised texts:

- **coherence (NPMI)**: for each pair of a topic's top words, the normalised pointwise mutual
  information of their appearing in the same text, averaged over pairs and then over topics
  (-1: never together, 0: independent, 1: always together). Texts are the reference corpus,
  as in OCTIS's use with BERTopic; each model's words are scored on texts tokenised the way that
  model tokenised them, so a lemma vocabulary is not penalised for not being surface words.
- **diversity**: the share of distinct words among all topics' top words (1: no topic repeats
  another's words).
"""

from __future__ import annotations

from itertools import combinations
from typing import Iterable, Sequence

import numpy as np
from scipy import sparse


def document_word_matrix(tokenised: Iterable[Iterable[str]], vocabulary: Sequence[str]
                         ) -> sparse.csc_matrix:
    """A binary texts × ``vocabulary`` matrix: whether each word occurs in each text."""
    index = {word: i for i, word in enumerate(vocabulary)}
    rows, columns = [], []
    n_texts = 0
    for row, tokens in enumerate(tokenised):
        n_texts = row + 1
        for column in {index[t] for t in tokens if t in index}:
            rows.append(row)
            columns.append(column)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csc_matrix((data, (rows, columns)), shape=(n_texts, len(vocabulary)))


def npmi_coherence(topic_words: Sequence[Sequence[str]],
                   tokenised: Iterable[Iterable[str]]) -> float:
    """Mean NPMI over topics of their top words' pairs, co-occurring in the same text.

    ``topic_words`` holds each topic's top words (outlier topic left out by the caller);
    ``tokenised`` the reference texts as token sequences. A pair never seen together scores
    -1; a topic with fewer than two words is skipped. Returns NaN when no topic can be scored.
    """
    vocabulary = sorted({w for words in topic_words for w in words})
    matrix = document_word_matrix(tokenised, vocabulary)
    n_texts = matrix.shape[0]
    if n_texts == 0:
        return float("nan")
    column = {word: i for i, word in enumerate(vocabulary)}
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    together = (matrix.T @ matrix).toarray()  # word × word: texts holding both
    scores = []
    for words in topic_words:
        pairs = [(column[a], column[b]) for a, b in combinations(dict.fromkeys(words), 2)]
        if pairs:
            scores.append(np.mean([_npmi(together[i, j], counts[i], counts[j], n_texts)
                                   for i, j in pairs]))
    return float(np.mean(scores)) if scores else float("nan")


def _npmi(joint: float, first: float, second: float, n_texts: int) -> float:
    if joint == 0 or first == 0 or second == 0:
        return -1.0
    p_joint = joint / n_texts
    if p_joint == 1.0:  # both words in every text: perfectly associated
        return 1.0
    pmi = np.log(p_joint / ((first / n_texts) * (second / n_texts)))
    return float(pmi / -np.log(p_joint))


def topic_diversity(topic_words: Sequence[Sequence[str]], top_k: int = 10) -> float:
    """Distinct words among every topic's first ``top_k`` words, over how many there are."""
    words = [w for topic in topic_words for w in list(topic)[:top_k]]
    return len(set(words)) / len(words) if words else float("nan")
