"""The few-shot coder and labelled texts as codebook examples, with the real offline MiniLM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.few_shot import MIN_POSITIVES, FewShotCoder, with_examples
from pipeline.coding.rules import RuleCoder
from pipeline.config import Codebook, load_codebook
from pipeline.quality.gold import GoldSet, load_gold

PREFIX = "Visit on Tuesday. " * 5 + "Notes:  "  # the segment starts 98 characters into its document
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
    return FewShotCoder(book).fit(gold.texts, gold.labels, gold.code_ids)


def segments(*texts: str, starts=None) -> pd.DataFrame:
    return pd.DataFrame({s.SEGMENT_ID: [f"s{i}" for i in range(len(texts))],
                         s.START: starts or [0] * len(texts), s.TEXT: list(texts)})


def test_a_paraphrase_no_pattern_matches_gets_its_code_and_clause(book, coder):
    document = PREFIX + PARAPHRASE
    frame = segments(PARAPHRASE, starts=[len(PREFIX)])
    assert RuleCoder(book).code(frame).empty  # no pattern of any code matches
    codings = coder.code(frame)
    assert codings[s.CODE_ID].tolist() == ["parking"]
    row = codings.iloc[0]
    assert (row[s.START], row[s.END]) == (len(PREFIX) + 22, len(PREFIX) + 22 + len(CLAUSE))
    assert document[row[s.START]:row[s.END]] == row[s.EVIDENCE] == CLAUSE
    assert row[s.METHOD] == "few-shot" and row[s.CODER] == coder.name
    assert 0.5 <= row[s.CONFIDENCE] <= 1.0
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
