"""The hybrid coder combines rules and a model per code, and is saved as a folder."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.hybrid import HybridCoder
from pipeline.config import load_codebook
from pipeline.quality.gold import load_gold


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


def test_rule_matches_are_features_of_the_hybrid_model(book, gold):
    hybrid = HybridCoder(book).fit(gold.texts, gold.labels, gold.code_ids)
    assert hybrid.model.features_used()["rules"] is True
    # the rule columns come last; a code's own rules pull toward it
    weights = hybrid.model.model.estimators_[gold.code_ids.index("parking")].coef_.ravel()
    rule_weights = weights[-len(book.code_ids()):]
    assert rule_weights[book.code_ids().index("parking")] > 0


def test_a_loaded_hybrid_compiles_its_rules_once_and_shares_them(tmp_path, book, gold):
    hybrid = HybridCoder(book).fit(gold.texts, gold.labels, gold.code_ids)
    hybrid.to_disk(tmp_path / "hybrid")
    assert sorted(p.name for p in (tmp_path / "hybrid").iterdir()) == ["config.json", "linear"]
    loaded = HybridCoder.from_disk(tmp_path / "hybrid", book)
    assert loaded.model.rule_features.coder() is loaded.rules
    assert loaded.choice == hybrid.choice and loaded.reasons == hybrid.reasons
    texts = ["The car park was full", "Meals were cold"]
    assert (loaded.predict(texts) == hybrid.predict(texts)).all()
