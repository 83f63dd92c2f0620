"""A run killed with SIGKILL, during coding and during publish, loses nothing and leaves nothing.

A small real wave is run once to completion; then ``wavecoder run`` is started again as a real
process (its own Prefect API server, as a user's run has) and killed when its own progress shows
it coding, when two worker processes code its chunks, and when its staging folder fills. After
each kill the previous outputs are read back unchanged, the database holds the previous rows
once, and no process of the command is alive. A last run then completes and its outputs equal
the uninterrupted run's.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from support_faults import run_cli
from support_processes import (
    SMALL_WAVE,
    Command,
    cli_environment,
    end_group,
    group_members,
    left_behind,
    small_wave,
)

from pipeline.outputs import database_of, read_wave

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = ROOT / "models" / "codebooks" / "recovery-capital.yaml"
VOLATILE = ("timings", "run_id")  # run.json, the runs table and the sign-off view: what
# differs between equal runs (the run id is the flow run's, which a sign-off binds to)


def run_args(folder: Path, out: Path) -> list[str]:
    # --force: every run codes the wave (an unchanged wave's outputs would be kept as they are)
    return ["run", str(folder), "--out", str(out), "--coder", "rules", "--no-topics",
            "--codebook", str(CODEBOOK), "--force"]


def contents(out: Path) -> dict[str, object]:
    """What a wave's outputs say, file by file and table by table, without run timings."""
    folder, found = out / SMALL_WAVE, {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if path.suffix == ".parquet":
            found[name] = pd.read_parquet(path).to_csv(index=False)
        elif path.suffix == ".xlsx":  # a zip with times in it: compare the cells
            book = openpyxl.load_workbook(path)
            found[name] = [[c.value for c in row] for ws in book for row in ws.iter_rows()]
        elif path.name == "run.json":
            record = json.loads(path.read_text(encoding="utf-8"))
            found[name] = {k: v for k, v in record.items() if k not in VOLATILE}
        elif path.name == "fingerprint.json":  # names the run.json it goes with: volatile
            found[name] = json.loads(path.read_text(encoding="utf-8"))["fingerprint"]
        else:
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    with duckdb.connect(str(database_of(folder)), read_only=True) as db:
        for (table,) in db.execute("show tables").fetchall():
            rows = db.execute(f'select * from "{table}" where wave = ?', [SMALL_WAVE]).df()
            rows = rows.drop(columns=[c for c in VOLATILE if c in rows.columns])
            if table == "runs":
                rows["run"] = [json.dumps({k: v for k, v in json.loads(r).items()
                                           if k not in VOLATILE}) for r in rows["run"]]
            found[f"duckdb:{table}"] = rows.to_csv(index=False)
    return found


def files_as_they_are(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under ``folder``: size, modification time and hash."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns,
                                               hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """The small wave, run once to completion: its folder, outputs root and what they hold."""
    tmp = tmp_path_factory.mktemp("killed")
    folder, out = small_wave(tmp / "in" / SMALL_WAVE), tmp / "out"
    result = run_cli(run_args(folder, out))
    assert result.exit_code == 0, result.output
    return tmp, folder, out, contents(out), files_as_they_are(out / SMALL_WAVE)


def staging_files(out: Path) -> list[Path]:
    return [p for p in out.glob(f".{SMALL_WAVE}.publishing-*/*")]


def kill_when(previous, name: str, reached, options: tuple[str, ...] = ()
              ) -> tuple[Command, float]:
    """Start the run, SIGKILL its main process once ``reached(command)``; check what stayed."""
    tmp, folder, out, before, files = previous
    command = Command(run_args(folder, out) + list(options), cli_environment(tmp),
                      tmp / f"{name}.out")
    try:
        command.wait_until(lambda: reached(command), timeout=1800, what=name)
        assert command.stop(signal.SIGKILL) == -signal.SIGKILL
        alive, seconds = left_behind(command.group)
        assert alive == [], f"processes left after the kill: {alive}"
    finally:
        end_group(command.group)
    # The previous outputs, as they were: no file replaced or half-written, all readable.
    assert files_as_they_are(out / SMALL_WAVE) == files
    wave = read_wave(out / SMALL_WAVE)
    assert wave.run is not None and wave.run.wave == SMALL_WAVE and len(wave.codings)
    assert contents(out) == before  # the database opens and holds the previous rows, once
    print(f"killed while {name}: its process group was empty {seconds} s after the kill")
    return command, seconds


def test_a_kill_while_coding_keeps_the_previous_outputs(previous):
    out = previous[2]
    command, _ = kill_when(previous, "coding", lambda c: c.said("coder: rules"))
    assert not command.said("Task run 'segment-and-code")  # killed before coding ended
    assert not staging_files(out)


def chunk_workers(group: int) -> list[int]:
    """The worker processes of a run's process pool (spawned by multiprocessing) in ``group``."""
    found = []
    for pid in group_members(group):
        try:
            if b"multiprocessing.spawn" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:  # ended while we looked
            pass
    return found


def test_a_kill_while_chunks_run_in_two_processes_leaves_no_worker(previous):
    # the small wave in chunks of 5 documents: the two workers have chunks left when it is killed
    command, seconds = kill_when(previous, "coding in two processes",
                                 lambda c: len(chunk_workers(c.group)) == 2,
                                 options=("--processes", "2", "--chunk-size", "5"))
    assert command.said("chunks in 2 processes")
    assert seconds < 20  # the workers saw their parent end (they look every second)


def test_a_kill_while_publishing_keeps_the_previous_outputs(previous):
    out = previous[2]
    kill_when(previous, "publishing", lambda c: bool(staging_files(out)))
    assert staging_files(out), "the kill came after publishing"  # its half-written folder


def test_the_next_run_completes_as_an_uninterrupted_one(previous):
    tmp, folder, out, before, _ = previous
    result = run_cli(run_args(folder, out))
    assert result.exit_code == 0, result.output
    # the killed publish's staging folder is gone; beside the wave and database only the empty
    # file of the wave's lock stays (removing it would race another process taking it)
    assert sorted(p.name for p in out.iterdir()) == [f".{SMALL_WAVE}.lock", SMALL_WAVE,
                                                     "wavecoder.duckdb"]
    assert contents(out) == before
    shutil.rmtree(tmp / "prefect-home", ignore_errors=True)
