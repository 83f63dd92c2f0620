"""Fitted scikit-learn parts as plain data (JSON and arrays) and back, for saved coders.

Only what prediction reads is kept: a TF-IDF vectoriser's vocabulary and idf weights, a one-hot
encoder's categories, each one-vs-rest linear estimator's coefficients and intercept. Rebuilt
parts compute exactly what the fitted ones did (same objects, same arithmetic); the settings
they are built with come from the coder, which made them the same way when it was fitted.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import LabelBinarizer, OneHotEncoder


def tfidf_vocabulary(vectorizer: TfidfVectorizer) -> dict[str, int]:
    """Term → column of a fitted vectoriser, as plain JSON types."""
    return {term: int(column) for term, column in vectorizer.vocabulary_.items()}


def fitted_tfidf(vectorizer: TfidfVectorizer, vocabulary: dict[str, int],
                 idf: np.ndarray) -> TfidfVectorizer:
    """``vectorizer`` (unfitted, built with the original settings) given its learned state."""
    vectorizer.vocabulary_ = dict(vocabulary)
    vectorizer.idf_ = np.asarray(idf, dtype=float)
    return vectorizer


def fitted_one_hot(categories: list[list[str]]) -> OneHotEncoder:
    """A one-hot encoder (unknown values ignored) that knows ``categories`` per column."""
    encoder = OneHotEncoder(handle_unknown="ignore",
                            categories=[np.array(c, dtype=object) for c in categories])
    first = np.array([[c[0] for c in categories]], dtype=object)
    return encoder.fit(first)


def one_hot_categories(encoder: OneHotEncoder) -> list[list[str]]:
    """The categories per column of a fitted one-hot encoder, as JSON lists."""
    return [[str(v) for v in column] for column in encoder.categories_]


def linear_weights(model: OneVsRestClassifier) -> dict[str, np.ndarray]:
    """Coefficients (estimators × features) and intercepts of a one-vs-rest linear model."""
    return {"coef": np.vstack([e.coef_ for e in model.estimators_]),
            "intercept": np.concatenate([e.intercept_ for e in model.estimators_])}


def fitted_binary(make: Callable[[], Any], coef: np.ndarray, bias: float) -> Any:
    """A binary linear estimator (made by ``make``, classes 0 and 1) with these weights."""
    estimator = make()
    estimator.coef_ = np.asarray(coef).reshape(1, -1)
    estimator.intercept_ = np.array([bias])
    estimator.classes_ = np.array([0, 1])
    estimator.n_features_in_ = estimator.coef_.shape[1]
    return estimator


def fitted_one_vs_rest(make: Callable[[], object], coef: np.ndarray,
                       intercept: np.ndarray) -> OneVsRestClassifier:
    """A one-vs-rest model of binary linear estimators (made by ``make``) with these weights.

    One estimator answers as a binary classifier, several as multilabel, as when fitted on a
    0/1 target of that many columns.
    """
    estimators = [fitted_binary(make, row, bias)
                  for row, bias in zip(coef, intercept, strict=True)]
    model = OneVsRestClassifier(make())
    model.estimators_ = estimators
    n = len(estimators)
    model.label_binarizer_ = LabelBinarizer(sparse_output=True).fit(
        np.array([[0] * n, [1] * n]) if n > 1 else np.array([0, 1]))
    model.n_features_in_ = coef.shape[1]
    return model


def new_vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """Unfitted TF-IDF vectorisers of word 1-2 grams and character (``char_wb``) 2-5 grams."""
    return (TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True))
