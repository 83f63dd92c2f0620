"""``wavecoder agreement``: two coders' files, and the rule coder beside them."""

from __future__ import annotations

import json
from pathlib import Path

from support_tables import folded_first_column, table_rows
from typer.testing import CliRunner

from flows.cli import app
from pipeline.coding.features import rule_matrix
from pipeline.coding.registry import new_coder
from pipeline.config import load_codebook
from pipeline.quality.agreement import cohen_kappa
from pipeline.quality.coder_agreement import match
from pipeline.quality.evaluate import with_ancestors
from pipeline.quality.gold import load_gold

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = ROOT / "models" / "codebooks" / "recovery-capital.yaml"
A = ROOT / "tests" / "data" / "agreement" / "coder-a.csv"
B = ROOT / "tests" / "data" / "agreement" / "coder-b.csv"
runner = CliRunner()


def test_agreement_between_two_coders_and_the_rules_beside_them():
    result = runner.invoke(app, ["agreement", "--gold", str(A), "--gold", str(B), "--codebook",
                                 str(CODEBOOK), "--coder", "rules", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["files"] == ["coder-a.csv", "coder-b.csv"] and report["n_items"] == 10
    assert report["only_in"] == {"coder-a.csv": 1, "coder-b.csv": 1}
    humans, rules_a, rules_b = report["pairs"]
    assert rules_a["raters"] == ["rules", "coder-a.csv"]
    housing = {row["code_id"]: row for row in humans["per_code"]}["housing"]
    assert housing["kappa"] == 0.5833 and housing["f1"] == 0.75  # worked by hand
    # the rules' kappa against coder B equals one computed directly on the same items
    book = load_codebook(CODEBOOK)
    matched = match(load_gold(A, book), load_gold(B, book), book, ("a", "b"))
    rules, codes = with_ancestors(rule_matrix(new_coder("rules", book), matched.gold.texts,
                                              matched.gold.code_ids), matched.gold.code_ids, book)
    for row in rules_b["per_code"]:
        j = codes.index(row["code_id"])
        expected = cohen_kappa(rules[:, j], matched.second[:, j])
        assert row["kappa"] == (None if expected != expected else round(expected, 4))


def test_the_table_names_the_raters_and_the_items_left_out():
    result = runner.invoke(app, ["agreement", "--gold", str(A), "--gold", str(B), "--codebook",
                                 str(CODEBOOK)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "A = coder-a.csv; B = coder-b.csv" in result.stdout
    assert "coder-a.csv vs coder-b.csv: mean κ 0.49" in result.stdout
    assert "1 only in coder-a.csv, 1 only in coder-b.csv" in result.stdout


def test_the_table_keeps_every_code_id_whole_in_an_80_column_log():
    result = runner.invoke(app, ["agreement", "--gold", str(A), "--gold", str(B), "--codebook",
                                 str(CODEBOOK), "--coder", "rules", "--model",
                                 str(ROOT / "models" / "recovery-capital-hybrid")],
                           env={"COLUMNS": "80"})  # two machines: five kappa columns
    assert result.exit_code == 0, result.output
    table = table_rows(result.stdout)
    assert max(len(line) for line in table) <= 80 and not any("…" in line for line in table)
    ids = folded_first_column(table)  # a code's first row carries its count in A
    assert ids == [code for code in load_codebook(CODEBOOK).code_ids() if code in ids]
    assert {"housing", "mental_health"} <= set(ids)
