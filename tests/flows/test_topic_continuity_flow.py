"""Waves of one project through the real flow: 2013 fits the kept topics, 2015 finds naloxone
new, the candidate is accepted on the command line, and re-coding 2015 codes it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.code_wave import code_wave
from pipeline import schema as s
from pipeline.codebooks.candidates import read_candidates
from pipeline.parameters import WaveRun

ROOT = Path(__file__).resolve().parents[2]


def _run(wave: str, out: Path, codebook: Path) -> dict:
    state = code_wave(run=WaveRun(wave_folder=str(ROOT / "corpora" / wave),
                                  codebook=str(codebook), out=str(out), coder="rules",
                                  progress=False), return_state=True)
    assert state.is_completed(), state.message
    return state.result()


@pytest.fixture(scope="module")
def codebook(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("models")
    shutil.copytree(ROOT / "models" / "codebooks", root / "codebooks")
    shutil.copytree(ROOT / "models" / "stance", root / "stance")
    return root / "codebooks" / "recovery-capital.yaml"


def test_new_theme_found_by_the_flow_is_coded_after_acceptance(tmp_path, codebook):
    out = tmp_path / "outputs"
    first = _run("sector-survey-2013", out, codebook)
    assert first["topics"]["mode"] == "fit"
    assert first["topics"]["summary"] == "topics fitted on wave sector-survey-2013"
    assert (out / "topic-models" / "sector-survey" / "project.json").exists()

    third = _run("sector-survey-2015", out, codebook)
    topics = third["topics"]
    assert topics["mode"] == "assign" and topics["fitted_on"] == ["sector-survey-2013"]
    assert topics["sought_new_in"] == ["sector-survey-2013", "sector-survey-2015"]
    table = pd.read_parquet(out / "sector-survey-2015" / "topics.parquet")
    new = table[table[s.NEW_IN_WAVE]]
    assert set(new[s.TOPIC_ID]) == set(topics["new_topics"])
    assert any("naloxone" in list(words) for words in new[s.WORDS])
    assert "## Topics across waves" in third["summary_markdown"]
    assert "**new in this wave**" in third["summary_markdown"]
    candidates = read_candidates(Path(topics["candidates"]["file"])).candidates
    chosen = next(c for c in candidates if c.new_in_wave and "naloxone" in c.words)
    assert chosen.id in topics["candidates"]["new_in_wave"]
    run_json = (out / "sector-survey-2015" / "run.json").read_text(encoding="utf-8")
    assert "naloxone kits" not in run_json.lower()  # ids in run.json, words in the file

    accepted = CliRunner().invoke(app, ["codebook", "accept", chosen.id, "--codebook",
                                        str(codebook)])
    assert accepted.exit_code == 0, accepted.output
    assert "1.0 → 1.1" in accepted.output

    again = _run("sector-survey-2015", out, codebook)
    assert again["codebook"]["version"] == "1.1"
    codings = pd.read_parquet(out / "sector-survey-2015" / "codings.parquet")
    segments = pd.read_parquet(out / "sector-survey-2015" / "segments.parquet")
    coded = set(codings.loc[codings[s.CODE_ID] == chosen.id, s.SEGMENT_ID])
    planted = set(segments.loc[segments[s.TEXT].str.contains("naloxone", case=False),
                               s.SEGMENT_ID])
    assert len(coded & planted) >= 0.8 * len(planted)
    assert again["topics"]["new_topics"] == topics["new_topics"]  # the kept model remembers
    record = json.loads(run_json)
    assert record["topics"]["project"] == "sector-survey"
