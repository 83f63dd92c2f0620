"""A fitted ``char_wb`` TF-IDF vectoriser's transform, a word at a time with a cache.

scikit-learn builds every character n-gram of every text in Python, and that was most of the
linear coder's scoring time. ``char_wb`` n-grams never cross a word boundary (each word is padded
with one space either side), so a text's counts are the sum of its words' counts: each distinct
word's n-grams are looked up once and kept, and a wave repeats its words. The result is the
vectoriser's own: the same lower-casing and whitespace, sublinear tf, idf and L2 norm.
"""

from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

MAX_CACHED_WORDS = 200_000  # bounds the cache's memory on a very large wave


def _grams(word: str, low: int, high: int) -> list[str]:
    """One word's padded n-grams, as ``_char_wb_ngrams`` makes them.

    Every n-gram of each length shorter than the padded word, then the padded word itself if
    it is no longer than the longest n (scikit-learn counts a short word once and stops).
    """
    padded = f" {word} "
    size = len(padded)
    grams = [padded[i:i + n] for n in range(low, min(high, size - 1) + 1)
             for i in range(size - n + 1)]
    if size <= high:
        grams.append(padded)
    return grams


def _new_words(words: list[str], vocabulary: dict[str, int], low: int,
               high: int) -> list[np.ndarray]:
    """Vocabulary columns of each word's n-grams, a column once per occurrence.

    All the words' n-grams are looked up in one pass; repeats are left for the matrix's
    ``sum_duplicates`` to add up (counting them here per word cost more than the lookups).
    """
    grams = [_grams(word, low, high) for word in words]
    lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    columns = np.fromiter(map(vocabulary.get, itertools.chain.from_iterable(grams),
                              itertools.repeat(-1)), dtype=np.int64, count=int(lengths.sum()))
    found = columns >= 0
    per_word = np.bincount(np.repeat(np.arange(len(words)), lengths)[found], minlength=len(words))
    bounds = np.concatenate(([0], np.cumsum(per_word))).tolist()
    kept = columns[found]
    return [kept[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def char_wb_transform(vectorizer: TfidfVectorizer, texts: Sequence[str],
                      cache: dict[str, np.ndarray]) -> sparse.csr_matrix:
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
    split = [text.lower().split() for text in texts]  # split() also takes runs of whitespace
    new = list(dict.fromkeys(w for words in split for w in words if w not in cache))
    known = dict(zip(new, _new_words(new, vocabulary, low, high), strict=True)) if new else {}
    if len(cache) < MAX_CACHED_WORDS:
        cache.update(itertools.islice(known.items(), MAX_CACHED_WORDS - len(cache)))
    columns = [known[w] if w in known else cache[w] for words in split for w in words]
    lengths = np.fromiter(map(len, columns), dtype=np.int64, count=len(columns))
    ends = np.cumsum([0] + [len(words) for words in split])  # words before each text
    indptr = np.concatenate(([0], np.cumsum(lengths)))[ends]
    indices = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    matrix = sparse.csr_matrix((np.ones(len(indices)), indices, indptr),
                               shape=(len(texts), len(vocabulary)))
    matrix.sum_duplicates()  # an n-gram repeated in a word or across words: counts add up
    np.log(matrix.data, out=matrix.data)
    matrix.data += 1
    matrix.data *= vectorizer.idf_[matrix.indices]
    return normalize(matrix, copy=False)
