"""Folding reviewed decisions into gold: merging, provenance, the gold of the model that coded
the wave, and the refusals (the whole loop with a trained model is
tests/flows/test_cli_retrain.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from support_review import DATA, coding, decisions, write_comments_outputs

from pipeline import schema as s
from pipeline.config import load_codebook
from pipeline.errors import ConfigError, InputError
from pipeline.outputs import database_of, read_wave
from pipeline.quality.gold import load_gold
from pipeline.quality.provenance import GoldProvenance
from pipeline.quality.train import train_model
from pipeline.review.log import append_decisions
from pipeline.review.retrain import (
    check_codebook,
    merge_gold,
    merged_provenance,
    model_gold,
    read_declared,
    retrain,
)


def _reviewed(rows):
    return pd.DataFrame([{s.SEGMENT_ID: sid, s.TEXT: text, s.CONTEXT: "How could we improve?",
                          s.CODE_ID: code} for sid, text, code in rows])


def test_a_reviewed_text_replaces_the_same_text_in_the_gold_file(comments_gold):
    # the gold file codes "Staff were cheerful and kind" staff_manner; the reviewer said more
    reviewed = _reviewed([("seg1", "staff were  cheerful and kind.", "staff_manner"),
                          ("seg1", "staff were  cheerful and kind.", "food_drink"),
                          ("C001", "Vending machine empty", "food_drink")])
    rows, n_reviewed, kept, replaced = merge_gold(reviewed, "w", comments_gold)
    assert (n_reviewed, kept, replaced) == (2, len(comments_gold.texts) - 1, 1)
    assert "Staff were cheerful and kind" not in set(rows[s.TEXT])
    # a gold id that is also a reviewed segment's id keeps the two texts apart
    assert rows.loc[rows[s.SEGMENT_ID] == "gold:C001", s.TEXT].tolist() == [
        "A friendly porter chatted to me"]
    assert rows.loc[rows[s.TEXT] == "All ok thanks", s.CODE_ID].tolist() == [""]  # no code
    assert set(rows["origin"]) == {"review:w", "gold:comments.csv"}


def test_provenance_real_only_when_both_parts_are_and_undeclared_is_refused(comments_gold):
    log = decisions([("a", "parking", "accepted", "Ann", "2024-05-02T10:00:00")])
    real = GoldProvenance(texts="real", coding="human", coders=["Bo"])
    alone = merged_provenance(log, "w", None, real, DATA)
    assert (alone.texts, alone.coding, alone.coders, str(alone.coded)) == (
        "real", "human", ["Ann"], "2024-05-02")
    comments_gold.provenance = None  # the fixture file has no sidecar: of unknown origin
    mixed = merged_provenance(log, "w", comments_gold, real, DATA)
    assert (mixed.texts, mixed.coding) == ("real", "mixed")  # never chooses a coder
    generated = comments_gold.subset(range(3))
    generated.provenance = GoldProvenance(texts="generated", coding="human", coders=["Cy"])
    both = merged_provenance(log, "w", generated, real, DATA)
    assert (both.texts, both.coding, both.coders) == ("generated", "human", ["Ann", "Cy"])
    with pytest.raises(ConfigError, match=r"gold\.csv: whether the texts of wave 'w' are real"):
        merged_provenance(log, "w", None, None, DATA / "gold.csv")


def test_a_declaration_of_the_texts_alone_is_enough_and_a_bad_one_is_named(tmp_path):
    path = tmp_path / "wave.provenance.yaml"
    path.write_text("texts: real\n", encoding="utf-8")
    assert read_declared(path).texts == "real"
    path.write_text("texts: typed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"(?s)wave\.provenance\.yaml.*texts"):
        read_declared(path)


def test_only_partly_decided_segments_are_refused_naming_the_log(mini_outputs):
    housing = coding(mini_outputs, "Most needs are met", "housing")  # housing_gap undecided
    append_decisions(database_of(mini_outputs), "mini-2013",
                     decisions([(*housing, "accepted")]))
    wave = read_wave(mini_outputs)
    with pytest.raises(InputError, match=r"wavecoder\.duckdb: none of the 1 segments reviewed"):
        retrain(wave, out=mini_outputs.parent / "model")
    assert not (mini_outputs.parent / "model").exists()


def test_another_codebook_is_refused_naming_both_files(mini_outputs, tmp_path):
    wave = read_wave(mini_outputs)
    other = load_codebook(DATA / "codebook-comments.yaml")
    with pytest.raises(ConfigError, match=r"codebook-comments\.yaml: not the codebook wave "
                       r"'mini-2013' .*codebook\.yaml.*codes missing: employment_training"):
        check_codebook(wave, other, DATA / "codebook-comments.yaml")
    edited = tmp_path / "mini.yaml"
    text = (DATA / "codebook-mini.yaml").read_text(encoding="utf-8")
    edited.write_text("\n".join(line for line in text.splitlines()  # its cues path is relative
                                if not line.startswith("stance_cues:")), encoding="utf-8")
    with pytest.raises(ConfigError, match="the same codes, but other definitions"):
        check_codebook(wave, load_codebook(edited), edited)
    same = load_codebook(DATA / "codebook-mini.yaml")
    assert check_codebook(wave, same, DATA / "codebook-mini.yaml") is same
    assert check_codebook(wave, None, None).sha256 == same.sha256


@pytest.fixture()
def coded_by_a_model(tmp_path, comments_codebook):
    """The comments wave's outputs, as a run with a linear-static model trained on the
    comments' gold (kept in the model's folder, as retrain keeps it) records them."""
    model = tmp_path / "outputs" / "models" / "comments-linear-static"  # where retrain puts it
    model.mkdir(parents=True)
    gold = Path(shutil.copy(DATA / "gold" / "comments.csv", model / "gold.csv"))
    card = train_model("linear-static", load_gold(gold, comments_codebook), comments_codebook,
                       model, n_folds=3, min_support=3)
    wave = read_wave(write_comments_outputs(tmp_path / "outputs" / "comments-2024",
                                            comments_codebook))
    info = {"chosen": str(model), "model": {"data": card.model_dump(mode="json")["data"]}}
    wave.run = wave.run.model_copy(update={"coder_info": info})
    return wave, model, gold


def test_the_gold_of_the_model_that_coded_the_wave_is_found_unchanged(coded_by_a_model):
    wave, model, gold = coded_by_a_model
    found = model_gold(wave)
    assert (found.model, found.texts, found.file, found.why_not) == (str(model), 54, gold, "")


def test_a_model_gold_changed_moved_or_named_outside_its_folder_is_not_used(coded_by_a_model):
    wave, model, gold = coded_by_a_model
    info = wave.run.coder_info
    outside = {**info, "model": {"data": {**info["model"]["data"], "file": "../gold.csv"}}}
    wave.run = wave.run.model_copy(update={"coder_info": outside})
    assert model_gold(wave).why_not == "its card names no gold file in its folder"
    wave.run = wave.run.model_copy(update={"coder_info": info})
    gold.write_text(gold.read_text(encoding="utf-8") + "C999,Q,added later,0,0,1\n",
                    encoding="utf-8")
    assert model_gold(wave).file is None
    assert model_gold(wave).why_not == f"{gold} has changed since the wave was coded"
    elsewhere = Path(shutil.copytree(model, model.parents[2] / "elsewhere"))
    shutil.copy(DATA / "gold" / "comments.csv", elsewhere / "gold.csv")  # as it was trained
    moved = {**info, "chosen": str(elsewhere)}
    wave.run = wave.run.model_copy(update={"coder_info": moved})
    assert model_gold(wave).why_not == ("its folder is neither in the outputs' models folder "
                                        "nor in the project's: pass --gold to use its gold file")
    shutil.rmtree(elsewhere)
    assert model_gold(wave).why_not == "its folder is not found from here"


def test_a_wave_coded_by_the_rules_has_no_model_gold(mini_outputs):
    assert model_gold(read_wave(mini_outputs)) is None


def test_a_gold_file_written_by_retrain_keeps_each_texts_origin(tmp_path, comments_codebook):
    earlier = tmp_path / "gold.csv"
    pd.DataFrame([
        {s.SEGMENT_ID: "a1", s.TEXT: "The car park was full", s.CONTEXT: "", s.CODE_ID: "parking",
         "origin": "review:comments-2023"},
        {s.SEGMENT_ID: "C000", s.TEXT: "Lovely caring staff", s.CONTEXT: "",
         s.CODE_ID: "staff_manner", "origin": "gold:comments.csv"}]).to_csv(earlier, index=False)
    rows, reviewed, kept, _ = merge_gold(_reviewed([("s1", "Meals were cold", "food_drink")]),
                                         "comments-2024", load_gold(earlier, comments_codebook))
    assert (reviewed, kept) == (1, 2)
    assert dict(zip(rows[s.TEXT], rows["origin"], strict=True)) == {
        "Meals were cold": "review:comments-2024", "The car park was full": "review:comments-2023",
        "Lovely caring staff": "gold:comments.csv"}
