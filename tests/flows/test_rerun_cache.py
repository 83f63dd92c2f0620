"""Re-running a wave: unchanged stages are read from its outputs folder, changed ones recomputed.

Real flow runs of a copy of the mini wave: the second, unchanged, run reuses every cached stage
and publishes byte-identical coded tables, and the command line keeps the outputs without
starting a flow; after a codebook edit, coding is recomputed and ingest is not.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.code_wave import code_wave
from pipeline.export.wipe import wipe_wave
from pipeline.parameters import WaveRun
from pipeline.stage_cache import CACHE_DIR, INGEST, SEGMENT_AND_CODE, unchanged_outputs

ROOT = Path(__file__).resolve().parents[2]
CODED = ("codings.parquet", "segments.parquet", "documents.parquet", "stances.parquet",
         "coded_wide.csv", "theme_summary.csv")


def coded_bytes(out_dir: Path) -> dict[str, bytes]:
    return {name: (out_dir / name).read_bytes() for name in CODED}


def cache_of(out_dir: Path) -> dict[str, dict]:
    return json.loads((out_dir / "run.json").read_text(encoding="utf-8"))["cache"]


@pytest.fixture(scope="module")
def reruns(tmp_path_factory, waves_dir):
    """Three runs of one wave: first, unchanged, after a codebook edit; what each recorded."""
    root = tmp_path_factory.mktemp("rerun")
    shutil.copytree(waves_dir / "mini-wave", root / "wave")
    text = (ROOT / "models" / "codebooks" / "recovery-capital.yaml").read_text(encoding="utf-8")
    cues = (ROOT / "models" / "stance" / "cues.yaml").as_posix()
    (root / "codebook.yaml").write_text(text.replace("../stance/cues.yaml", cues),
                                        encoding="utf-8")
    run = WaveRun(wave_folder=str(root / "wave"), codebook=str(root / "codebook.yaml"),
                  out=str(root / "out"), coder="rules", topics=False, progress=False)
    out_dir = root / "out" / "mini-2013"
    seen = {}
    code_wave(run=run)
    seen["first"] = (cache_of(out_dir), coded_bytes(out_dir))
    code_wave(run=run)
    seen["unchanged"] = (cache_of(out_dir), coded_bytes(out_dir))
    seen["kept"] = unchanged_outputs(run)
    cli = CliRunner().invoke(app, ["run", run.wave_folder, "--codebook", run.codebook,
                                   "--out", run.out, "--coder", "rules", "--no-topics"])
    seen["cli"] = (cli.exit_code, cli.output)
    with run.codebook_path().open("a", encoding="utf-8") as handle:
        handle.write("# a reviewer's note: the codebook file changed, its codes did not\n")
    seen["kept_after_edit"] = unchanged_outputs(run)
    code_wave(run=run)
    seen["edited"] = (cache_of(out_dir), coded_bytes(out_dir))
    return run, out_dir, seen


def test_the_first_run_computes_and_caches_every_stage(reruns):
    _, out_dir, seen = reruns
    first, _ = seen["first"]
    assert {stage: used["reused"] for stage, used in first.items()} == \
        {INGEST: False, SEGMENT_AND_CODE: False}
    last, _ = seen["edited"]  # one result per stage is kept: the latest key's
    for stage, used in last.items():
        assert [p.name for p in (out_dir / CACHE_DIR / stage).iterdir()] == [used["key"]]
        assert (out_dir / CACHE_DIR / stage / used["key"] / "result.json").is_file()


def test_an_unchanged_run_reuses_everything_and_publishes_the_same_bytes(reruns):
    _, out_dir, seen = reruns
    (first, first_bytes), (again, again_bytes) = seen["first"], seen["unchanged"]
    assert {stage: used["reused"] for stage, used in again.items()} == \
        {INGEST: True, SEGMENT_AND_CODE: True}
    assert {stage: used["key"] for stage, used in again.items()} == \
        {stage: used["key"] for stage, used in first.items()}
    assert again_bytes == first_bytes
    assert len(first_bytes["codings.parquet"]) > 0


def test_the_command_line_keeps_unchanged_outputs_without_a_flow_run(reruns):
    _, out_dir, seen = reruns
    assert seen["kept"] == out_dir
    code, output = seen["cli"]
    assert code == 0, output
    assert "unchanged: outputs kept in" in output and "Outputs:" not in output


def test_a_codebook_edit_recodes_without_reingesting(reruns):
    _, _, seen = reruns
    (first, first_bytes), (edited, edited_bytes) = seen["first"], seen["edited"]
    assert seen["kept_after_edit"] is None
    assert edited[INGEST] == {"key": first[INGEST]["key"], "reused": True}
    assert edited[SEGMENT_AND_CODE]["reused"] is False
    assert edited[SEGMENT_AND_CODE]["key"] != first[SEGMENT_AND_CODE]["key"]
    assert edited_bytes["codings.parquet"] == first_bytes["codings.parquet"]  # same codes


def test_changed_inputs_or_options_are_not_unchanged_and_wipe_removes_the_cache(reruns):
    run, out_dir, _ = reruns
    assert unchanged_outputs(run) == out_dir  # the edited codebook's run is the last
    assert unchanged_outputs(run.model_copy(update={"progress": True})) == out_dir
    assert unchanged_outputs(run.model_copy(update={"min_kappa": 0.5})) is None
    assert unchanged_outputs(run.model_copy(update={"coder": "auto"})) is None
    with (Path(run.wave_folder) / "survey.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert unchanged_outputs(run) is None
    wipe_wave(out_dir)
    assert not (out_dir / CACHE_DIR).exists() and unchanged_outputs(run) is None
