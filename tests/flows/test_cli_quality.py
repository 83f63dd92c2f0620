"""``wavecoder evaluate --model``: a saved model scored on a gold file as it is."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from support_tables import folded_first_column, table_rows
from typer.testing import CliRunner

from flows.cli import app
from pipeline.config import load_codebook
from pipeline.quality.gold import load_gold
from pipeline.quality.measure import measure_saved

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = ROOT / "models" / "codebooks" / "recovery-capital.yaml"
GOLD = ROOT / "corpora" / "sector-survey-2013" / "gold.csv"
MODEL = ROOT / "models" / "recovery-capital-hybrid"
runner = CliRunner()


def test_evaluate_scores_the_shipped_model_without_training_it():
    result = runner.invoke(app, ["evaluate", "--gold", str(GOLD), "--codebook", str(CODEBOOK),
                                 "--model", str(MODEL), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"macro_f1", "micro_f1", "per_code", "alpha", "mean_kappa"} <= set(report)
    assert report["coder"] == "recovery-capital-hybrid" and report["folds"] == 0
    # the same numbers as the library computes on the same data, code by code
    book = load_codebook(CODEBOOK)
    direct = measure_saved(load_gold(GOLD, book), book, MODEL).evaluation.to_json()
    for key in ("n_texts", "n_codes", "macro_f1", "micro_f1", "alpha", "codes", "per_code"):
        assert report[key] == direct[key], key
    assert report["n_texts"] == 165 and 0 < report["macro_f1"] <= 1
    f1s = [row["f1"] for row in report["per_code"]]
    assert abs(sum(f1s) / len(f1s) - report["macro_f1"]) < 1e-3


def test_a_model_and_a_coder_side_by_side(tmp_path):
    result = runner.invoke(app, ["evaluate", "--gold", str(GOLD), "--codebook", str(CODEBOOK),
                                 "--model", str(MODEL), "--coder", "rules", "--json"])
    assert result.exit_code == 0, result.output
    coders = json.loads(result.stdout)["coders"]
    assert [c["coder"] for c in coders] == ["rules", "recovery-capital-hybrid"]
    assert coders[0]["codes"] == coders[1]["codes"]  # the same codes, the same texts


def test_a_corrupt_model_folder_is_one_line_naming_it(tmp_path):
    broken = tmp_path / "broken-model"
    shutil.copytree(MODEL, broken)
    (broken / "linear" / "arrays.npz").write_bytes(b"not an npz archive")
    result = runner.invoke(app, ["evaluate", "--gold", str(GOLD), "--codebook", str(CODEBOOK),
                                 "--model", str(broken)])
    assert result.exit_code == 2
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith("error: ") and "broken-model" in line and "arrays.npz" in line


SESSIONS = ROOT / "tests" / "data" / "gold" / "taguette-sessions.csv"
MINI = ROOT / "tests" / "data" / "codebook-mini.yaml"


def test_folds_grouped_by_session_are_recorded_in_the_json():
    result = runner.invoke(app, ["evaluate", "--gold", str(SESSIONS), "--codebook", str(MINI),
                                 "--coder", "baseline", "--coder", "rules", "--folds", "3",
                                 "--group", "document", "--min-support", "5", "--json"])
    assert result.exit_code == 0, result.output
    baseline, rules = json.loads(result.stdout)["coders"]
    assert baseline["grouped_by"] == "document" and baseline["n_groups"] == 6
    assert baseline["folds"] == 3 and baseline["n_texts"] == 39  # a repeat merged
    assert rules["folds"] == 0 and rules["grouped_by"] is None  # not trained: no folds
    assert 0 < baseline["macro_f1"] <= 1
    plain = runner.invoke(app, ["evaluate", "--gold", str(SESSIONS), "--codebook", str(MINI),
                                "--coder", "rules", "--json"])
    assert json.loads(plain.stdout)["n_texts"] == 40  # without --group: as loaded
    # the same folds two at a time, each in its own process: the same scores
    parallel = runner.invoke(app, ["evaluate", "--gold", str(SESSIONS), "--codebook", str(MINI),
                                   "--coder", "baseline", "--folds", "3", "--group", "document",
                                   "--min-support", "5", "--jobs", "2", "--json"])
    assert parallel.exit_code == 0, parallel.output
    again = json.loads(parallel.stdout)
    assert again["per_code"] == baseline["per_code"] and again["folds"] == 3


def test_a_group_column_the_gold_lacks_is_one_line_naming_it():
    result = runner.invoke(app, ["evaluate", "--gold", str(SESSIONS), "--codebook", str(MINI),
                                 "--coder", "baseline", "--group", "speaker"])
    assert result.exit_code == 2
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert "taguette-sessions.csv" in line and "'speaker'" in line


COMMENTS = ROOT / "tests" / "data" / "gold" / "comments.csv"
COMMENTS_BOOK = ROOT / "tests" / "data" / "codebook-comments.yaml"


def test_train_with_the_vote_chosen_records_it_in_the_card_and_the_command(tmp_path):
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "--gold", str(COMMENTS), "--codebook",
                                 str(COMMENTS_BOOK), "--coder", "linear-static", "--folds", "2",
                                 "--min-support", "5", "--neighbours", "auto", "--out", str(out)])
    assert result.exit_code == 0, result.output
    card = json.loads((out / "card.json").read_text())
    used = card["features"]["neighbours"]
    assert used["k"] == 15 and list(used["chosen_from"]) == ["0.0", "0.1", "0.2", "0.3", "0.4",
                                                             "0.5"]
    best = max(used["chosen_from"].values())
    assert used["chosen_from"]["0.3"] == best > used["chosen_from"]["0.0"]
    # ahead on 54 texts, not clearly enough to leave the linear coder's default: no vote
    assert used["weight"] == 0.0
    assert "--neighbours auto" in card["command"]
    settings = json.loads((out / "config.json").read_text())["settings"]
    assert settings["neighbours"] == "auto"


def test_evaluate_passes_the_vote_to_every_fold():
    def macro(*extra):
        result = runner.invoke(app, ["evaluate", "--gold", str(COMMENTS), "--codebook",
                                     str(COMMENTS_BOOK), "--coder", "linear-static", "--folds",
                                     "2", "--min-support", "5", "--json", *extra])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["per_code"]

    plain, default, alone = macro(), macro("--neighbours", "0"), macro("--neighbours", "1")
    assert plain == default  # linear-static votes with no one by default
    assert alone != plain  # weight 1: every fold coded by its nearest training texts alone


def test_a_vote_for_a_coder_without_one_or_a_bad_weight_is_one_line(tmp_path):
    result = runner.invoke(app, ["evaluate", "--gold", str(COMMENTS), "--codebook",
                                 str(COMMENTS_BOOK), "--coder", "textcat", "--neighbours", "0.3"])
    assert result.exit_code == 2
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert "apply to the linear and hybrid coders, not 'textcat'" in line
    for bad, said in (("lots", "not 'lots'"), ("1.5", "from 0 to 1 or 'auto', not 1.5")):
        result = runner.invoke(app, ["train", "--gold", str(COMMENTS), "--codebook",
                                     str(COMMENTS_BOOK), "--coder", "linear", "--neighbours",
                                     bad, "--out", str(tmp_path / "never-written")])
        assert result.exit_code == 2, bad
        (line,) = [line for line in result.stderr.splitlines() if line.strip()]
        assert said in line, line
    assert not (tmp_path / "never-written").exists()


def test_the_scores_table_keeps_every_code_id_whole_in_an_80_column_log():
    result = runner.invoke(app, ["evaluate", "--gold", str(GOLD), "--codebook", str(CODEBOOK),
                                 "--coder", "rules", "--coder", "baseline", "--min-support", "5"],
                           env={"COLUMNS": "80"})  # rich's width where output is not a terminal
    assert result.exit_code == 0, result.output
    table = table_rows(result.stdout)
    assert max(len(line) for line in table) <= 80 and "…" not in result.stdout
    ids = folded_first_column(table)  # a code's first row carries its support
    in_codebook = load_codebook(CODEBOOK).code_ids()
    assert ids == [code for code in in_codebook if code in ids]  # whole ids, codebook order
    assert {"complex_needs_dual_diagnosis", "mental_health_threshold", "housing_gap"} <= set(ids)
