"""Gold provenance: a sidecar says whether a gold file is real human-coded data."""

from __future__ import annotations

import shutil

import pytest

from pipeline.config import load_codebook
from pipeline.errors import ConfigError
from pipeline.quality.card import gold_origin
from pipeline.quality.gold import load_gold
from pipeline.quality.measure import measure
from pipeline.quality.provenance import GoldProvenance, drives_auto, provenance_path

SIDECAR = """texts: real
coding: human
coders: [Coder A, Coder B]
coded: 2024-05-01
source: patient comments
"""


@pytest.fixture()
def gold_copy(tmp_path, data_dir):
    shutil.copy(data_dir / "gold" / "comments.csv", tmp_path / "comments.csv")
    return tmp_path / "comments.csv", load_codebook(data_dir / "codebook-comments.yaml")


def test_the_sidecar_beside_the_gold_is_read_and_recorded_with_the_scores(gold_copy):
    path, book = gold_copy
    assert provenance_path(path).name == "comments.provenance.yaml"
    provenance_path(path).write_text(SIDECAR, encoding="utf-8")
    gold = load_gold(path, book)
    assert gold.provenance.is_real_gold() and gold.provenance.coders == ["Coder A", "Coder B"]
    assert gold.subset([0, 1]).provenance == gold.provenance
    summary = measure(gold, book, ["rules"], min_support=1, n_boot=10)[0].evaluation.summary
    assert summary["gold_provenance"]["texts"] == "real"
    assert summary["gold_provenance"]["coded"] == "2024-05-01"
    assert drives_auto(summary | {"min_support": 10}) == (
        True, "real human-coded gold (comments.csv)")
    assert gold_origin(gold.provenance) == ("gold: real text, coded by Coder A, Coder B on "
                                            "2024-05-01 (patient comments)")


def test_without_a_sidecar_the_gold_is_of_unknown_origin(gold_copy):
    path, book = gold_copy
    gold = load_gold(path, book)
    assert gold.provenance is None
    summary = measure(gold, book, ["rules"], min_support=1, n_boot=10)[0].evaluation.summary
    assert summary["gold_provenance"] is None
    assert not drives_auto(summary)[0]
    assert "unknown origin" in gold_origin(None)


def test_a_sidecar_given_elsewhere_wins_and_a_bad_one_names_file_and_field(gold_copy, tmp_path):
    path, book = gold_copy
    elsewhere = tmp_path / "declared.yaml"
    elsewhere.write_text("texts: generated\ncoding: machine\n", encoding="utf-8")
    provenance_path(path).write_text(SIDECAR, encoding="utf-8")
    assert load_gold(path, book, elsewhere).provenance == GoldProvenance(
        texts="generated", coding="machine")
    assert "demonstration" in gold_origin(load_gold(path, book, elsewhere).provenance)
    elsewhere.write_text("texts: real\ncoding: by hand\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"declared\.yaml: invalid GoldProvenance:\n  coding: "):
        load_gold(path, book, elsewhere)
    with pytest.raises(ConfigError, match="missing.yaml: file not found"):
        load_gold(path, book, tmp_path / "missing.yaml")
