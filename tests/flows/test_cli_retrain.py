"""``wavecoder retrain``: a review round trip (export, decide, import) folded into gold, retrained.

The patient-comments wave is coded by the rules. The rule for ``staff_manner`` takes "kind" in
"What kind of snacks are in that vending machine?" as kindness; the reviewer recodes it to
``food_drink``, adds ``food_drink`` to a vending-machine passage the rules left uncoded (which a
coder trained on the gold file alone leaves uncoded too: its probability is 0.39, below its
threshold), and accepts three codings. Retraining on the gold file plus these decisions must
give a gold file with the reviewer's codes and a model that codes both passages as they did.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from support_review import DATA, coding, fill_workbook, segment, write_comments_outputs
from support_tables import table_rows
from typer.testing import CliRunner

from flows.cli import app
from flows.code_wave import code_wave
from pipeline import schema as s
from pipeline.coding.registry import load_coder
from pipeline.config import load_codebook
from pipeline.parameters import WaveRun
from pipeline.quality.card import read_card
from pipeline.review.workbook import COLUMNS

runner = CliRunner()
RECODED = "What kind of snacks are in that vending machine?"
ADDED = "The vending machine by the lift only takes coins."
CODEBOOK = DATA / "codebook-comments.yaml"


def cli(*argv, columns: int = 80) -> str:
    result = runner.invoke(app, [str(a) for a in argv], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def retrained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("retrain")
    book = load_codebook(DATA / "codebook-comments.yaml")
    out = write_comments_outputs(tmp / "outputs" / "comments-2024", book)
    gold = Path(shutil.copy(DATA / "gold" / "comments.csv", tmp / "comments.csv"))
    (tmp / "comments.provenance.yaml").write_text(
        "texts: generated\ncoding: human\ncoders: [the wavecoder team]\n", encoding="utf-8")
    workbook = tmp / "review.xlsx"
    cli("export-review", out, "-o", workbook)
    kind = coding(out, RECODED, "staff_manner")
    fill_workbook(workbook, {
        kind: {s.DECISION: "recode", s.CORRECTED_CODE: "food_drink"},
        coding(out, "The car park was full", "parking"): {s.DECISION: "accept"},
        coding(out, "Meals arrived late", "food_drink"): {s.DECISION: "accept"},
        coding(out, "Meals arrived late", "staff_manner"): {s.DECISION: "accept"},
    }, extra=[{s.SEGMENT_ID: segment(out, ADDED), s.CODE_ID: "", s.DECISION: "add",
               s.CORRECTED_CODE: "food_drink"}])
    cli("import-review", workbook, "--outputs", out, "--reviewer", "Rae Reviewer")
    said = cli("retrain", out, "--gold", gold, "--folds", "3", "--min-support", "5")
    return out, tmp / "outputs" / "models" / "comments-2024-linear", said, book, kind


def test_the_merged_gold_holds_the_reviewers_codes_with_its_sources_counted(retrained):
    out, model, said, _, kind = retrained
    assert "Gold: 4 texts from the reviewed decisions of comments-2024, 54 from " \
        "comments.csv, 0 of its texts replaced" in " ".join(said.split())
    gold = pd.read_csv(model / "gold.csv", dtype=str, keep_default_na=False)
    by_text = gold.groupby(s.TEXT)[s.CODE_ID].apply(sorted)
    assert by_text[RECODED] == ["food_drink"]  # the rules' staff_manner rejected
    assert by_text[ADDED] == ["food_drink"]
    assert by_text["Meals arrived late and the porter was rude."] == ["food_drink",
                                                                       "staff_manner"]
    assert by_text["Staff were cheerful and kind"] == ["staff_manner"]  # from the gold file
    assert gold.loc[gold[s.SEGMENT_ID] == kind[0], "origin"].tolist() == [
        "review:comments-2024"]
    assert len(by_text) == 58
    # the undecided codings (Friendly nurses, Parking fees, the receptionist) are not gold
    assert not {"Friendly nurses who explained everything.",
                "The receptionist was kind and found me a wheelchair."} & set(gold[s.TEXT])
    sidecar = yaml.safe_load((model / "gold.provenance.yaml").read_text(encoding="utf-8"))
    assert (sidecar["texts"], sidecar["coding"]) == ("generated", "human")
    assert sidecar["coders"] == ["Rae Reviewer", "the wavecoder team"]


def test_the_retrained_model_codes_the_passages_as_the_reviewer_did(retrained):
    _, model, _, book, _ = retrained
    coder = load_coder(model, book)
    assert coder.code_ids == ["parking", "food_drink", "staff_manner"]
    assert coder.predict([RECODED, ADDED]).tolist() == [[0, 1, 0], [0, 1, 0]]
    card = read_card(model)
    assert (card.data.file, card.data.texts) == ("gold.csv", 58)
    assert card.command.startswith(f"wavecoder train --gold {model / 'gold.csv'} ")
    assert card.cross_validation.gold_provenance.coding == "human"


def test_the_next_review_is_ordered_by_the_retrained_model(retrained, tmp_path):
    out, model, _, _, _ = retrained
    said = cli("export-review", out, "-o", tmp_path / "next.xlsx", "--order", "active",
               "--model", model)
    assert "Ordered for learning by comments-2024-linear" in said
    sheet = load_workbook(tmp_path / "next.xlsx", read_only=True)["review"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    status = COLUMNS.index(s.STATUS)
    waiting = [row for row in rows if row[status] == "machine"]
    assert len(waiting) == 3  # the codings nobody decided, queued first
    assert rows[:3] == waiting



def test_retrain_shows_the_model_beside_the_waves_codes(retrained):
    """The reviewer's recoding moves food_drink from 1 to 3 of the wave's 9 segments: shown,
    and too few segments to warn about."""
    _, model, said, _, _ = retrained
    shift = pd.read_csv(model / "wave_shift.csv").set_index(s.CODE_ID)
    assert shift.loc["food_drink", ["sampled", "before_share", "after_share"]].tolist() == [
        9, 0.1111, 0.3333]
    assert not shift["shifted"].any()
    assert "The new model beside the wave's codes, on 9 of its segments" in " ".join(
        said.split())
    assert [" ".join(row.split("│")[1:-1]).split() for row in table_rows(said)] == [
        ["food_drink", "11.1%", "33.3%"], ["staff_manner", "44.4%", "33.3%"]]
    assert "very different rate" not in said
    assert "3-fold CV macro-F1 0.9644, micro-F1 0.9624 (on the gold's own texts, the passages " \
        "reviewed: not the wave's accuracy, which a random sample read whole measures: " \
        "wavecoder export-review --sample)" in " ".join(said.split())


def test_the_next_waves_retrain_keeps_what_the_model_learned(retrained):
    """The next wave, coded by the retrained model through the real flow and reviewed, is
    retrained on that model's gold plus its own decisions, unless --no-model-gold."""
    out, model, _, _, _ = retrained
    state = code_wave(run=WaveRun(wave_folder=str(DATA / "waves" / "comments-wave"),
                                  wave_id="comments-2025", codebook=str(CODEBOOK),
                                  out=str(out.parent), coder=str(model), topics=False,
                                  progress=False), return_state=True)
    assert state.is_completed(), state.message
    nxt = out.parent / "comments-2025"
    workbook = nxt.parent / "review-2025.xlsx"
    cli("export-review", nxt, "-o", workbook)
    fill_workbook(workbook, {coding(nxt, "The car park was full", "parking"):
                             {s.DECISION: "accept"}})
    cli("import-review", workbook, "--outputs", nxt, "--reviewer", "Sam Second")
    said = " ".join(cli("retrain", nxt, "--folds", "3", "--min-support", "5",
                        columns=1000).split())  # the model's path on one line
    assert (f"Folding the decisions into the gold of model '{model}', which coded "
            f"comments-2025: {model / 'gold.csv'} (58 texts;") in said
    assert "Gold: 1 texts from the reviewed decisions of comments-2025, 57 from gold.csv, 1 " \
        "of its texts replaced by reviewed ones" in said
    gold = pd.read_csv(out.parent / "models" / "comments-2025-linear" / "gold.csv", dtype=str,
                       keep_default_na=False)
    assert gold.groupby("origin")[s.TEXT].nunique().to_dict() == {
        "gold:comments.csv": 54, "review:comments-2024": 4 - 1, "review:comments-2025": 1}
    assert "The new model gives each code as often as the wave's codes, on 9 of its segments" \
        in said
    # this wave's one decided text alone: refused before anything is written
    alone = runner.invoke(app, [str(a) for a in (
        "retrain", nxt, "--folds", "2", "--no-model-gold", "--provenance",
        out.parent.parent / "comments.provenance.yaml", "--out", nxt.parent / "alone")],
        env={"COLUMNS": "1000"})
    assert alone.exit_code == 2, alone.output
    assert "Folding" not in alone.output
    assert ("wavecoder.duckdb: 1 gold texts from wave 'comments-2025', too few for 2-fold "
            "cross-validation: decide every coding of more passages, or lower --folds (2 at "
            "least)") in " ".join(alone.output.split())
    assert not (nxt.parent / "alone").exists()
