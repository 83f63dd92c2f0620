"""The few-shot coder and labelled texts as codebook examples, with the real offline MiniLM."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from support_coding import PREFIX, paraphrase_coding, segments

from pipeline import schema as s
from pipeline.coding.few_shot import MIN_POSITIVES, THRESHOLD, FewShotCoder, with_examples
from pipeline.coding.registry import load_coder
from pipeline.config import Codebook, load_codebook
from pipeline.quality.choose import resolve_coder
from pipeline.quality.gold import GoldSet, load_gold
from pipeline.quality.train import train_model

PARAPHRASE = ("Lovely visit overall. We circled for twenty minutes looking for somewhere to leave "
              "the car, so we were late.")
CLAUSE = "We circled for twenty minutes looking for somewhere to leave the car"


@pytest.fixture(scope="module")
def book(data_dir) -> Codebook:
    return load_codebook(data_dir / "codebook-semantic.yaml")


@pytest.fixture(scope="module")
def gold(data_dir, book) -> GoldSet:
    return load_gold(data_dir / "gold" / "leisure-few-shot.csv", book)


@pytest.fixture(scope="module")
def coder(book, gold) -> FewShotCoder:
    # the default cut suits a draw of hundreds of texts; 22 give the model less confidence
    return FewShotCoder(book, threshold=0.5).fit(gold.texts, gold.labels, gold.code_ids)


def test_a_paraphrase_no_pattern_matches_gets_its_code_and_clause(book, coder):
    row = paraphrase_coding(coder, book, PARAPHRASE, CLAUSE)
    assert row[s.METHOD] == "few-shot"
    assert coder.threshold <= row[s.CONFIDENCE] <= 1.0
    assert coder.predict([PARAPHRASE])[0].tolist() == [1, 0, 0, 0, 0]


def test_a_rule_match_the_model_keeps_has_its_pattern_as_evidence(coder):
    codings = coder.code(segments("Unrelated. The lockers were broken."))
    assert codings[s.CODE_ID].tolist() == ["changing_rooms"]
    row = codings.iloc[0]
    assert (row[s.START], row[s.END], row[s.EVIDENCE]) == (15, 22, "lockers")
    assert row[s.METHOD] == "rule" and row[s.CODER] == coder.name


def test_a_sentence_about_something_else_gets_nothing(coder):
    assert coder.code(segments("My grandson starts school in September.", "   ")).empty


def test_codes_with_too_few_examples_are_left_to_their_rules(book, gold):
    rows = [i for i, t in enumerate(gold.texts) if not (gold.labels[i, 1] and "12" in t
                                                        or "last bus" in t or "stop" in t)]
    few = gold.subset(rows)
    assert few.support()["buses"] < MIN_POSITIVES
    coder = FewShotCoder(book).fit(few.texts, few.labels, few.code_ids)
    assert "buses" not in coder.models and "parking" in coder.models
    codings = coder.code(segments("The bus was late."))
    assert codings[[s.CODE_ID, s.EVIDENCE]].values.tolist() == [["buses", "bus"]]


def test_with_examples_adds_each_codes_labelled_texts(book, gold):
    grown = with_examples(book, gold.texts, gold.labels, gold.code_ids)
    by_id = {code.id: code for code, _ in grown.walk()}
    original = {code.id: code for code, _ in book.walk()}
    parking = [gold.texts[i] for i in np.flatnonzero(gold.labels[:, 0])]
    assert by_id["parking"].examples == [*original["parking"].examples, *parking]
    assert gold.texts[1] in by_id["pool"].examples  # a text with two codes serves both
    assert by_id["getting_there"].examples == []  # a parent has no labels of its own
    assert len(original["parking"].examples) == 3  # the codebook given is unchanged


def test_a_saved_coder_loads_and_codes_the_same(tmp_path, book, coder):
    frame = segments(PARAPHRASE, "Unrelated. The lockers were broken.", "The bus was late.",
                     "My grandson starts school in September.", starts=[len(PREFIX), 0, 0, 0])
    before = coder.code(frame)
    coder.to_disk(tmp_path / "model")
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    assert config["kind"] == "few-shot" and config["codebook"] == "leisure-visits@0.1"
    assert config["learned"] == ["parking", "buses", "pool", "changing_rooms", "staff"]
    loaded = load_coder(tmp_path / "model", book)
    assert isinstance(loaded, FewShotCoder) and loaded.name == coder.name
    assert before[s.CODE_ID].tolist() == ["parking", "changing_rooms", "buses"]
    pd.testing.assert_frame_equal(loaded.code(frame), before)
    assert loaded.describe() == coder.describe()


def test_trained_with_a_card_and_run_by_its_folder(tmp_path, book, gold, data_dir):
    out = tmp_path / "leisure-few-shot"
    card = train_model("few-shot", gold, book, out, n_folds=3, min_support=3,
                       command="wavecoder train --coder few-shot")
    assert card.kind == "few-shot" and card.coder.startswith("few-shot-v1:leisure-visits")
    assert card.thresholds == dict.fromkeys(
        ["parking", "buses", "pool", "changing_rooms", "staff"], THRESHOLD)
    assert card.features["rules"] is True and card.not_learned == {}
    assert {row.code_id for row in card.per_code} >= {"parking", "pool"}
    chosen = resolve_coder(str(out), book, data_dir / "codebook-semantic.yaml")
    assert chosen.card == card and chosen.info()["model"]["kind"] == "few-shot"
    codings = chosen.coder.code(segments(CLAUSE + ".", "The bus was late."))
    assert codings[s.CODE_ID].tolist() == ["parking", "buses"]
    assert codings[s.METHOD].tolist() == ["few-shot", "rule"]


def test_the_codebooks_own_examples_can_join_the_labelled_texts(book, gold):
    parking = next(code for code, _ in book.walk() if code.id == "parking")
    example = parking.examples[2]  # "There are never enough bays in the evening."
    without = FewShotCoder(book, codebook_examples=False).fit(gold.texts, gold.labels,
                                                              gold.code_ids)
    with_them = FewShotCoder(book, codebook_examples=True).fit(gold.texts, gold.labels,
                                                               gold.code_ids)
    assert with_them.describe()["features"]["codebook_examples"] is True
    before, after = without.predict_proba([example])[0], with_them.predict_proba([example])[0]
    assert after[0] > before[0]  # parking: its own example is now a positive
    assert after[1:].max() < 0.5  # ... and a counter-example of the other codes
