"""Measuring coders: by group (sessions whole, repeats merged), and saved models as they are."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.features import rule_matrix
from pipeline.coding.registry import load_coder
from pipeline.coding.rules import RuleCoder
from pipeline.config import load_codebook
from pipeline.errors import InputError
from pipeline.quality.gold import load_gold
from pipeline.quality.measure import known_of, measure, measure_saved, saved_predictions
from pipeline.quality.train import train_model

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
COMMENTS = DATA / "gold" / "comments.csv"


def test_grouped_measurement_merges_repeats_and_says_how_it_split(data_dir, mini_codebook):
    gold = load_gold(data_dir / "gold" / "taguette-sessions.csv", mini_codebook)
    assert "document" not in known_of(gold).columns  # the session is never a feature
    grouped, rules = measure(gold, mini_codebook, ["baseline", "rules"], n_folds=3,
                             min_support=5, n_boot=0, group="document")
    assert grouped.evaluation.summary["grouped_by"] == "document"
    assert grouped.evaluation.summary["n_groups"] == 6
    assert grouped.evaluation.summary["n_texts"] == 39 == rules.evaluation.summary["n_texts"]
    assert rules.evaluation.summary["grouped_by"] is None
    (plain,) = measure(gold, mini_codebook, ["baseline"], n_folds=3, min_support=5, n_boot=0)
    assert plain.evaluation.summary["grouped_by"] is None
    assert plain.evaluation.summary["n_texts"] == 40


def _without_staff_manner(tmp_path: Path) -> Path:
    """The patient comments' gold with the staff-manner column left out (one review round)."""
    comments = pd.read_csv(COMMENTS, dtype=str, keep_default_na=False)
    path = tmp_path / "two-codes.csv"
    comments.drop(columns=["Staff manner & personal attributes"]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("kind, ruled", [("hybrid-static", True), ("linear-static", False)])
def test_a_saved_model_is_scored_on_codes_it_never_learned_as_a_run_codes_them(
        tmp_path, kind, ruled):
    """A hybrid codes in a run what its model never learned by the codebook's patterns, so
    evaluate --model scores it so; a model without rules beside it never gives such a code."""
    book = load_codebook(DATA / "codebook-comments.yaml")
    train_model(kind, load_gold(_without_staff_manner(tmp_path), book), book,
                tmp_path / "model", n_folds=3, min_support=3)
    gold = load_gold(COMMENTS, book)
    pred = saved_predictions(tmp_path / "model", gold, book)
    staff = gold.code_ids.index("staff_manner")
    by_rules = rule_matrix(RuleCoder(book), gold.texts, ["staff_manner"])[:, 0]
    assert by_rules.sum() >= 10  # the column is not empty either way
    if ruled:
        assert (pred[:, staff] == by_rules).all()
        # as the same saved model codes the text in a run
        lovely = gold.texts.index("Lovely caring staff on the ward")
        assert pred[lovely, staff] == 1
        segment = pd.DataFrame({s.SEGMENT_ID: ["x"], s.START: [0], s.CONTEXT: [None],
                                s.TEXT: ["Lovely caring staff on the ward"]})
        run_codes = load_coder(tmp_path / "model", book).code(segment)[s.CODE_ID].tolist()
        assert "staff_manner" in run_codes
        scored = measure_saved(gold, book, tmp_path / "model", min_support=3, n_boot=0)
        f1 = {row["code_id"]: row["f1"] for row in scored.evaluation.to_json()["per_code"]}
        assert f1["staff_manner"] > 0.5
    else:
        assert pred[:, staff].sum() == 0


def test_fewer_texts_than_folds_is_refused_naming_the_gold_file():
    book = load_codebook(DATA / "codebook-comments.yaml")
    two = load_gold(COMMENTS, book).subset([0, 1])
    with pytest.raises(InputError, match=r"^comments\.csv: 2 texts, too few for 3-fold "
                                         r"cross-validation: code more texts, or lower --folds"):
        measure(two, book, ["linear-static"], n_folds=3, n_boot=0)


def test_gold_with_no_code_to_score_is_refused_naming_its_most_coded_code():
    """In the first ten comments no code has five examples: nothing reaches --min-support 5."""
    book = load_codebook(DATA / "codebook-comments.yaml")
    gold = load_gold(COMMENTS, book)
    ten = gold.subset(list(range(10)))
    most = max(ten.support().items(), key=lambda kv: kv[1])
    assert most[1] < 5
    with pytest.raises(InputError, match=(
            rf"^comments\.csv: no code has 5 or more examples among its 10 texts \(most: "
            rf"{most[0]}, {most[1]}\), so nothing can be scored")):
        measure(ten, book, ["rules"], n_folds=2, min_support=5, n_boot=0)
