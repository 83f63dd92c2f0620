"""The codebook's own examples join a linear coder's training texts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipeline.coding.features import codebook_examples, with_example_rows
from pipeline.coding.linear import LinearCoder
from pipeline.coding.registry import new_coder

PARKING_EXAMPLES = ["Nowhere to park near the clinic", "The car park was full again",
                    "Parking cost a fortune"]
UNSEEN = ["The car park had no free spaces at all", "Meals were cold and the tea was weak"]


@pytest.fixture(scope="module")
def book(comments_codebook):
    """The comments codebook with three examples of parking."""
    codes = [code.model_copy(update={"examples": PARKING_EXAMPLES}) if code.id == "parking"
             else code for code in comments_codebook.codes]
    return comments_codebook.model_copy(update={"codes": codes})


@pytest.fixture(scope="module")
def few_parking(comments_gold):
    """The comments gold with only three comments left coded parking."""
    labels = comments_gold.labels.copy()
    keep = np.flatnonzero(labels[:, 0])[:3]
    labels[:, 0] = 0
    labels[keep, 0] = 1
    return comments_gold.texts, labels, comments_gold.code_ids


def test_the_codebook_examples_are_its_codes_examples_in_order(book):
    assert codebook_examples(book) == [(text, "parking") for text in PARKING_EXAMPLES]


def test_examples_follow_the_given_rows_as_positives_of_their_code_only():
    labels = np.array([[0, 1], [1, 0]])
    texts, out, context = with_example_rows(
        [("a new one", "b"), ("of no code learned", "zzz")], ["first", "second"], labels,
        ["a", "b"], pd.DataFrame({"context": ["Q1", "Q2"], "rating": ["5", "1"]}))
    assert texts == ["first", "second", "a new one"]
    assert out.tolist() == [[0, 1], [1, 0], [0, 1]]
    assert context["context"].tolist()[:2] == ["Q1", "Q2"] and context.iloc[2].isna().all()
    one = np.array([[0]])
    assert with_example_rows([("x", "a")], ["t"], one, ["a"], ["Q"])[2] == ["Q", None]
    assert with_example_rows([("x", "a")], ["t"], one, ["a"], None)[2] is None
    first = labels[:1]
    unchanged = with_example_rows([("x", "zzz")], ["t"], first, ["a", "b"], None)
    assert unchanged[0] == ["t"] and unchanged[1] is first


def test_a_code_too_thin_in_the_gold_is_learned_with_its_examples(book, few_parking):
    texts, labels, code_ids = few_parking
    without = LinearCoder(embeddings=False).fit(texts, labels, code_ids)
    assert without.not_learned == {"parking": "3 positive examples (< 5)"}
    coder = LinearCoder(embeddings=False, examples=codebook_examples(book)).fit(
        texts, labels, code_ids)
    assert "parking" in coder.learned and coder.examples_used == 3
    assert coder.predict(UNSEEN)[:, 0].tolist() == [1, 0]
    # held-out decisions for the given texts, then the examples (a hybrid judges both)
    assert coder.held_out.shape == (len(texts) + 3, len(code_ids))
    assert coder.example_rows[0] == PARKING_EXAMPLES
    assert coder.example_rows[1].tolist() == [[1, 0, 0]] * 3
    assert coder.features_used()["codebook_examples"] == 3


def test_the_count_is_saved_and_a_loaded_coder_keeps_the_examples(book, few_parking,
                                                                  tmp_path):
    texts, labels, code_ids = few_parking
    coder = LinearCoder(codebook="comments@1", embeddings=False,
                        examples=codebook_examples(book)).fit(texts, labels, code_ids)
    coder.to_disk(tmp_path / "model")
    config = json.loads((tmp_path / "model" / "config.json").read_text(encoding="utf-8"))
    assert config["settings"]["codebook_examples"] == 3
    loaded = LinearCoder.from_disk(tmp_path / "model", book)
    assert loaded.examples_used == 3 and loaded.examples == codebook_examples(book)
    assert loaded.predict(UNSEEN).tolist() == coder.predict(UNSEEN).tolist()


@pytest.mark.parametrize("kind", ["linear", "linear-static", "hybrid", "hybrid-static",
                                  "linear-finetuned", "hybrid-finetuned"])
def test_every_linear_kind_trains_on_the_codebook_examples(book, kind):
    coder = new_coder(kind, book)
    assert getattr(coder, "model", coder).examples == codebook_examples(book)


def test_a_hybrid_judges_rules_and_model_on_the_examples_too(book, few_parking):
    from sklearn.metrics import f1_score

    from pipeline.coding.hybrid import HybridCoder

    texts, labels, code_ids = few_parking
    hybrid = HybridCoder(book, embedding=None).fit(texts, labels, code_ids)
    with_examples = np.vstack([labels, [[1, 0, 0]] * 3])[:, 0]
    rules = hybrid._rule_matrix(texts + PARKING_EXAMPLES)[:, 0]
    # the patterns ("parking", "car park") find two of the three examples
    assert rules[-3:].tolist() == [0, 1, 1]
    expected = f1_score(with_examples, rules)
    assert hybrid.reasons["parking"].startswith(f"held-out F1 rules {expected:.2f}, ")
    assert f"{expected:.2f}" != f"{f1_score(labels[:, 0], rules[:-3]):.2f}"
