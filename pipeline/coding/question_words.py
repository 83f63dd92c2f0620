"""The question a text answers, as words: for transcripts, whose questions are all different.

A survey asks a handful of questions, and the linear coder reads each as a category (one-hot).
A transcript segment's question is the interviewer's last turn (``pipeline/segment.py``): a
guide prompt, but as often a remark of the moment ("Maybe try the toggle columns button"),
nearly never said twice, so as a category it teaches nothing about the next session. Its words
do: TF-IDF of the question's words and word pairs is added when the training texts have more
than :data:`MAX_CATEGORIES` distinct questions; with fewer, the categories already say it all
and the model is left as it was.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.coding.sklearn_state import fitted_tfidf, tfidf_vocabulary

MAX_CATEGORIES = 20
"""Up to this many distinct questions, a question is a category only (surveys)."""


def _new() -> TfidfVectorizer:
    return TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)


def question_vectorizer(questions: Sequence[str]) -> TfidfVectorizer | None:
    """A vectoriser fitted on the training texts' questions, or None when not worth adding.

    None when there are at most :data:`MAX_CATEGORIES` distinct non-blank questions, or when
    no word occurs in two of them.
    """
    if len({q for q in questions if q}) <= MAX_CATEGORIES:
        return None
    vectorizer = _new()
    try:
        vectorizer.fit(list(questions))
    except ValueError:  # no word left after min_df: nothing to learn from
        return None
    return vectorizer


def question_state(vectorizer: TfidfVectorizer | None) -> dict[str, object] | None:
    """The fitted vectoriser as JSON (vocabulary and idf weights), or None."""
    if vectorizer is None:
        return None
    return {"vocabulary": tfidf_vocabulary(vectorizer), "idf": vectorizer.idf_.tolist()}


def restore_questions(state: dict | None) -> TfidfVectorizer | None:
    """The vectoriser :func:`question_state` wrote (None: the model reads no question words)."""
    if not state:
        return None
    return fitted_tfidf(_new(), state["vocabulary"], np.asarray(state["idf"], dtype=float))
