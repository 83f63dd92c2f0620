"""The linear coder's evidence: for each coding, its text's strongest n-gram or rule match.

:class:`NgramEvidence` gives :class:`~pipeline.coding.linear.LinearCoder` its ``evidence``
(one coding) and ``evidence_spans`` (a batch). For one coding (a text, a code) the evidence among
one block of n-gram features is the feature with the largest positive pull, coefficient ×
feature value, that can be found in the text (the best three are tried, in case one is not
found). Taking the pulls of every coding of a batch in one gather from the batch's feature rows,
instead of a row and a weight lookup per coding, gives the same candidates (the same numbers,
sorted by the same ``argsort``) in half the time.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.coding.linear_scores import vocabulary_terms
from pipeline.coding.ngram_spans import locate_char_ngram, locate_word_ngram

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


def _row(matrix: sparse.csr_matrix, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of row ``i`` (slicing the arrays: a csr row copy is slow)."""
    first, last = matrix.indptr[i], matrix.indptr[i + 1]
    return matrix.indices[first:last], matrix.data[first:last]


class NgramEvidence:
    """The linear coder's ``evidence`` and ``evidence_spans``, as a mixin.

    Reads the coder's fitted ``words`` and ``chars`` vectorisers, ``learned`` and ``code_ids``,
    ``rule_features``, its stacked weights (``_weights()``), the feature rows of the batch it
    has just scored (``_recent``) and a cache of vocabulary terms (``_terms``).
    """

    def _names(self, vectorizer: TfidfVectorizer, key: str) -> np.ndarray:
        vocabulary, terms = self._terms.get(key, (None, None))
        if vocabulary is not vectorizer.vocabulary_:  # big arrays: once per fitted vocabulary
            terms = vocabulary_terms(vectorizer.vocabulary_)
            self._terms[key] = (vectorizer.vocabulary_, terms)
        return terms

    def evidence_spans(self, texts: Sequence[str], rows: np.ndarray,
                       columns: np.ndarray) -> list[tuple[int, int]]:
        """:meth:`evidence` of each coding (``texts[rows[p]]``, ``code_ids[columns[p]]``).

        The texts of the batch just scored are done together (:mod:`.linear_evidence`);
        anything else one coding at a time.
        """
        texts = list(texts)
        recent = [self._recent.get(texts[i]) for i in rows]
        if (not recent or any(r is None for r in recent)
                or len({(id(r[1]), id(r[2])) for r in recent}) > 1):
            return super().evidence_spans(texts, rows, columns)
        coef, row_of = self._weights().coef, {c: k for k, c in enumerate(self.learned)}
        codes = np.array([row_of[self.code_ids[j]] for j in columns], dtype=np.int64)
        chosen = [texts[i] for i in rows]
        candidates: list[list] = [[] for _ in chosen]
        offset = 0
        for k, (vectorizer, key, locate) in enumerate(
                ((self.words, "words", locate_word_ngram),
                 (self.chars, "chars", locate_char_ngram))):
            batch_rows = np.array([r[0] for r in recent], dtype=np.int64)
            found = best_spans(chosen, *pair_pulls(recent[0][k + 1], batch_rows, coef, codes,
                                                   offset),
                               self._names(vectorizer, key), locate)
            for mine, best in zip(candidates, found, strict=True):
                if best is not None:
                    mine.append(best)
            offset += len(vectorizer.vocabulary_)
        if self.rule_features is not None:  # the batch's matches, kept when it was scored
            for mine, text, code in zip(candidates, chosen, codes, strict=True):
                mine.extend(self.rule_features.candidates(text, coef[code]))
        return [max(mine, key=lambda c: (c[0], -c[1]))[1:] if mine else (0, len(text))
                for mine, text in zip(candidates, chosen, strict=True)]

    def evidence(self, text: str, code_id: str) -> tuple[int, int]:
        """Offsets of the n-gram or rule match with the largest positive pull to ``code_id``.

        A pull is coefficient × feature value. Word n-grams are found as words, character
        n-grams are widened to the word(s) that hold them, a rule feature points at its match.
        With no positive pull among them (the score came from embeddings or the question), the
        whole text is the evidence.
        """
        weights = self._weights().coef[self.learned.index(code_id)]
        candidates: list[tuple[float, int, int]] = []
        offset = 0
        recent = self._recent.get(text)
        for k, (vectorizer, key, locate) in enumerate(
                ((self.words, "words", locate_word_ngram),
                 (self.chars, "chars", locate_char_ngram))):
            indices, values = _row(recent[k + 1], recent[0]) if recent else _row(
                vectorizer.transform([text]), 0)
            if len(indices):
                pulls = values * weights[offset + indices]
                for n in np.argsort(-pulls)[:3]:  # the best few, in case one is not found
                    if pulls[n] <= 0:
                        break
                    span = locate(text, self._names(vectorizer, key)[indices[n]])
                    if span:
                        candidates.append((float(pulls[n]), *span))
                        break
            offset += len(vectorizer.vocabulary_)
        if self.rule_features is not None:
            candidates.extend(self.rule_features.candidates(text, weights))
        if not candidates:
            return 0, len(text)
        _, begin, end = max(candidates, key=lambda c: (c[0], -c[1]))
        return begin, end
