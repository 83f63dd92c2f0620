"""The wave's chunks segmented, coded and given stances in two local processes equal a run in one.

Prefect's ``ProcessPoolTaskRunner`` with two worker processes; the mini wave cut into chunks of
three documents, and once in this process with the default chunk size: the published tables
are the same, byte for byte, and Prefect's stores hold none of the answers the workers read.
"""

from __future__ import annotations

import json

import pandas as pd
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings
from support_prefect import words_in_prefect
from tests_paths import ROOT

from flows.code_wave import code_wave
from pipeline.parameters import WaveRun

CODEBOOK = str(ROOT / "models" / "codebooks" / "recovery-capital.yaml")
TABLES = ("codings.parquet", "segments.parquet", "documents.parquet", "stances.parquet",
          "coded_wide.csv", "theme_summary.csv")


def test_chunks_coded_in_two_processes_equal_a_run_in_one(tmp_path, waves_dir, caplog):
    runs = {}
    for name, options in (("one", {"processes": 1}),
                          ("two", {"processes": 2, "chunk_size": 3})):
        run = WaveRun(wave_folder=str(waves_dir / "mini-wave"), codebook=CODEBOOK,
                      out=str(tmp_path / name), coder="rules", topics=False, progress=False,
                      **options)
        with temporary_settings(updates={PREFECT_LOCAL_STORAGE_PATH: tmp_path / "storage"}):
            state = code_wave(run=run, return_state=True)
        assert state.is_completed(), state.message
        runs[name] = tmp_path / name / "mini-2013"
    one, two = runs["one"], runs["two"]
    for table in TABLES:
        assert (two / table).read_bytes() == (one / table).read_bytes(), table
    documents = pd.read_parquet(two / "documents.parquet")
    stances = pd.read_parquet(two / "stances.parquet")
    assert len(documents) > 6  # at least three chunks of three
    assert len(stances) == len(pd.read_parquet(two / "codings.parquet")) > 0
    assert stances["stance"].notna().any()
    chunks = -(-len(documents) // 3)
    assert f"segment and code: {chunks} chunks in 2 processes" in caplog.messages
    record = json.loads((two / "run.json").read_text(encoding="utf-8"))
    assert record["parameters"]["processes"] == 2
    answers = [text for text in documents["text"] if len(text) > 30]
    assert len(answers) >= 5 and words_in_prefect(tmp_path / "storage", answers) == {}
