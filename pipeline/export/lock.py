"""One writer at a time per wave: a file lock beside ``outputs/<wave>/``, and a patient database.

A review import reads a wave's outputs, appends to its review log and publishes the wave again;
a run publishes it too. Two of them at once would lose one's work (the second died on DuckDB's
lock, its decisions unlogged), so each holds ``outputs/.<wave>.lock`` for as long as it works
on the wave: a second one waits, saying so, for a bounded time, then either proceeds or fails
cleanly, having changed nothing. The lock is the operating system's (``flock``, through
``filelock``): it is released when its holder ends, however it ends, so a killed import never
leaves the wave locked.

The database ``outputs/wavecoder.duckdb`` is shared by every wave, and DuckDB lets one process
open it at a time; :func:`connect` waits for another wave's short write instead of failing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from pipeline.errors import WavecoderError
from pipeline.export.leftovers import clear_leftovers

WAIT_SECONDS = 600.0  # long enough for a big wave's publish; bounded, so nothing hangs for ever
WAIT_VARIABLE = "WAVECODER_LOCK_WAIT"  # seconds; the default wait of every command
DATABASE_WAIT_SECONDS = 120.0  # another wave's rows are written in seconds
_POLL = 0.1
log = logging.getLogger(__name__)


class OutputsBusy(WavecoderError):
    """Another import or run held a wave's outputs (or the database) for longer than allowed."""


def default_wait() -> float:
    """How long to wait for a wave's lock: ``$WAVECODER_LOCK_WAIT`` seconds, else 600."""
    value = os.environ.get(WAIT_VARIABLE, "")
    try:
        return max(float(value), 0.0) if value else WAIT_SECONDS
    except ValueError:
        return WAIT_SECONDS


def lock_file(out_dir: Path) -> Path:
    """The lock of the wave folder ``out_dir``: ``.<wave>.lock`` beside it.

    Beside, not inside: a publish swaps the whole folder for a new one.
    """
    return out_dir.parent / f".{out_dir.name}.lock"


def _holder_file(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.lock.json"


def _holder(out_dir: Path) -> str:
    """Who holds the lock, as its holder wrote it: 'import of b.xlsx (process 12, since …)'."""
    try:
        said = json.loads(_holder_file(out_dir).read_text(encoding="utf-8"))
        return f"{said['what']} (process {said['pid']}, since {said['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "import or run"


@contextmanager
def wave_lock(out_dir: Path, what: str, *, wait: float | None = None,
              on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the wave folder ``out_dir`` for the block; wait for another holder first.

    Re-entrant within a thread: a review import holds the wave and its publish takes the lock
    again. On taking it, what a killed publish left beside the folder is tidied away.

    Args:
        out_dir: ``outputs/<wave>/`` (it need not exist yet).
        what: what the holder does, for the message another waiter prints: ``import of
            review.xlsx``, ``run``.
        wait: seconds to wait at most (default :func:`default_wait`).
        on_wait: called once with the message when the lock is held by another; default logs
            it as a warning.

    Raises:
        OutputsBusy: the lock was still held after ``wait`` seconds; nothing was changed.
    """
    wave = out_dir.name
    wait = default_wait() if wait is None else wait
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # One lock object per file in a process (is_singleton): a second object would wait on the
    # first one's flock, so the publish inside an import would wait for itself.
    lock = FileLock(lock_file(out_dir), is_singleton=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        (on_wait or log.warning)(f"wave {wave}: another {_holder(out_dir)} is running; "
                                 f"waiting up to {wait:g} s for it to finish…")
        try:
            lock.acquire(timeout=wait, poll_interval=_POLL)
        except Timeout:
            raise OutputsBusy(f"{out_dir}: another {_holder(out_dir)} of wave {wave} was still "
                              f"running after {wait:g} s; nothing was changed, try again "
                              "when it has finished") from None
    try:
        if lock.lock_counter == 1:  # the outermost holder
            _holder_file(out_dir).write_text(json.dumps({
                "what": what, "pid": os.getpid(),
                "since": dt.datetime.now().astimezone().isoformat(timespec="seconds")}),
                encoding="utf-8")
            clear_leftovers(out_dir)
        yield
    finally:
        if lock.lock_counter == 1:  # the file of the lock itself stays: removing it races
            _holder_file(out_dir).unlink(missing_ok=True)
        lock.release()


def connect(db_path: Path, *, read_only: bool = False,
            wait: float = DATABASE_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """Open the shared database, waiting while another process has it open.

    DuckDB refuses a second process outright; another wave's import or run holds it for the few
    seconds its rows take to write.

    Raises:
        OutputsBusy: it was still held after ``wait`` seconds.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() > deadline:
                raise OutputsBusy(f"{db_path}: still in use by another process after "
                                  f"{wait:g} s (another wave's import or run, or a DuckDB "
                                  "session left open); try again when it has finished"
                                  ) from None
            time.sleep(_POLL)
