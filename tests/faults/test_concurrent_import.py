"""Two review imports of one wave at once: the second waits for the first, and no decision is
lost (issue 11: 8). Before the lock, the second died on DuckDB's lock, its decisions unlogged.

Real ``wavecoder import-review`` processes: while this test holds the wave's lock (as a run's
publish would), two imports of two reviewers' workbooks start, both say they are waiting; once
the lock is let go they go one after the other. A third import that may not wait long enough
fails cleanly (exit 2, naming the wave), changing nothing, and succeeds when tried again.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from support_faults import ROOT, run_cli
from support_import import (
    WAVE,
    child_env,
    filled_workbook,
    import_command,
    logged,
    published,
)

from pipeline import schema as s
from pipeline.export.lock import wave_lock
from pipeline.review.apply import import_review

WAITING = "waiting up to"
START_WITHIN = 240  # seconds for a child to load spaCy and torch and reach the lock


def _wait_for(paths: list[Path], text: str, children: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + START_WITHIN
    while not all(text in p.read_text(encoding="utf-8") for p in paths):
        assert time.monotonic() < deadline, [p.read_text(encoding="utf-8") for p in paths]
        assert all(c.poll() is None for c in children), "an import ended instead of waiting"
        time.sleep(0.05)


def test_two_imports_at_once_both_apply_every_decision(mini_outputs, tmp_path):
    reference = shutil.copytree(mini_outputs, tmp_path / "reference" / "outputs" / WAVE)
    books = [filled_workbook(mini_outputs, tmp_path / "ann.xlsx", "Ann", "reject", first=2),
             filled_workbook(mini_outputs, tmp_path / "ben.xlsx", "Ben", "accept", first=3)]
    errs = [tmp_path / f"{book.stem}.err" for book in books]
    with wave_lock(mini_outputs, "run"):  # a run of the wave is publishing
        children = [subprocess.Popen(import_command(book, mini_outputs),
                                     stdout=subprocess.PIPE, stderr=err.open("w"), text=True,
                                     env=child_env(), cwd=ROOT)
                    for book, err in zip(books, errs, strict=True)]
        _wait_for(errs, WAITING, children)
    outs = [child.communicate(timeout=300)[0] for child in children]
    for child, err in zip(children, errs, strict=True):
        message = err.read_text(encoding="utf-8")
        assert child.returncode == 0, message
        assert f"wave {WAVE}: another run (process" in message and WAITING in message
    assert [out.splitlines()[0].split(":")[0] for out in outs] == ["ann.xlsx", "ben.xlsx"]

    log = logged(mini_outputs)
    assert sorted(log.groupby(s.REVIEWER)[s.DECISION].agg(set).items()) == [
        ("Ann", {"rejected"}), ("Ben", {"accepted"})]
    assert sorted(log[s.REVIEW_FILE].value_counts().items()) == [("ann.xlsx", 4),
                                                                 ("ben.xlsx", 3)]
    for book in books:  # the same decisions, one import after the other
        import_review(book, reference)
    pd.testing.assert_frame_equal(
        log.sort_values([s.SEGMENT_ID, s.CODE_ID]).reset_index(drop=True),
        logged(reference).sort_values([s.SEGMENT_ID, s.CODE_ID]).reset_index(drop=True))
    expected = published(reference)
    for name, table in published(mini_outputs).items():
        pd.testing.assert_frame_equal(table, expected[name], obj=name)
    statuses = pd.read_parquet(mini_outputs / "codings.parquet")[s.STATUS].value_counts()
    assert statuses["rejected"] == 4 and statuses["accepted"] == 3


HOLD = ("import sys; from pathlib import Path; from pipeline.export.lock import wave_lock\n"
        "with wave_lock(Path(sys.argv[1]), 'import of other.xlsx'):\n"
        "    print('held', flush=True); sys.stdin.read()")


def test_an_import_that_cannot_wait_long_enough_fails_cleanly_then_succeeds(mini_outputs,
                                                                            tmp_path):
    book = filled_workbook(mini_outputs, tmp_path / "ann.xlsx", "Ann", "reject")
    before = published(mini_outputs)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(mini_outputs)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env=child_env(), cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = run_cli(["import-review", str(book), "--outputs", str(mini_outputs),
                        "--wait", "1"])
    finally:
        holder.communicate("", timeout=60)  # its end lets the lock go
    line = " ".join(busy.stderr.split())
    assert busy.exit_code == 2, busy.output
    assert f"another import of other.xlsx (process {holder.pid}" in line
    assert f"of wave {WAVE} was still running after 1 s; nothing was changed" in line
    assert "Traceback" not in busy.output
    assert logged(mini_outputs).empty
    for name, table in published(mini_outputs).items():
        pd.testing.assert_frame_equal(table, before[name], obj=name)

    again = run_cli(["import-review", str(book), "--outputs", str(mini_outputs), "--wait", "1"])
    assert again.exit_code == 0, again.output
    assert len(logged(mini_outputs)) == 4
