"""The semantic coder and rules ∪ semantic, with the real offline MiniLM on a small codebook."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.clauses import split_clauses
from pipeline.coding.registry import new_coder
from pipeline.coding.rules import RuleCoder
from pipeline.coding.semantic import FLOOR, SemanticCoder
from pipeline.coding.union import RulesSemanticCoder
from pipeline.config import Codebook, load_codebook

PREFIX = "Visit on Tuesday. " * 5 + "Notes:  "  # the segment starts 98 characters into its document
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


def segments(*texts: str, starts=None) -> pd.DataFrame:
    return pd.DataFrame({s.SEGMENT_ID: [f"s{i}" for i in range(len(texts))],
                         s.START: starts or [0] * len(texts), s.TEXT: list(texts)})


def test_clauses_keep_exact_offsets():
    text = "Staff were kind but the wait was long.\nParking was awful; the café was shut, so."
    clauses = split_clauses(text)
    assert [c.text for c in clauses] == [
        "Staff were kind", "but the wait was long.", "Parking was awful", "the café was shut, so."]
    assert all(text[c.start:c.end] == c.text for c in clauses)
    assert [c.text for c in split_clauses("Great. Thanks")] == ["Great. Thanks"]  # one word each
    assert split_clauses("  \n ") == []


def test_a_paraphrase_no_pattern_matches_gets_its_code_and_clause(book, coder):
    document = PREFIX + PARAPHRASE
    frame = segments(PARAPHRASE, starts=[len(PREFIX)])
    assert RuleCoder(book).code(frame).empty  # no pattern of any code matches
    codings = coder.code(frame)
    assert codings[s.CODE_ID].tolist() == ["parking"]
    row = codings.iloc[0]
    assert (row[s.START], row[s.END]) == (len(PREFIX) + 22, len(PREFIX) + 22 + len(CLAUSE))
    assert document[row[s.START]:row[s.END]] == row[s.EVIDENCE] == CLAUSE
    assert row[s.METHOD] == "semantic" and row[s.CODER] == coder.name
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


def test_the_union_keeps_every_rule_coding_and_adds_the_paraphrase(book):
    union = new_coder("rules+semantic", book)
    assert isinstance(union, RulesSemanticCoder)
    frame = segments("The pool was freezing and the lifeguards were chatting.",
                     "Parking was fine but the showers were cold.", PARAPHRASE)
    rules = RuleCoder(book).code(frame)
    assert len(rules) >= 4
    coded = union.code(frame)
    key = [s.SEGMENT_ID, s.CODE_ID, s.START, s.END, s.EVIDENCE, s.METHOD, s.PATTERN]
    kept = rules[key].merge(coded[key], how="left", indicator=True)
    assert (kept["_merge"] == "both").all()
    assert not coded.duplicated([s.SEGMENT_ID, s.CODE_ID]).any()
    added = coded[coded[s.METHOD] == "semantic"]
    assert ("s2", "parking") in set(zip(added[s.SEGMENT_ID], added[s.CODE_ID], strict=True))
    assert (coded[s.CODER] == union.name).all()
    assert coded[s.SEGMENT_ID].tolist() == sorted(coded[s.SEGMENT_ID])


def test_evaluate_scores_the_untrained_kinds_on_every_text(data_dir, comments_gold):
    from pipeline.quality.measure import measure

    book = load_codebook(data_dir / "codebook-comments.yaml")
    results = measure(comments_gold, book, ["rules", "semantic", "rules+semantic"],
                      min_support=3, n_boot=0)
    summaries = {m.evaluation.coder: m.evaluation.summary for m in results}
    assert all(summary["folds"] == 0 for summary in summaries.values())  # none trained
    assert summaries["semantic"]["n_texts"] == len(comments_gold.texts)
    # The union holds every rule coding, so it recalls at least what the rules recall.
    recall = {m.evaluation.coder: m.evaluation.per_code["recall"].sum() for m in results}
    assert recall["rules+semantic"] >= recall["rules"]
