"""The wave lock: one holder at a time across processes, re-entrant within one, released when
its holder dies; what a killed publish left is tidied; the database waits for another process."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.export.lock import (
    OutputsBusy,
    connect,
    default_wait,
    lock_file,
    wave_lock,
)

ROOT = Path(__file__).resolve().parents[2]
HOLD = ("import sys; from pathlib import Path; from pipeline.export.lock import wave_lock\n"
        "with wave_lock(Path(sys.argv[1]), 'import of other.xlsx'):\n"
        "    print('held', flush=True); sys.stdin.read()")


def _holder(out_dir: Path) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(out_dir)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, cwd=ROOT,
                             env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert child.stdout.readline().strip() == "held"
    return child


def test_a_second_process_waits_then_fails_naming_wave_and_holder(tmp_path):
    out_dir = tmp_path / "outputs" / "w1"
    holder = _holder(out_dir)
    said = []
    try:
        started = time.monotonic()
        with pytest.raises(OutputsBusy) as busy, wave_lock(out_dir, "run", wait=0.5,
                                                            on_wait=said.append):
            pass
        assert 0.5 <= time.monotonic() - started < 5
    finally:
        holder.communicate("", timeout=30)
    assert said == [said[0]] and said[0].startswith("wave w1: another import of other.xlsx "
                                                    f"(process {holder.pid}, since ")
    assert "waiting up to 0.5 s for it to finish" in said[0]
    assert f"another import of other.xlsx (process {holder.pid}" in str(busy.value)
    assert "of wave w1 was still running after 0.5 s; nothing was changed" in str(busy.value)
    assert lock_file(out_dir) == tmp_path / "outputs" / ".w1.lock"
    with wave_lock(out_dir, "run", wait=0):  # free once its holder has ended
        pass


def test_a_killed_holder_lets_the_lock_go_at_once(tmp_path):
    out_dir = tmp_path / "outputs" / "w1"
    holder = _holder(out_dir)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    said = []
    with wave_lock(out_dir, "run", wait=0, on_wait=said.append):
        pass
    assert said == []


def test_the_lock_is_reentrant_in_one_process_and_other_waves_are_free(tmp_path):
    out_dir = tmp_path / "outputs" / "w1"
    with wave_lock(out_dir, "import of a.xlsx", wait=0):
        with wave_lock(out_dir, "review import", wait=0):  # the publish inside an import
            pass
        with wave_lock(tmp_path / "outputs" / "w2", "run", wait=0):
            pass
        holder_json = (tmp_path / "outputs" / ".w1.lock.json").read_text(encoding="utf-8")
    assert '"what": "import of a.xlsx"' in holder_json  # the outermost holder says who it is


def test_what_a_killed_publish_left_is_put_back_or_removed(tmp_path):
    parent = tmp_path / "outputs"
    out_dir = parent / "w1"
    # killed between moving the old folder aside and moving the new one in
    (parent / ".w1.previous-999999999-aaa").mkdir(parents=True)
    (parent / ".w1.previous-999999999-aaa" / "run.json").write_text("{}", encoding="utf-8")
    (parent / ".w1.publishing-999999999-bbb").mkdir()
    (parent / ".w2.publishing-999999999-ccc").mkdir()  # another wave's: not this lock's business
    with wave_lock(out_dir, "run", wait=0):
        assert (out_dir / "run.json").read_text(encoding="utf-8") == "{}"
        left = sorted(p.name for p in parent.iterdir() if p.is_dir())
        assert left == [".w2.publishing-999999999-ccc", "w1"]
    # killed after the swap: the folder stands, the old one is removed
    (parent / ".w1.previous-999999999-ddd").mkdir()
    with wave_lock(out_dir, "run", wait=0):
        pass
    assert out_dir.is_dir() and not (parent / ".w1.previous-999999999-ddd").exists()


def test_the_database_waits_for_another_process_then_gives_up(tmp_path):
    db = tmp_path / "wavecoder.duckdb"
    duckdb.connect(str(db)).close()
    hold = ("import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " sys.stdin.read()")
    child = subprocess.Popen([sys.executable, "-c", hold, str(db)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(OutputsBusy, match="wavecoder.duckdb: still in use by another "
                                              "process after 0.3 s"):
            connect(db, read_only=True, wait=0.3)
    finally:
        child.communicate("", timeout=30)
    with connect(db, read_only=True, wait=0.3) as con:
        assert con.execute("select 1").fetchall() == [(1,)]


def test_the_default_wait_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("WAVECODER_LOCK_WAIT", "12.5")
    assert default_wait() == 12.5
    monkeypatch.setenv("WAVECODER_LOCK_WAIT", "soon")
    assert default_wait() == 600.0
