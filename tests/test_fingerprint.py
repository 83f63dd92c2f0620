"""Run fingerprints and stage keys: every change that matters changes them, nothing else does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.fingerprint import run_fingerprint, stage_key, wave_id_of
from pipeline.parameters import WaveRun

ROOT = Path(__file__).resolve().parents[1]
CUES = ROOT / "models" / "stance" / "cues.yaml"


@pytest.fixture
def run(tmp_path, waves_dir):
    """A run of a copy of the mini wave, with a copy of the codebook, so both can be edited."""
    shutil.copytree(waves_dir / "mini-wave", tmp_path / "wave")
    text = (ROOT / "models" / "codebooks" / "recovery-capital.yaml").read_text(encoding="utf-8")
    (tmp_path / "codebook.yaml").write_text(
        text.replace("../stance/cues.yaml", CUES.as_posix()), encoding="utf-8")
    return WaveRun(wave_folder=str(tmp_path / "wave"), codebook=str(tmp_path / "codebook.yaml"),
                   out=str(tmp_path / "out"), coder="rules", topics=False, progress=False)


def changed_parts(run: WaveRun, before: dict[str, str]) -> list[str]:
    after = run_fingerprint(run, wave_id_of(run))
    return sorted(part for part in before if before[part] != after[part])


def test_the_same_run_has_the_same_fingerprint(run):
    assert run_fingerprint(run, "mini-2013") == run_fingerprint(run, "mini-2013")
    assert wave_id_of(run) == "mini-2013"  # wave.yaml's id
    assert wave_id_of(run.model_copy(update={"wave_id": "other"})) == "other"


def test_a_touched_input_file_changes_the_inputs_part(run):
    before = run_fingerprint(run, "mini-2013")
    with (Path(run.wave_folder) / "survey.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert changed_parts(run, before) == ["inputs"]


def test_a_codebook_edit_changes_the_codebook_part(run):
    before = run_fingerprint(run, "mini-2013")
    with run.codebook_path().open("a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    assert changed_parts(run, before) == ["codebook"]


def test_coder_and_options_change_the_parameters_but_progress_does_not(run):
    before = run_fingerprint(run, "mini-2013")
    assert changed_parts(run.model_copy(update={"coder": "textcat"}), before) == \
        ["coder", "parameters"]
    assert changed_parts(run.model_copy(update={"min_kappa": 0.7}), before) == ["parameters"]
    assert changed_parts(run.model_copy(update={"topics": True}), before) == \
        ["parameters", "written_elsewhere"]  # the kept topic model now counts
    assert changed_parts(run.model_copy(update={"progress": True, "reuse": False}), before) == []


def test_a_stage_key_follows_the_key_before_it_and_its_own_parts():
    first = stage_key("code", "ingest-a", codebook="x")
    assert first == stage_key("code", "ingest-a", codebook="x")
    assert len({first, stage_key("code", "ingest-b", codebook="x"),
                stage_key("code", "ingest-a", codebook="y"),
                stage_key("topics", "ingest-a", codebook="x")}) == 4


def test_a_folder_without_wave_yaml_gives_its_name_made_a_valid_wave_id(tmp_path, waves_dir):
    folder = tmp_path / "Wave 2013 — Café"
    shutil.copytree(waves_dir / "no-manifest", folder)
    run = WaveRun(wave_folder=str(folder), codebook=str(ROOT / "models" / "codebooks" /
                                                         "recovery-capital.yaml"),
                  out=str(tmp_path / "out"), coder="rules", topics=False, progress=False)
    assert wave_id_of(run) == "Wave-2013-Cafe"  # the outputs' folder, as ingest names the wave
