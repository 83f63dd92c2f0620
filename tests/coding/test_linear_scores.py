"""The linear coder's batch scoring and evidence give exactly what scikit-learn and regexes give."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.multiclass import OneVsRestClassifier

from pipeline.coding.char_grams import char_wb_transform
from pipeline.coding.linear import LinearCoder
from pipeline.coding.linear_scores import StackedWeights, positive_proba, vocabulary_terms
from pipeline.static_embeddings import StaticEmbedder, _load

NEW = ["The car park was full again and I missed my appointment",
       "Tea was cold, the toast was COLD too!!", "", "   ", "naïve café staff were lovely",
       "Parking: £5 an hour", "nurse nurse nurse", "x" * 40]


@pytest.fixture(scope="module")
def coder(comments_gold):
    return LinearCoder(codebook="comments@1", embedding="static").fit(
        comments_gold.texts, comments_gold.labels, comments_gold.code_ids,
        comments_gold.extra["FFT question"].tolist())


def reference_proba(coder: LinearCoder, texts: list[str], questions: list[str]) -> np.ndarray:
    """Probabilities computed with scikit-learn's own transforms and per-estimator scoring."""
    tokenizer, matrix = _load(StaticEmbedder().folder)
    sums = np.vstack([matrix[e.ids].sum(axis=0) if e.ids else np.zeros(matrix.shape[1])
                      for e in tokenizer.encode_batch(texts, add_special_tokens=False)])
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    vectors = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
    features = sparse.hstack([
        coder.words.transform(texts), coder.chars.transform(texts),
        coder.context_encoder.transform(np.array([[q.casefold()] for q in questions],
                                                 dtype=object)),
        sparse.csr_matrix(vectors)], format="csr", dtype=coder._dtype)
    return coder.model.predict_proba(features)


def test_batch_scores_equal_scikit_learns_bit_for_bit(coder, comments_gold):
    texts = list(comments_gold.texts) + NEW
    questions = comments_gold.extra["FFT question"].tolist() + ["How could we improve?"] * len(NEW)
    features = coder._features(texts, questions)
    expected = coder.model.predict_proba(features)
    assert np.array_equal(positive_proba(StackedWeights.of(coder.model), features), expected)
    assert np.array_equal(coder.predict_proba(texts, questions)[:, coder._columns], expected)


def test_predictions_equal_those_from_scikit_learns_own_transforms(coder, comments_gold):
    """Word and character n-grams, the question and static vectors, as before the speed-ups.

    The static vectors are summed per token here, in another order than the embedder's sparse
    product, so the scores agree to float32 rounding and the decisions exactly.
    """
    texts = list(comments_gold.texts) + NEW
    questions = comments_gold.extra["FFT question"].tolist() + ["How could we improve?"] * len(NEW)
    proba = coder.predict_proba(texts, questions)[:, coder._columns]
    expected = reference_proba(coder, texts, questions)
    assert np.allclose(proba, expected, atol=1e-6)
    cuts = coder.threshold_vector()[coder._columns]
    assert np.array_equal(proba >= cuts, expected >= cuts)


def test_character_grams_of_a_batch_equal_the_vectorisers(coder, comments_gold):
    texts = list(comments_gold.texts) + NEW
    expected = coder.chars.transform(texts).toarray()
    cache: dict = {}
    assert np.array_equal(char_wb_transform(coder.chars, texts, cache).toarray(), expected)
    assert np.array_equal(char_wb_transform(coder.chars, texts[::-1], cache).toarray(),
                          expected[::-1])


def test_a_single_code_model_is_left_to_scikit_learn(comments_gold):
    labels = comments_gold.labels[:, :1]
    one = LinearCoder(embedding=None).fit(comments_gold.texts, labels,
                                          comments_gold.code_ids[:1])
    assert isinstance(one.model, OneVsRestClassifier) and len(one.model.estimators_) == 1
    assert positive_proba(StackedWeights.of(one.model), one._features(NEW)) is None
    assert one.predict_proba(NEW).shape == (len(NEW), 1)


def test_terms_by_column_equal_the_feature_names(coder):
    for vectorizer in (coder.words, coder.chars):
        assert list(vocabulary_terms(vectorizer.vocabulary_)) == list(
            vectorizer.get_feature_names_out())


def test_evidence_of_a_batch_equals_evidence_one_coding_at_a_time(coder, comments_gold):
    texts = list(comments_gold.texts) + NEW
    questions = comments_gold.extra["FFT question"].tolist() + ["How could we improve?"] * len(NEW)
    proba = coder.predict_proba(texts, questions)  # the batch whose rows evidence reuses
    rows, columns = np.nonzero(proba >= coder.threshold_vector() - 0.4)  # more codings
    assert len(rows) > len(texts)
    spans = coder.evidence_spans(texts, rows, columns)
    coder._recent = {}  # now each coding is transformed and searched alone
    assert spans == [coder.evidence(texts[i], coder.code_ids[j])
                     for i, j in zip(rows, columns, strict=True)]
