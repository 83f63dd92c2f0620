"""Embeddings: the bundled MiniLM runs offline; the TF-IDF fallback is deterministic."""

from __future__ import annotations

import os

import numpy as np
import pytest

from pipeline.embeddings import MiniLMEmbedder, TfidfSvdEmbedder, make_embedder


def test_minilm_vectors_are_unit_length_and_meaningful():
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    vectors = MiniLMEmbedder().embed([
        "There is no supported housing for people leaving rehab.",
        "Clients cannot find dry accommodation after detox.",
        "Our database crashes whenever we submit the quarterly returns.",
    ])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_minilm_repeated_texts_are_embedded_once():
    embedder = MiniLMEmbedder()
    before = len(embedder._cache)
    vectors = embedder.embed(["Housing is the gap here.", "Funding was cut here.",
                              "Housing is the gap here."])
    assert len(embedder._cache) == before + 2
    assert np.array_equal(vectors[0], vectors[2])
    assert MiniLMEmbedder()._cache is embedder._cache  # shared across instances


def test_tfidf_embedder_is_deterministic():
    texts = [f"housing gap number {i} in the borough" for i in range(20)] + [
        f"funding cut of {i} percent" for i in range(20)]
    first, second = TfidfSvdEmbedder().embed(texts), TfidfSvdEmbedder().embed(texts)
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)


def test_unknown_embedding_names_the_options():
    with pytest.raises(ValueError, match="known: minilm, tfidf"):
        make_embedder("bert-large")
