"""The linear coder's sentence embedding: MiniLM or static, saved with the model, old models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.linear import LinearCoder
from pipeline.coding.registry import load_coder
from pipeline.config import load_codebook
from pipeline.errors import ConfigError
from pipeline.static_embeddings import StaticEmbedder

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
PASSAGE = "Honestly the car park was full again and I missed my appointment"


@pytest.fixture(scope="module")
def book():
    return load_codebook(DATA / "codebook-comments.yaml")


@pytest.fixture(scope="module")
def saved(comments_gold, tmp_path_factory):
    coder = LinearCoder(codebook="comments@1", embedding="static").fit(
        comments_gold.texts, comments_gold.labels, comments_gold.code_ids,
        comments_gold.extra["FFT question"].tolist())
    folder = tmp_path_factory.mktemp("linear-static")
    coder.to_disk(folder)
    return coder, folder


def segments_of(text: str) -> pd.DataFrame:
    return pd.DataFrame({s.SEGMENT_ID: ["p1"], s.START: [40], s.TEXT: [text],
                         s.CONTEXT: ["How could we improve?"]})


def test_a_static_model_saves_its_embedding(saved):
    coder, folder = saved
    assert coder.embedding == "static" and isinstance(coder.embedder, StaticEmbedder)
    settings = json.loads((folder / "config.json").read_text(encoding="utf-8"))["settings"]
    assert settings["embedding"] == "static" and "embeddings" not in settings
    assert coder.features_used()["embeddings"] == StaticEmbedder.name


def test_saved_static_model_loads_and_codes_a_passage_alike(saved, book):
    coder, folder = saved
    loaded = load_coder(folder, book)
    assert loaded.embedding == "static"
    before, after = coder.code(segments_of(PASSAGE)), loaded.code(segments_of(PASSAGE))
    assert before[s.CODE_ID].tolist() == after[s.CODE_ID].tolist() == ["parking"]
    row = after.iloc[0]
    assert row[s.EVIDENCE].lower() in {"car park", "car", "park"}
    assert PASSAGE[row[s.START] - 40:row[s.END] - 40] == row[s.EVIDENCE]
    assert row[s.CONFIDENCE] == before.iloc[0][s.CONFIDENCE] > 0.5


def test_evidence_is_the_same_coded_in_a_batch_or_alone(saved):
    coder, _ = saved
    texts = ["Meals were cold and the tea was weak", PASSAGE, "Such friendly and kind nurses"]
    batch = pd.DataFrame({s.SEGMENT_ID: ["a", "b", "c"], s.START: [0, 0, 0], s.TEXT: texts,
                          s.CONTEXT: [None] * 3})
    coded = coder.code(batch).set_index(s.SEGMENT_ID)
    for segment_id, text in zip("abc", texts, strict=True):
        code_id = coded.loc[[segment_id], s.CODE_ID].iloc[0]
        coder._recent = {}  # evidence for a text never scored in a batch
        row = coded.loc[[segment_id]].iloc[0]
        assert coder.evidence(text, code_id) == (row[s.START], row[s.END])


def test_a_model_saved_with_the_older_embeddings_switch_loads_as_minilm(saved, book, tmp_path):
    _, folder = saved
    old = tmp_path / "old"
    shutil.copytree(folder, old)
    config = json.loads((old / "config.json").read_text(encoding="utf-8"))
    del config["settings"]["embedding"]
    config["settings"]["embeddings"] = True
    (old / "config.json").write_text(json.dumps(config), encoding="utf-8")
    assert load_coder(old, book).embedding == "minilm"
    config["settings"]["embeddings"] = False
    (old / "config.json").write_text(json.dumps(config), encoding="utf-8")
    assert load_coder(old, book).embedding is None


def test_the_shipped_hybrid_model_keeps_minilm_and_its_float64_weights():
    book = load_codebook(ROOT / "models" / "codebooks" / "recovery-capital.yaml")
    hybrid = load_coder(ROOT / "models" / "recovery-capital-hybrid", book)
    assert hybrid.model.embedding == "minilm" and hybrid.model._dtype is np.float64


def test_the_older_switch_and_unknown_names():
    assert LinearCoder(embeddings=False).embedding is None
    assert LinearCoder(embeddings=True).embedding == "minilm"
    assert LinearCoder(embedding=None).features_used()["embeddings"] is None
    with pytest.raises(ConfigError, match="unknown embedding 'bert' .*known: minilm, static"):
        LinearCoder(embedding="bert")
    with pytest.raises(ConfigError, match="'static:minilm-static' given for embedding 'minilm'"):
        LinearCoder(embedding="minilm", embedder=StaticEmbedder())
