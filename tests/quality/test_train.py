"""Training a model writes the coder as config and arrays, a typed card, and MODEL_CARD.md."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.coding.registry import load_coder
from pipeline.config import load_codebook
from pipeline.errors import ConfigError
from pipeline.quality.card import read_card
from pipeline.quality.train import train_model

UNSEEN = ["The car park had no free spaces at all", "Meals were cold and the tea was weak"]


@pytest.fixture(scope="module")
def book(data_dir):
    return load_codebook(data_dir / "codebook-comments.yaml")


@pytest.fixture(scope="module")
def trained(tmp_path_factory, book, comments_gold):
    out = tmp_path_factory.mktemp("models") / "comments-linear"
    card = train_model("linear", comments_gold, book, out, n_folds=3,
                       command="wavecoder train --coder linear")
    return out, card


def test_model_folder_holds_config_arrays_and_card(trained):
    out, card = trained
    assert sorted(p.name for p in out.iterdir()) == [
        "MODEL_CARD.md", "arrays.npz", "card.json", "config.json"]
    config = json.loads((out / "config.json").read_text())
    assert config["kind"] == "linear" and config["codebook"] == "comments@1"
    assert set(config["thresholds"]) == {"parking", "food_drink", "staff_manner"}
    with np.load(out / "arrays.npz", allow_pickle=False) as arrays:
        assert arrays["coef"].shape[0] == 3 and arrays["intercept"].shape == (3,)
    assert (out / "MODEL_CARD.md").read_text().startswith("# comments-linear")


def test_card_records_scores_thresholds_and_the_command(trained, comments_gold):
    out, card = trained
    assert card.cross_validation.folds == 3 and card.kind == "linear"
    assert {row.code_id for row in card.per_code} == set(comments_gold.code_ids)
    config = json.loads((out / "config.json").read_text())
    assert card.thresholds == config["thresholds"]
    assert card.relative_cut == config["relative_cut"] == 0.6  # one code per comment, mostly
    assert "at least 0.6 × that of its most probable one" in (out / "MODEL_CARD.md").read_text()
    assert card.command == "wavecoder train --coder linear"
    assert card.features["embeddings"] is not None
    assert read_card(out) == card


def test_the_saved_model_predicts_as_the_one_trained(trained, book, comments_gold):
    out, _ = trained
    loaded = load_coder(out, book)
    assert loaded.predict(UNSEEN).tolist() == [[1, 0, 0], [0, 1, 0]]


def test_rules_cannot_be_trained(tmp_path, book, comments_gold):
    with pytest.raises(ConfigError, match="coder 'rules' learns nothing to save"):
        train_model("rules", comments_gold, book, tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_a_model_trained_by_session_says_so_on_its_card(tmp_path, data_dir, mini_codebook):
    from pipeline.quality.gold import load_gold

    gold = load_gold(data_dir / "gold" / "taguette-sessions.csv", mini_codebook)
    card = train_model("linear-static", gold, mini_codebook, tmp_path / "by-session",
                       n_folds=3, min_support=5, group="document")
    assert card.cross_validation.grouped_by == "document"
    assert card.cross_validation.n_groups == 6
    assert card.data.texts == card.cross_validation.n_texts == 39  # a repeat merged
    assert read_card(tmp_path / "by-session").cross_validation.grouped_by == "document"
