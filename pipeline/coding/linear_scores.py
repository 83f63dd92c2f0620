"""A fitted one-vs-rest linear model's scores for a whole batch in one product, and its terms.

scikit-learn scores a one-vs-rest model one estimator at a time, checking the input again for
each: forty codes meant forty passes over the features and most of a batch's scoring time. One
sparse product with every code's coefficients at once gives the same numbers bit for bit (each
score is the same sum, taken in the same order), which the tests check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from threadpoolctl import threadpool_limits

from pipeline.coding.sklearn_state import linear_weights


@dataclass(frozen=True)
class StackedWeights:
    """Every estimator's coefficients (codes × features) and intercepts, from one model."""

    model: OneVsRestClassifier
    coef: np.ndarray
    intercept: np.ndarray

    @classmethod
    def of(cls, model: OneVsRestClassifier) -> "StackedWeights":
        """The weights of a fitted one-vs-rest model of linear estimators."""
        weights = linear_weights(model)
        return cls(model, weights["coef"], weights["intercept"])


def positive_proba(weights: StackedWeights, features: sparse.csr_matrix) -> np.ndarray | None:
    """P(code) per text × estimator, as ``model.predict_proba`` gives it; None if it cannot.

    Only a multilabel model of logistic regressions answers here (several codes, no
    normalisation across them); for anything else the caller asks scikit-learn.
    """
    model = weights.model
    if not getattr(model, "multilabel_", False) or len(model.estimators_) < 2 or any(
            not isinstance(e, LogisticRegression) or len(e.classes_) != 2
            for e in model.estimators_):
        return None
    # As LogisticRegression.decision_function: X·wᵀ + b in the weights' dtype, then expit.
    scores = np.asarray(features @ weights.coef.T) + weights.intercept
    return expit(scores, out=scores)


def vocabulary_terms(vocabulary: dict[str, int]) -> np.ndarray:
    """Terms by column, as ``get_feature_names_out`` (which sorts them, ten times slower)."""
    terms = np.empty(len(vocabulary), dtype=object)
    terms[list(vocabulary.values())] = list(vocabulary.keys())
    return terms


def model_positive_proba(model: OneVsRestClassifier, features, n_columns: int) -> np.ndarray:
    """P(code) per column; a single-code model answers as a binary classifier (two columns)."""
    proba = model.predict_proba(features)
    return proba[:, 1:] if n_columns == 1 and proba.shape[1] == 2 else proba


def one_blas_thread() -> threadpool_limits:
    """BLAS on one thread while fitting and scoring.

    The solver's many small vector operations lose more to threads waiting on each other than
    they gain, most of all when other work shares the cores: on two busy cores one thread
    trained a code nine times faster (2.9 s against 24.9 s for three codes).
    """
    return threadpool_limits(limits=1, user_api="blas")
