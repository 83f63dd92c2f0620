"""A fitted word TF-IDF vectoriser's transform, its lookups done in one pass over all texts.

scikit-learn counts each text's word n-grams in a Python loop of dictionary look-ups and
exception handling per n-gram, then sorts every row: about a third of the linear coder's
scoring time on a wave's short segments. Here every text's n-grams are listed, looked up in one
``np.fromiter`` pass and counted by the sparse matrix's ``sum_duplicates``. The result is the
vectoriser's own matrix, bit for bit: its tokeniser and lower-casing, sublinear tf, idf and
L2 norm (see :mod:`pipeline.coding.char_grams`, the same for character n-grams).
"""

from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize


def _supported(vectorizer: TfidfVectorizer) -> bool:
    return (vectorizer.analyzer == "word" and vectorizer.input == "content"
            and vectorizer.lowercase and not vectorizer.strip_accents
            and vectorizer.preprocessor is None and vectorizer.tokenizer is None
            and vectorizer.stop_words is None and vectorizer.sublinear_tf
            and vectorizer.norm == "l2" and vectorizer.use_idf)


def _ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """The text's word n-grams of ``low``-``high`` words (spaces between), in any order."""
    if high == 1 and low == 1:
        return tokens
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), high + 1):
        grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return grams


def word_transform(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """``vectorizer.transform(texts)`` for a fitted word-n-gram vectoriser, faster.

    Only the settings the linear coder uses are supported (lower-casing, the vectoriser's own
    token pattern, no stop words, sublinear tf, idf, L2 norm); anything else is refused rather
    than answered differently.
    """
    if not _supported(vectorizer):
        raise ValueError("word_transform supports the linear coder's vectoriser only")
    vocabulary, (low, high) = vectorizer.vocabulary_, vectorizer.ngram_range
    if not len(texts):
        return sparse.csr_matrix((0, len(vocabulary)))
    tokenize = vectorizer.build_tokenizer()
    grams = [_ngrams(tokenize(text.lower()), low, high) for text in texts]
    lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    columns = np.fromiter(map(vocabulary.get, itertools.chain.from_iterable(grams),
                              itertools.repeat(-1)), dtype=np.int64, count=int(lengths.sum()))
    found = columns >= 0
    per_text = np.bincount(np.repeat(np.arange(len(texts)), lengths)[found],
                           minlength=len(texts))
    indptr = np.concatenate(([0], np.cumsum(per_text)))
    matrix = sparse.csr_matrix((np.ones(int(indptr[-1])), columns[found], indptr),
                               shape=(len(texts), len(vocabulary)))
    matrix.sum_duplicates()  # an n-gram repeated in a text: its count
    np.log(matrix.data, out=matrix.data)
    matrix.data += 1
    matrix.data *= vectorizer.idf_[matrix.indices]
    return normalize(matrix, copy=False)
