"""The coder is chosen in pipeline/: a wave started with parameters only codes as the CLI does."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from flows.cli import app
from flows.code_wave import code_wave

CODEBOOK = str(Path(__file__).resolve().parents[2] / "models" / "codebooks"
               / "recovery-capital.yaml")


def test_parameters_only_and_the_cli_give_the_same_codings(tmp_path, waves_dir):
    wave = str(waves_dir / "mini-wave")
    # as a deployment or the UI starts it: parameters only, every other one its default
    record = code_wave(wave_folder=wave, codebook=CODEBOOK, out=str(tmp_path / "flow"),
                       topics=False, progress=False)
    result = CliRunner().invoke(app, ["run", wave, "--codebook", CODEBOOK,
                                      "--out", str(tmp_path / "cli"), "--no-topics"])
    assert result.exit_code == 0, result.output
    by_cli = json.loads((tmp_path / "cli" / record["wave"] / "run.json").read_text())
    assert record["coder_info"] == by_cli["coder_info"]
    assert record["parameters"]["coder"] == by_cli["parameters"]["coder"]
    assert "rules: macro-F1" in record["coder_info"]["reason"]  # chosen by the numbers
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "flow" / record["wave"] / "codings.parquet"),
        pd.read_parquet(tmp_path / "cli" / record["wave"] / "codings.parquet"))
