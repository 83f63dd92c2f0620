"""A stopped ``wavecoder run`` leaves no process behind: Prefect's API server ends with it.

The command is started as a real process in a session of its own, with no Prefect API
configured (so it starts its own server, as a user's run does), and stopped mid-flow by SIGTERM
or by Ctrl-C's SIGINT sent to the command alone. SIGKILL is covered by tests/faults/
test_kill_run.py. Whatever else the command started is in its process group.
"""

from __future__ import annotations

import signal

import pytest
from support_processes import (
    ROOT,
    SMALL_WAVE,
    Command,
    cli_environment,
    end_group,
    group_members,
    left_behind,
    small_wave,
)

from flows.local_api import launch_local_api

CODEBOOK = ROOT / "models" / "codebooks" / "recovery-capital.yaml"


def test_under_a_test_harness_nothing_is_started():
    assert launch_local_api() is None  # the session's harness sets PREFECT_API_URL


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_run_leaves_no_process(tmp_path, signum):
    folder = small_wave(tmp_path / "in" / SMALL_WAVE)
    command = Command(["run", str(folder), "--out", str(tmp_path / "out"), "--coder", "rules",
                       "--no-topics", "--codebook", str(CODEBOOK)],
                      cli_environment(tmp_path), tmp_path / "run.out")
    try:
        command.wait_until(lambda: command.said("Beginning flow run"), timeout=1800,
                           what="the flow's start")
        started = group_members(command.group)
        assert len(started) >= 2, started  # the command and Prefect's server at least
        status = command.stop(signum)
        assert status != 0
        alive, seconds = left_behind(command.group)
        assert alive == [], f"left after {signum.name}: {alive}"
        print(f"{signum.name}: {len(started)} processes, none left {seconds} s after the stop")
    finally:
        end_group(command.group)
    assert not (tmp_path / "out" / SMALL_WAVE).exists()  # stopped before publishing
