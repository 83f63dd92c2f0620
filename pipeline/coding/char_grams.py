"""A fitted ``char_wb`` TF-IDF vectoriser's transform, a word at a time with a cache.

scikit-learn builds every character n-gram of every text in Python, and that was most of the
linear coder's scoring time. ``char_wb`` n-grams never cross a word boundary (each word is padded
with one space either side), so a text's counts are the sum of its words' counts: each distinct
word's n-grams are looked up once and kept, and a wave repeats its words. The result is the
vectoriser's own: the same lower-casing and whitespace, sublinear tf, idf and L2 norm.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0))
MAX_CACHED_WORDS = 200_000  # bounds the cache's memory on a very large wave


def _word_counts(word: str, vocabulary: dict[str, int], low: int,
                 high: int) -> tuple[np.ndarray, np.ndarray]:
    """Vocabulary columns and counts of one word's padded n-grams (as ``_char_wb_ngrams``).

    Every n-gram of each length shorter than the padded word, then the padded word itself if
    it is no longer than the longest n (scikit-learn counts a short word once and stops).
    """
    padded = f" {word} "
    size = len(padded)
    grams = [padded[i:i + n] for n in range(low, min(high, size - 1) + 1)
             for i in range(size - n + 1)]
    if size <= high:
        grams.append(padded)
    found = Counter(column for column in map(vocabulary.get, grams) if column is not None)
    if not found:
        return _EMPTY
    return (np.fromiter(found.keys(), dtype=np.int64, count=len(found)),
            np.fromiter(found.values(), dtype=float, count=len(found)))


def char_wb_transform(vectorizer: TfidfVectorizer, texts: Sequence[str],
                      cache: dict[str, tuple[np.ndarray, np.ndarray]]) -> sparse.csr_matrix:
    """``vectorizer.transform(texts)`` for a fitted ``char_wb`` vectoriser; ``cache`` per word.

    Only the settings the linear coder uses are supported (lower-casing, no accent stripping,
    sublinear tf, idf, L2 norm); anything else is refused rather than answered differently.
    """
    if (vectorizer.analyzer != "char_wb" or not vectorizer.lowercase or vectorizer.strip_accents
            or vectorizer.preprocessor or not vectorizer.sublinear_tf or vectorizer.norm != "l2"
            or not vectorizer.use_idf):
        raise ValueError("char_wb_transform supports the linear coder's vectoriser only")
    vocabulary, (low, high) = vectorizer.vocabulary_, vectorizer.ngram_range
    if not len(texts):
        return sparse.csr_matrix((0, len(vocabulary)))
    indptr, indices, counts = [0], [], []
    for text in texts:
        for word in text.lower().split():  # split() also takes runs of whitespace
            hit = cache.get(word)
            if hit is None:
                hit = _word_counts(word, vocabulary, low, high)
                if len(cache) < MAX_CACHED_WORDS:
                    cache[word] = hit
            indices.append(hit[0])
            counts.append(hit[1])
        indptr.append(len(indices))
    words = np.concatenate([[0], np.cumsum([len(i) for i in indices])]).astype(np.int64)
    matrix = sparse.csr_matrix(
        (np.concatenate(counts) if counts else np.zeros(0),
         np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
         words[indptr]), shape=(len(texts), len(vocabulary)))
    matrix.sum_duplicates()  # one word's n-grams repeat in another: counts add up
    np.log(matrix.data, out=matrix.data)
    matrix.data += 1
    matrix.data *= vectorizer.idf_[matrix.indices]
    return normalize(matrix, copy=False)
