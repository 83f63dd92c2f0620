"""The word n-gram transform gives exactly what scikit-learn's vectoriser gives."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.coding.linear import new_vectorizers
from pipeline.coding.word_grams import word_transform

FIT = ["The car park was full again", "Kind nurses, kind doctors", "Food was cold",
       "Parking costs too much", "A nurse helped me", "The food was good", "car park car park"]
NEW = ["Car  park was\tfull", "", "   ", "I", "ok", "NURSES were kind!! kind nurses",
       "naïve café staff", "food food food was cold", "THE CAR PARK, the car park"]


def test_same_matrix_as_scikit_learn_bit_for_bit():
    words, _ = new_vectorizers()
    words.set_params(min_df=1).fit(FIT)
    expected, got = words.transform(NEW), word_transform(words, NEW)
    assert got.shape == expected.shape
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)  # the same floats, not close ones
    car_park = words.vocabulary_["car park"]
    assert got[8, car_park] > got[0, car_park] > 0  # twice in the last text: counted twice
    assert word_transform(words, []).shape == (0, len(words.vocabulary_))


def test_bigrams_only_and_unigrams_only():
    for ngram_range in ((2, 2), (1, 1)):
        words = TfidfVectorizer(ngram_range=ngram_range, sublinear_tf=True).fit(FIT)
        assert (word_transform(words, NEW) != words.transform(NEW)).nnz == 0


def test_other_vectoriser_settings_are_refused():
    with pytest.raises(ValueError, match="linear coder's vectoriser only"):
        word_transform(TfidfVectorizer(stop_words="english").fit(FIT), NEW)
    with pytest.raises(ValueError, match="linear coder's vectoriser only"):
        word_transform(TfidfVectorizer(analyzer="char").fit(FIT), NEW)
