"""The hybrid coder combines rules and a model per code; trained models load by name, gated."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding import coder_info, make_coder
from pipeline.coding.gate import AgreementGate
from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.models import train_model
from pipeline.config import load_codebook
from pipeline.gold import load_gold


@pytest.fixture(scope="module")
def book(data_dir):
    return load_codebook(data_dir / "codebook-comments.yaml")


@pytest.fixture(scope="module")
def gold(data_dir, book):
    return load_gold(data_dir / "gold" / "comments.csv", book)


def segments(*texts):
    return pd.DataFrame({s.SEGMENT_ID: [f"s{i}" for i in range(len(texts))], s.START: 0,
                         s.TEXT: list(texts), s.CONTEXT: None})


def test_choice_per_code_is_recorded_with_its_reason(book, gold):
    hybrid = HybridCoder(book).fit(gold.texts, gold.labels, gold.code_ids)
    assert set(hybrid.choice) == set(gold.code_ids)
    assert set(hybrid.choice.values()) <= {"rules", "model", "union", "intersection"}
    assert all(reason.startswith("held-out F1 rules") for reason in hybrid.reasons.values())


def test_code_without_examples_falls_back_to_rules_and_says_so(book, gold):
    labels = gold.labels.copy()
    labels[:, 0] = 0  # nobody coded parking
    hybrid = HybridCoder(book).fit(gold.texts, labels, gold.code_ids)
    assert hybrid.choice["parking"] == "rules"
    assert hybrid.reasons["parking"] == "model not trained: 0 positive examples (< 5)"
    codings = hybrid.code(segments("The car park was full", "The nurses were kind"))
    parking = codings[codings[s.CODE_ID] == "parking"].iloc[0]
    assert parking[s.METHOD] == "rule" and parking[s.EVIDENCE] == "car park"


def test_trained_model_is_saved_with_a_card_and_loaded_gated(tmp_path, book, gold):
    card = train_model("linear", gold, book, tmp_path / "comments-linear", n_folds=3)
    assert card["cross_validation"]["folds"] == 3
    assert {row["code_id"] for row in card["per_code"]} == set(gold.code_ids)
    assert (tmp_path / "comments-linear" / "MODEL_CARD.md").read_text().startswith(
        "# comments-linear")
    coder = make_coder(str(tmp_path / "comments-linear"), book, min_kappa=1.01)
    assert isinstance(coder, AgreementGate)
    codings = coder.code(segments("The car park was full again"))
    assert codings[s.CODE_ID].tolist() == ["parking"]
    assert codings[s.NEEDS_REVIEW].tolist() == [True]  # every code is below a kappa of 1.01
    info = coder_info(coder)
    assert info["model"]["name"] == "comments-linear"
    assert info["model"]["cross_validation"]["folds"] == 3


def test_unknown_coder_names_the_options(book):
    with pytest.raises(ValueError, match="not 'rules' and no trained model"):
        make_coder("no-such-model", book)


def test_default_coder_is_chosen_by_the_numbers(tmp_path, monkeypatch, book, gold):
    import json

    from pipeline.coding import models

    monkeypatch.setattr(models, "MODELS_DIR", tmp_path)
    agreement = tmp_path / "evaluation.json"
    rules = {"macro_f1": 0.5, "gold": "comments.csv", "gold_sha256": gold.sha256,
             "min_support": 10}
    agreement.write_text(json.dumps(rules))
    train_model("linear", gold, book, tmp_path / "comments-linear", n_folds=3)
    card = json.loads((tmp_path / "comments-linear" / "card.json").read_text())
    chosen, why = models.best_coder(book, agreement)
    assert card["cross_validation"]["macro_f1"] > 0.5
    assert chosen == str(tmp_path / "comments-linear") and "rules: macro-F1 0.500" in why
    agreement.write_text(json.dumps({**rules, "macro_f1": 0.999}))
    assert models.best_coder(book, agreement)[0] == "rules"
    assert models.best_coder(book, None) == ("rules", "no measured agreement for this codebook")


def test_rule_matches_are_features_of_the_hybrid_model(book, gold):
    hybrid = HybridCoder(book).fit(gold.texts, gold.labels, gold.code_ids)
    assert hybrid.model.features_used()["rules"] is True
    # the rule columns come last; a code's own rules pull toward it
    weights = hybrid.model.model.estimators_[gold.code_ids.index("parking")].coef_.ravel()
    rule_weights = weights[-len(book.code_ids()):]
    assert rule_weights[book.code_ids().index("parking")] > 0
    # a saved hybrid compiles its rules once and shares them with its model
    import pickle

    loaded = pickle.loads(pickle.dumps(hybrid))
    assert loaded.model._rule_coder is loaded.rules
    texts = ["The car park was full", "Meals were cold"]
    assert (loaded.predict(texts) == hybrid.predict(texts)).all()
