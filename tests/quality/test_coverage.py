"""Which codes a trained model gives (``pipeline/quality/coverage.py``).

A model trained on gold that holds two of the codebook's three codes (as after one review
round) gives those two and no other; a hybrid leaves the third to its patterns.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import load_codebook
from pipeline.quality.card import read_card
from pipeline.quality.coverage import codes_not_given, coverage_warning
from pipeline.quality.gold import load_gold
from pipeline.quality.train import train_model

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BOOK = load_codebook(DATA / "codebook-comments.yaml")


@pytest.fixture(scope="module")
def two_code_gold(tmp_path_factory):
    """The patient comments with the staff-manner column left out."""
    path = tmp_path_factory.mktemp("coverage") / "two-codes.csv"
    comments = pd.read_csv(DATA / "gold" / "comments.csv", dtype=str, keep_default_na=False)
    comments.drop(columns=["Staff manner & personal attributes"]).to_csv(path, index=False)
    return load_gold(path, BOOK)


@pytest.mark.parametrize("kind, missing", [("linear-static", ["staff_manner"]),
                                           ("hybrid-static", [])])
def test_a_model_gives_the_codes_it_learned_and_a_hybrid_the_patterns_too(
        two_code_gold, tmp_path, kind, missing):
    card = train_model(kind, two_code_gold, BOOK, tmp_path / kind, n_folds=3, min_support=3)
    assert sorted(card.thresholds) == ["food_drink", "parking"]
    assert codes_not_given(card, BOOK) == missing
    assert read_card(tmp_path / kind) == card  # what a run reads back from the folder
    warning = coverage_warning(card, BOOK)
    if missing:
        assert warning == (
            f"model '{kind}' gives 2 of the codebook's 3 codes; 1 get no codings from it: "
            "staff_manner (too few examples in its gold: train on a gold file that holds them, "
            "or with a hybrid kind, which leaves such codes to their patterns)")
    else:
        assert warning is None


def test_a_parent_is_given_through_its_children_and_the_shipped_model_gives_every_code():
    book = load_codebook(ROOT / "models" / "codebooks" / "recovery-capital.yaml")
    shipped = read_card(ROOT / "models" / "recovery-capital-hybrid")
    assert codes_not_given(shipped, book) == []
    # the same card as a kind without the rules, deciding only one child code
    alone = shipped.model_copy(update={"kind": "linear", "thresholds": {"housing_gap": 0.5}})
    missing = codes_not_given(alone, book)
    assert "housing_gap" not in missing and "housing" not in missing  # its parent, through it
    assert missing == [c for c in book.code_ids() if c not in {"housing", "housing_gap"}]
    assert coverage_warning(alone, book).startswith(
        f"model 'recovery-capital-hybrid' gives 2 of the codebook's {len(book.code_ids())} "
        f"codes; {len(book.code_ids()) - 2} get no codings from it: mental_health, ")
