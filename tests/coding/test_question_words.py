"""A transcript's questions, all different, are read as words; a survey's few as categories."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.linear import LinearCoder
from pipeline.coding.question_words import MAX_CATEGORIES, question_vectorizer
from pipeline.coding.registry import load_coder
from pipeline.config import load_codebook

TOPIC = {"parking": "the car park", "food_drink": "the meals", "staff_manner": "the nurses"}


def _remarks(gold) -> list[str]:
    """An interviewer's last turn before each comment: a different sentence every time."""
    out = []
    for i, row in enumerate(gold.labels):
        code = gold.code_ids[int(np.argmax(row))] if row.any() else None
        topic = TOPIC.get(code, "anything else")
        out.append(f"Right, number {i}, so tell me about {topic} if you would")
    return out


@pytest.fixture(scope="module")
def trained(comments_gold):
    known = pd.DataFrame({s.CONTEXT: _remarks(comments_gold)})
    return LinearCoder(codebook="comments@1", embedding=None).fit(
        comments_gold.texts, comments_gold.labels, comments_gold.code_ids, known)


def test_only_many_distinct_questions_are_read_as_words():
    few = ["How could we improve?", "What did we do well?"] * 30
    assert question_vectorizer(few) is None
    many = [f"so what about item {i} then" for i in range(MAX_CATEGORIES + 1)]
    assert "what about" in question_vectorizer(many).vocabulary_
    assert question_vectorizer([f"q{i}" for i in range(MAX_CATEGORIES + 5)]) is None  # no
    # word in two questions


def test_the_words_of_the_question_move_the_codes(trained, comments_gold):
    assert trained.features_used()["question_words"] is True
    text = ["It was all a bit much really"]
    about_parking = trained.predict_proba(text, ["Okay and what about the car park then"])
    about_meals = trained.predict_proba(text, ["Okay and what about the meals then"])
    column = trained.code_ids.index("parking")
    assert about_parking[0, column] > about_meals[0, column]
    survey = LinearCoder(embedding=None).fit(comments_gold.texts, comments_gold.labels,
                                             comments_gold.code_ids,
                                             comments_gold.extra["FFT question"].tolist())
    assert survey.asked is None and survey.features_used()["question_words"] is False


def test_saved_question_words_load_and_score_alike(trained, tmp_path, data_dir):
    book = load_codebook(data_dir / "codebook-comments.yaml")
    trained.to_disk(tmp_path / "model")
    loaded = load_coder(tmp_path / "model", book)
    texts, asked = ["It was all a bit much really"], ["what about the car park then"]
    assert loaded.predict_proba(texts, asked) == pytest.approx(
        trained.predict_proba(texts, asked))
    # the vocabulary is saved with the model's other fitted parts
    config = json.loads((tmp_path / "model" / "config.json").read_text(encoding="utf-8"))
    assert config["question_words"]["vocabulary"]
