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
    with pytest.raises(ValueError, match="known: minilm, static, tfidf"):
        make_embedder("bert-large")


SENTENCES = [
    "Supported housing for people leaving residential rehab has all but gone.",
    "Mental health services raised their thresholds, so our clients go without.",
    "The council cut the treatment budget again this year.",
    "Jobcentre Plus referrals rarely lead to training.",
    "Families are offered very little support of their own.",
    "Mutual aid meetings are busy on weekday evenings.",
    "Commissioners moved to one larger contract for the whole county.",
    "The health and wellbeing board has not discussed alcohol at all.",
    "Naloxone kits are now handed out at every needle exchange.",
    "Stabilisation on a methadone prescription is still the main offer.",
    "Dual diagnosis clients are passed between services.",
    "We have fewer staff and longer waiting lists.",
    "Housing.",
    "No.",
] + [f"Client number {i} waited {i * 3} weeks for a detox bed in the borough." for i in range(30)]


def test_exact_minilm_vectors_do_not_depend_on_the_batch():
    # Topics need the same vector for the same text whatever else was embedded beside it:
    # a last-bit difference is enough for UMAP to lay the topics out differently.
    together = MiniLMEmbedder(exact=True, shared_cache=False).embed(SENTENCES)
    odd = MiniLMEmbedder(exact=True, shared_cache=False, batch_size=7).embed(SENTENCES[1::2])
    alone = np.vstack([MiniLMEmbedder(exact=True, shared_cache=False, batch_size=1).embed([t])
                       for t in SENTENCES[:6]])
    assert together.dtype == np.float32
    assert np.array_equal(together[1::2], odd)
    assert np.array_equal(together[:6], alone)
    fast = MiniLMEmbedder(shared_cache=False).embed(SENTENCES)
    assert np.allclose(together, fast, atol=1e-5)  # the same model, only exact


def test_topic_embedder_is_exact_and_keeps_the_model_name():
    embedder = make_embedder("minilm")
    assert isinstance(embedder, MiniLMEmbedder) and embedder.exact
    assert embedder.name == MiniLMEmbedder().name  # kept topic models stay comparable
    assert embedder._cache is not MiniLMEmbedder()._cache
