"""The cached char_wb transform gives exactly what scikit-learn's vectoriser gives."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.coding.char_grams import char_wb_transform
from pipeline.coding.linear import new_vectorizers

FIT = ["The car park was full again", "Kind nurses, kind doctors", "Food was cold",
       "Parking costs too much", "A nurse helped me", "The food was good"]
NEW = ["Car  parking was\tfull", "", "   ", "I", "ok", "NURSES were kind!!",
       "naïve café staff", "x" * 12, "food food food"]


def test_same_matrix_as_scikit_learn_cold_and_warm():
    _, chars = new_vectorizers()
    chars.set_params(min_df=1).fit(FIT)
    expected = chars.transform(NEW).toarray()
    cache: dict = {}
    assert np.array_equal(char_wb_transform(chars, NEW, cache).toarray(), expected)
    assert "food" in cache
    assert np.array_equal(char_wb_transform(chars, NEW, cache).toarray(), expected)
    assert char_wb_transform(chars, [], cache).shape == (0, len(chars.vocabulary_))


def test_other_vectoriser_settings_are_refused():
    words = TfidfVectorizer().fit(FIT)
    with pytest.raises(ValueError, match="linear coder's vectoriser only"):
        char_wb_transform(words, NEW, {})
