"""Rules ∪ semantic: every rule coding kept, semantic codings only where the rules gave none."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.registry import new_coder
from pipeline.coding.rules import RuleCoder
from pipeline.coding.union import RulesSemanticCoder
from pipeline.config import Codebook, load_codebook

PARAPHRASE = ("Lovely visit overall. It took us twenty minutes to find somewhere to leave the car, "
              "so we were late.")


@pytest.fixture(scope="module")
def book(data_dir) -> Codebook:
    return load_codebook(data_dir / "codebook-semantic.yaml")


def segments(*texts: str) -> pd.DataFrame:
    return pd.DataFrame({s.SEGMENT_ID: [f"s{i}" for i in range(len(texts))], s.START: 0,
                         s.TEXT: list(texts)})


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


def test_the_union_keeps_the_docs_of_the_segments_its_rules_matched(book):
    union = new_coder("rules+semantic", book)
    frame = segments("Parking was fine but the showers were cold.", PARAPHRASE)
    with union.keeping_docs() as parsed:
        coded = union.code(frame)
    assert set(coded[s.SEGMENT_ID]) == {"s0", "s1"}  # s1 by the semantic coder alone
    assert parsed.nlp is union.rules.nlp and list(parsed.docs) == ["s0"]
    assert parsed.docs["s0"][1].text == frame.loc[0, s.TEXT]


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
