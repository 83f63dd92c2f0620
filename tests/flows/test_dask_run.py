"""The wave's chunks segmented and coded on a real Dask cluster equal a local run's tables.

A ``distributed.LocalCluster`` with two worker processes on loopback; the mini wave cut into
chunks of three documents, coded with ``dask`` set to the cluster's scheduler, and once in this
process with the default chunk size: the coded tables are the same, byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from flows.code_wave import code_wave
from pipeline.parameters import WaveRun

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = str(ROOT / "models" / "codebooks" / "recovery-capital.yaml")
TABLES = ("codings.parquet", "segments.parquet", "documents.parquet", "stances.parquet",
          "coded_wide.csv", "theme_summary.csv")


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes on 127.0.0.1, one thread each (the machine has two cores)."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as local:
        yield local


def test_chunks_coded_on_dask_equal_a_local_run(tmp_path, waves_dir, cluster):
    runs = {}
    for name, options in (("local", {}),
                          ("dask", {"dask": cluster.scheduler_address, "chunk_size": 3})):
        run = WaveRun(wave_folder=str(waves_dir / "mini-wave"), codebook=CODEBOOK,
                      out=str(tmp_path / name), coder="rules", topics=False, progress=False,
                      **options)
        state = code_wave(run=run, return_state=True)
        assert state.is_completed(), state.message
        runs[name] = tmp_path / name / "mini-2013"
    local, dask = runs["local"], runs["dask"]
    for table in TABLES:
        assert (dask / table).read_bytes() == (local / table).read_bytes(), table
    documents = pd.read_parquet(dask / "documents.parquet")
    assert len(documents) > 3  # more than one chunk
    assert len(pd.read_parquet(dask / "codings.parquet")) > 0
    # The cluster's workers ran the chunks (task transitions counted on each worker).
    with Client(cluster.scheduler_address) as client:
        counts = client.run(lambda dask_worker: dask_worker.state.transition_counter)
    assert len(counts) == 2 and sum(counts.values()) > 0
    record = json.loads((dask / "run.json").read_text(encoding="utf-8"))
    assert record["parameters"]["dask"] == cluster.scheduler_address
