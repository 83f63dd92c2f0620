"""Linear coders trained from human-coded texts: a strong default and the plain baseline.

``LinearCoder``: TF-IDF word (1-2) and character (2-5) n-grams, the question a text answers,
and optionally offline MiniLM sentence embeddings, into one-vs-rest logistic regression with
balanced class weights and per-code thresholds chosen on held-out folds of the training data.
Its evidence is the word n-gram that pushed a code's score up the most.
``BaselineCoder``: TF-IDF words + one-vs-rest linear SVC, the usual reference point.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import LinearSVC

from pipeline.coding.thresholds import best_thresholds
from pipeline.coding.trained import ProbabilisticCoder
from pipeline.embeddings import Embedder, MiniLMEmbedder

MIN_EXAMPLES = 5  # a code with fewer positive examples is not learned: rules only
VERSION = "1"


def _positive_proba(model: OneVsRestClassifier, features, n_columns: int) -> np.ndarray:
    """P(code) per column; a single-code model answers as a binary classifier (two columns)."""
    proba = model.predict_proba(features)
    return proba[:, 1:] if n_columns == 1 and proba.shape[1] == 2 else proba


def _context_column(context: Sequence[str | None] | None, n: int) -> np.ndarray:
    values = list(context) if context is not None else [None] * n
    return np.array([[" ".join(str(v).lower().split()) if v else ""] for v in values])


class LinearCoder(ProbabilisticCoder):
    """TF-IDF (+ embeddings) logistic regression with validated per-code thresholds."""

    method = "trained"

    def __init__(self, *, codebook: str = "", c: float = 4.0, embeddings: bool = True,
                 threshold_folds: int = 3, shrink: float = 0.5, seed: int = 42,
                 embedder: Embedder | None = None) -> None:
        self.name = f"linear-v{VERSION}:{codebook}"
        self.c, self.use_embeddings, self.seed = c, embeddings, seed
        self.threshold_folds, self.shrink = threshold_folds, shrink
        self.embedder = embedder
        self.code_ids: list[str] = []
        self.thresholds: dict[str, float] = {}
        self.learned: list[str] = []
        self.not_learned: dict[str, str] = {}

    def __getstate__(self) -> dict:
        # The embedding model is loaded again on use; it is not part of a saved coder.
        return {**self.__dict__, "embedder": None, "_terms": None}

    # ----------------------------------------------------------------- features

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.embedder is None:
            self.embedder = MiniLMEmbedder()
        return self.embedder.embed(list(texts))

    def _fit_features(self, texts: Sequence[str], context) -> sparse.csr_matrix:
        self.words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                     sublinear_tf=True)
        self.questions = OneHotEncoder(handle_unknown="ignore")
        blocks = [self.words.fit_transform(texts), self.chars.fit_transform(texts),
                  self.questions.fit_transform(_context_column(context, len(texts)))]
        if self.use_embeddings:
            blocks.append(sparse.csr_matrix(self._embed(texts)))
        return sparse.hstack(blocks).tocsr()

    def _features(self, texts: Sequence[str], context) -> sparse.csr_matrix:
        blocks = [self.words.transform(texts), self.chars.transform(texts),
                  self.questions.transform(_context_column(context, len(texts)))]
        if self.use_embeddings:
            blocks.append(sparse.csr_matrix(self._embed(texts)))
        return sparse.hstack(blocks).tocsr()

    def _model(self) -> OneVsRestClassifier:
        return OneVsRestClassifier(LogisticRegression(
            C=self.c, class_weight="balanced", max_iter=3000, random_state=self.seed))

    # ----------------------------------------------------------------- training

    def fit(self, texts, labels, code_ids, context=None) -> "LinearCoder":
        """Learn every code with at least MIN_EXAMPLES positives; thresholds from inner folds."""
        texts, labels = list(texts), np.asarray(labels, dtype=int)
        self.code_ids = list(code_ids)
        counts = labels.sum(axis=0)
        columns = [j for j, n in enumerate(counts) if MIN_EXAMPLES <= n < len(texts)]
        self.learned = [self.code_ids[j] for j in columns]
        self.not_learned = {self.code_ids[j]: f"{int(n)} positive examples (< {MIN_EXAMPLES})"
                            for j, n in enumerate(counts) if j not in columns}
        features = self._fit_features(texts, context)
        target = labels[:, columns]
        held_out = np.zeros(target.shape)
        for train, test in KFold(self.threshold_folds, shuffle=True,
                                 random_state=self.seed).split(texts):
            inner = self._model().fit(features[train], target[train])
            held_out[test] = _positive_proba(inner, features[test], len(columns))
        cuts = best_thresholds(target, held_out, shrink=self.shrink)
        self.thresholds = dict(zip(self.learned, cuts.tolist(), strict=True))
        # Held-out decisions on the training texts, for a hybrid coder to compare with rules.
        self.held_out = np.zeros(labels.shape, dtype=int)
        self.held_out[:, columns] = held_out >= cuts
        self.model = self._model().fit(features, target)
        self._columns = columns
        return self

    def predict_proba(self, texts, context=None) -> np.ndarray:
        """Probabilities per code; codes not learned get 0."""
        texts = list(texts)
        proba = np.zeros((len(texts), len(self.code_ids)))
        if texts and self._columns:
            proba[:, self._columns] = _positive_proba(
                self.model, self._features(texts, context), len(self._columns))
        return proba

    def threshold_vector(self) -> np.ndarray:
        """Learned codes use their validated cut; codes not learned can never be chosen."""
        return np.array([self.thresholds.get(c, np.inf) for c in self.code_ids])

    # ----------------------------------------------------------------- evidence

    def evidence(self, text: str, code_id: str) -> tuple[int, int]:
        """Offsets of the word n-gram with the largest positive pull toward ``code_id``."""
        estimator = self.model.estimators_[self.learned.index(code_id)]
        n_words = len(self.words.vocabulary_)
        weights = estimator.coef_.ravel()[:n_words]
        row = self.words.transform([text])
        if row.nnz:
            pulls = row.data * weights[row.indices]
            best = int(np.argmax(pulls))
            if pulls[best] > 0:
                if getattr(self, "_terms", None) is None:  # built once: it is a big array
                    self._terms = self.words.get_feature_names_out()
                term = self._terms[row.indices[best]]
                words = [re.escape(w) for w in term.split()]
                match = re.search(r"\b" + r"\W+".join(words) + r"\b", text, re.IGNORECASE)
                if match:
                    return match.start(), match.end()
        return 0, len(text)  # the decision came from the whole text (embedding, characters)


class BaselineCoder(LinearCoder):
    """The reference point: TF-IDF words + one-vs-rest linear SVC, cut at 0."""

    def __init__(self, *, codebook: str = "", seed: int = 42) -> None:
        super().__init__(codebook=codebook, embeddings=False, seed=seed)
        self.name = f"baseline-tfidf-svc:{codebook}"

    def fit(self, texts, labels, code_ids, context=None) -> "BaselineCoder":
        """TF-IDF words and a linear SVC per code; the decision threshold is 0 (no tuning)."""
        texts, labels = list(texts), np.asarray(labels, dtype=int)
        self.code_ids = list(code_ids)
        counts = labels.sum(axis=0)
        self._columns = [j for j, n in enumerate(counts) if 0 < n < len(texts)]
        self.learned = [self.code_ids[j] for j in self._columns]
        self.words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        features = self.words.fit_transform(texts)
        self.model = OneVsRestClassifier(LinearSVC(random_state=self.seed)).fit(
            features, labels[:, self._columns])
        self.thresholds = dict.fromkeys(self.learned, 0.0)
        return self

    def predict_proba(self, texts, context=None) -> np.ndarray:
        """Decision values (not probabilities): positive means the code is chosen."""
        scores = np.full((len(texts), len(self.code_ids)), -1.0)
        if len(texts) and self._columns:
            scores[:, self._columns] = self.model.decision_function(self.words.transform(texts))
        return scores
