"""The model card is typed: read back equal, undefined scores as null, bad fields named."""

from __future__ import annotations

import json
import math

import pytest

from pipeline.errors import InputError, MissingInputError
from pipeline.quality.card import ModelCard, read_card, write_card

CARD = {
    "name": "m", "kind": "linear", "coder": "linear-v1:comments@1",
    "trained": "2026-11-30T12:00:00+00:00", "command": "wavecoder train --coder linear",
    "data": {"file": "comments.csv", "sha256": "ab" * 32, "texts": 54,
             "support": {"parking": 18}},
    "codebook": {"id": "comments", "version": "1", "sha256": "cd" * 32},
    "cross_validation": {"n_texts": 54, "n_codes": 2, "macro_f1": 0.9, "micro_f1": 0.91,
                         "alpha": 0.88, "mean_kappa": 0.87, "folds": 3, "seed": 42,
                         "min_support": 10, "roll_up": False, "gold": "comments.csv",
                         "gold_sha256": "ab" * 32, "note": "cross-validated"},
    "per_code": [
        {"code_id": "parking", "label": "Parking", "support": 18, "predicted": 18,
         "precision": 1.0, "recall": 1.0, "f1": 1.0, "kappa": 1.0},
        {"code_id": "food_drink", "label": "Food", "support": 54, "predicted": 54,
         "precision": 1.0, "recall": 1.0, "f1": 1.0, "kappa": float("nan")}],
    "thresholds": {"parking": 0.4}, "not_learned": {}, "hybrid_choice": {},
    "features": {"words": "tf-idf 1-2 grams"}, "train_seconds": 1.5}


def test_card_round_trip_writes_undefined_kappa_as_null(tmp_path):
    card = ModelCard.model_validate(CARD)
    write_card(card, tmp_path)
    saved = json.loads((tmp_path / "card.json").read_text())
    assert saved["per_code"][1]["kappa"] is None
    assert read_card(tmp_path) == card
    kappa = card.kappa()
    assert kappa["parking"] == 1.0 and math.isnan(kappa["food_drink"])
    markdown = (tmp_path / "MODEL_CARD.md").read_text()
    assert "| food_drink | 54 | 1.0 | 1.0 | 1.0 |  |  |" in markdown
    assert "trained with: `wavecoder train --coder linear`" in markdown


def test_a_bad_card_names_the_file_and_field(tmp_path):
    (tmp_path / "card.json").write_text(json.dumps({**CARD, "train_seconds": "slow"}))
    with pytest.raises(InputError, match=r"card.json: not a model card: train_seconds"):
        read_card(tmp_path)
    with pytest.raises(MissingInputError, match="card.json: file not found"):
        read_card(tmp_path / "none")
