"""The semantic coder and rules ∪ semantic, with the real offline MiniLM on a small codebook."""

from __future__ import annotations

import pytest
from support_coding import paraphrase_coding, segments

from pipeline import schema as s
from pipeline.coding.semantic import FLOOR, SemanticCoder
from pipeline.config import Codebook, load_codebook

PARAPHRASE = ("Lovely visit overall. It took us twenty minutes to find somewhere to leave the car, "
              "so we were late.")
CLAUSE = "It took us twenty minutes to find somewhere to leave the car"
UNRELATED = ("My grandson starts school in September.", "Our tax bill went up again this year.")


@pytest.fixture(scope="module")
def book(data_dir) -> Codebook:
    return load_codebook(data_dir / "codebook-semantic.yaml")


@pytest.fixture(scope="module")
def coder(book) -> SemanticCoder:
    return SemanticCoder(book)


def test_a_paraphrase_no_pattern_matches_gets_its_code_and_clause(book, coder):
    row = paraphrase_coding(coder, book, PARAPHRASE, CLAUSE)
    assert row[s.METHOD] == "semantic"
    assert row[s.PATTERN].startswith("parking:")
    assert coder.thresholds["parking"] <= row[s.CONFIDENCE] <= 1.0


def test_a_sentence_about_something_else_gets_nothing(coder):
    assert coder.code(segments(*UNRELATED, "   ")).empty
    assert list(coder.code(segments(*UNRELATED)).columns) == list(s.CODINGS.names)


def test_parents_without_examples_only_group_their_children(coder):
    assert coder.code_ids == ["parking", "buses", "pool", "changing_rooms", "staff"]


def test_thresholds_come_from_the_codebook_alone(book, coder):
    before = coder.thresholds
    assert all(FLOOR <= t <= 1.0 for t in before.values())
    assert coder.describe()["thresholds"] == {c: round(t, 4) for c, t in before.items()}
    coder.code(segments(PARAPHRASE, *UNRELATED))
    assert coder.thresholds == before == SemanticCoder(book).thresholds  # no wave moves them
    data = book.model_dump()
    pool = next(c for c in data["codes"] if c["id"] == "pool")
    pool["examples"] = ["We could not find a space to leave the car near the pool entrance."]
    changed = SemanticCoder(Codebook.model_validate(data)).thresholds
    assert changed["pool"] != pytest.approx(before["pool"], abs=1e-3)
