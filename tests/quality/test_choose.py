"""One decision of which coder codes a wave, and how it is gated, wherever a run starts."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.rules import RuleCoder
from pipeline.config import load_codebook
from pipeline.errors import ConfigError
from pipeline.quality import choose
from pipeline.quality.gate import AgreementGate
from pipeline.quality.provenance import GoldProvenance
from pipeline.quality.train import train_model

# Declared for these tests: the comments fixture stands in for real, human-coded gold.
REAL = GoldProvenance(texts="real", coding="human", coders=["A", "B"])


def segments(*texts):
    return pd.DataFrame({s.SEGMENT_ID: [f"s{i}" for i in range(len(texts))], s.START: 0,
                         s.TEXT: list(texts), s.CONTEXT: None})


@pytest.fixture(scope="module")
def models(tmp_path_factory, data_dir, comments_gold):
    """A models folder with one trained linear model, and the codebook beside it."""
    root = tmp_path_factory.mktemp("project")
    shutil.copy(data_dir / "codebook-comments.yaml", root / "comments.yaml")
    book = load_codebook(root / "comments.yaml")
    train_model("linear", dataclasses.replace(comments_gold, provenance=REAL), book,
                root / "models" / "comments-linear", n_folds=3)
    return root, book


@pytest.fixture()
def in_project(models, monkeypatch):
    root, book = models
    monkeypatch.setattr(choose, "MODELS_DIR", root / "models")
    return root, book


def write_agreement(root, gold, macro_f1, kappa=None, provenance=REAL, min_support=10):
    folder = root / "comments.agreement"
    folder.mkdir(exist_ok=True)
    per_code = [{"code_id": c, "kappa": (kappa or {}).get(c, 0.9)} for c in gold.code_ids]
    (folder / "evaluation.json").write_text(json.dumps(
        {"macro_f1": macro_f1, "gold": "comments.csv", "gold_sha256": gold.sha256,
         "min_support": min_support, "per_code": per_code,
         "gold_provenance": provenance.model_dump(mode="json") if provenance else None}))
    return folder / "evaluation.json"


def test_auto_picks_the_best_measured_coder(in_project, comments_gold):
    root, book = in_project
    write_agreement(root, comments_gold, 0.5)
    chosen = choose.resolve_coder("auto", book, root / "comments.yaml", min_kappa=1.01)
    assert chosen.name == "comments-linear"  # by name: the same wherever the code runs
    assert "rules: macro-F1 0.500 on real human-coded gold" in chosen.reason
    assert "comments-linear: " in chosen.reason
    assert chosen.agreement is None and isinstance(chosen.coder, AgreementGate)
    with chosen.coder.keeping_docs() as parsed:
        codings = chosen.coder.code(segments("The car park was full again"))
    assert parsed is None  # a linear model makes no docs to keep
    assert codings[s.CODE_ID].tolist() == ["parking"]
    assert codings[s.NEEDS_REVIEW].tolist() == [True]  # gated by the card: all below 1.01
    info = chosen.info()
    assert info["model"]["name"] == "comments-linear"
    assert info["model"]["cross_validation"]["folds"] == 3
    assert info["needs_review_codes"] == sorted(comments_gold.code_ids)


def test_rules_are_gated_by_the_evaluation_beside_the_codebook(in_project, comments_gold):
    root, book = in_project
    path = write_agreement(root, comments_gold, 0.999, kappa={"parking": 0.3})
    chosen = choose.resolve_coder("auto", book, root / "comments.yaml")
    assert chosen.name == "rules" and chosen.agreement == path
    assert isinstance(chosen.coder.coder, RuleCoder) and chosen.coder.gated == ["parking"]
    with chosen.coder.keeping_docs() as parsed:  # for the stance stage, through the gate
        codings = chosen.coder.code(segments("The car park was full again", "Nothing else."))
    assert codings[s.CODE_ID].tolist() == ["parking"] and list(parsed.docs) == ["s0"]
    info = chosen.info()
    assert info["chosen"] == "rules" and info["needs_review_codes"] == ["parking"]
    assert "model" not in info


def test_without_measurements_auto_means_the_coder_that_needs_no_gold(in_project):
    root, book = in_project
    shutil.rmtree(root / "comments.agreement", ignore_errors=True)
    chosen = choose.resolve_coder("auto", book, root / "comments.yaml")
    assert chosen.name == choose.without_real_gold()
    assert not isinstance(chosen.coder, AgreementGate)  # nothing measured to gate by
    assert chosen.reason == "no measured agreement for this codebook"


@pytest.mark.parametrize(("provenance", "min_support", "why"), [
    (None, 10, "comments.csv declares no provenance (no .provenance.yaml sidecar)"),
    (GoldProvenance(texts="generated", coding="machine"), 10,
     "comments.csv is generated text with machine coding, not real human-coded data"),
    (GoldProvenance(texts="real", coding="mixed"), 10,
     "comments.csv is real text with mixed coding, not real human-coded data"),
    (REAL, 5, "scored on codes with fewer than 10 examples in comments.csv (--min-support 5)"),
])
def test_only_real_human_gold_lets_auto_choose(in_project, comments_gold, provenance,
                                               min_support, why):
    # the trained model scores far above the rules, on gold that is no evidence
    root, book = in_project
    write_agreement(root, comments_gold, 0.01, provenance=provenance, min_support=min_support)
    chosen = choose.resolve_coder("auto", book, root / "comments.yaml")
    assert chosen.name == choose.without_real_gold()
    assert chosen.reason == f"no real gold to choose by: {why}"
    assert chosen.card is None


def test_unknown_or_untrained_coders_are_refused_with_what_to_do(in_project):
    root, book = in_project
    with pytest.raises(ConfigError, match="not 'auto', 'rules' or a trained model"):
        choose.resolve_coder("no-such-model", book, root / "comments.yaml")
    with pytest.raises(ConfigError, match="'linear' must be trained first"):
        choose.resolve_coder("linear", book, root / "comments.yaml")


def test_coders_that_need_no_gold_are_asked_for_by_name(in_project):
    root, book = in_project
    chosen = choose.resolve_coder("rules+semantic", book, root / "comments.yaml")
    assert chosen.name == "rules+semantic" and chosen.reason == "asked for"
    assert chosen.coder.name.startswith("rules+semantic") and chosen.card is None
    assert choose.resolve_coder("semantic", book, root / "comments.yaml").name == "semantic"
