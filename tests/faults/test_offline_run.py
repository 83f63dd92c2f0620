"""A whole wave, topics on with the default embedding, coded in a network namespace with no route.

Only the loopback device is up (Prefect's local API listens there), so anything that tried to
reach the network (a model hub, telemetry, a public-suffix list) would fail the run. The home
folder is new and empty: no cached model or download can stand in for what the packages ship.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from support_processes import (
    ROOT,
    SMALL_WAVE,
    Command,
    cli_environment,
    end_group,
    left_behind,
    small_wave,
)

CODEBOOK = ROOT / "models" / "codebooks" / "recovery-capital.yaml"
NO_NETWORK = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "_"]


def _namespaces_allowed() -> bool:
    if sys.platform != "linux" or not shutil.which("unshare") or not shutil.which("ip"):
        return False
    return subprocess.run([*NO_NETWORK, "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _namespaces_allowed(),
                    reason="this machine does not allow `unshare -n` (a new network namespace)")
def test_a_wave_with_topics_runs_without_a_network(tmp_path):
    probe = subprocess.run([*NO_NETWORK, "ip", "-o", "route", "show"], capture_output=True,
                           text=True)
    assert probe.returncode == 0 and probe.stdout.strip() == ""  # no route out
    folder, out = small_wave(tmp_path / "in" / SMALL_WAVE), tmp_path / "out"
    env = cli_environment(tmp_path, HOME=str(tmp_path / "home"),
                          XDG_CACHE_HOME=str(tmp_path / "home" / ".cache"))
    command = Command(["run", str(folder), "--out", str(out), "--coder", "rules",
                       "--codebook", str(CODEBOOK)], env, tmp_path / "run.out",
                      prefix=NO_NETWORK)  # topics on, default embedding (minilm)
    try:
        status = command.finish()
        assert status == 0, "\n".join(command.lines[-40:])
        assert left_behind(command.group)[0] == []
        # the run's temporary Prefect API has no UI: no link to one is printed
        assert not [line for line in command.lines if "View at http" in line]
        assert any("Beginning flow run" in line for line in command.lines)
    finally:
        end_group(command.group)
    record = json.loads((out / SMALL_WAVE / "run.json").read_text(encoding="utf-8"))
    assert record["topics"]["skipped_reason"] is None
    assert record["topics"]["embedding"] == "minilm:all-MiniLM-L6-v2"
    topics = pd.read_parquet(out / SMALL_WAVE / "topics.parquet")
    assert (topics["topic_id"] >= 0).sum() >= 2  # topics found, outliers aside
    assert not (tmp_path / "home" / ".cache" / "huggingface").exists()  # nothing fetched
