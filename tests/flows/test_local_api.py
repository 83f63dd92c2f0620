"""A stopped ``wavecoder run`` leaves no process behind: Prefect's API server ends with it.

The command (``run``, or ``run-project`` as ``make run`` uses it) is started as a real process in
a session of its own, with no Prefect API configured (so it starts its own server, as a user's
run does), and stopped mid-flow by SIGTERM or by Ctrl-C's SIGINT sent to the command alone.
SIGKILL is covered by tests/faults/test_kill_run.py. Whatever else the command started is in its
process group.
"""

from __future__ import annotations

import signal
import socket

import httpx
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

from flows import local_api
from flows.local_api import launch_local_api

CODEBOOK = ROOT / "models" / "codebooks" / "recovery-capital.yaml"


def test_under_a_test_harness_nothing_is_started():
    assert launch_local_api() is None  # the session's harness sets PREFECT_API_URL


@pytest.mark.parametrize(("name", "signum"), [("run", signal.SIGTERM), ("run", signal.SIGINT),
                                              ("run-project", signal.SIGTERM)],
                         ids=["run-SIGTERM", "run-SIGINT", "run-project-SIGTERM"])
def test_a_stopped_run_leaves_no_process(tmp_path, name, signum):
    folder = small_wave(tmp_path / "in" / SMALL_WAVE)
    command = Command([name, str(folder), "--out", str(tmp_path / "out"), "--coder", "rules",
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


def test_a_port_taken_before_the_server_binds_it_is_given_up_for_another(monkeypatch):
    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taken.bind(("127.0.0.1", 0))
    taken.listen()  # holds the port as another program would, and answers nothing
    ports = iter([taken.getsockname()[1]])
    chosen = local_api._free_port
    monkeypatch.setattr(local_api, "_free_port", lambda: next(ports, None) or chosen())
    server = local_api.LocalApi()
    try:
        assert server.port == taken.getsockname()[1]
        server.wait()  # uvicorn could not bind it (exit status 3): started again elsewhere
        assert server.relaunches == 1
        assert server.port != taken.getsockname()[1]
        assert httpx.get(f"{server.api_url}/health", timeout=10).json() is True
    finally:
        server.stop()
        taken.close()
    assert server.process.returncode is not None
