"""Review imports as a user runs them: real ``wavecoder import-review`` processes on a mini wave.

The mini wave is coded and published in-process (rules, no Prefect); review workbooks are
written from it and filled in as a reviewer would; each import runs in its own Python, so a
test can kill it or run two at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from support_faults import ROOT

from pipeline import schema as s
from pipeline.outputs import read_wave
from pipeline.review.queue import review_queue
from pipeline.review.workbook import COLUMNS, write_workbook

WAVE = "mini-2013"
# what an import's outputs must agree on, whenever it ran (times and run.json's timings differ)
COMPARED = ("codings.parquet", "stances.parquet", "coded_wide.csv", "theme_summary.csv",
            "review/agreement.csv", "review/review_queue.csv")
TIMES = [s.IMPORTED_AT, s.DECIDED_AT]


def filled_workbook(outputs: Path, path: Path, reviewer: str, decision: str, *, first: int = 2,
                    every: int = 3) -> Path:
    """The wave's review workbook with ``decision`` typed on every ``every``-th row from
    ``first`` (row 1 is the header)."""
    wave = read_wave(outputs)
    write_workbook(path, wave.wave, wave.codings, wave.segments, wave.documents,
                   review_queue(wave.codings, wave.segments), wave.require_codebook())
    book = load_workbook(path, rich_text=True)
    sheet = book["review"]
    column = {name: i + 1 for i, name in enumerate(COLUMNS)}
    for row in range(first, sheet.max_row + 1, every):
        sheet.cell(row, column[s.DECISION]).value = decision
        sheet.cell(row, column[s.REVIEWER]).value = reviewer
    book.save(path)
    return path


def import_command(file: Path, outputs: Path, *extra: str) -> list[str]:
    """``wavecoder import-review FILE --outputs OUTPUTS`` as a command for a child Python."""
    return [sys.executable, "-c", "from flows.cli import app; app()", "import-review", str(file),
            "--outputs", str(outputs), *extra]


def child_env() -> dict[str, str]:
    """The environment of a child wavecoder: this one, with the checkout on the path."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}


def run_import(file: Path, outputs: Path, *extra: str, timeout: float = 300
               ) -> subprocess.CompletedProcess[str]:
    """Run one import to its end in a child Python."""
    return subprocess.run(import_command(file, outputs, *extra), capture_output=True, text=True,
                          env=child_env(), cwd=ROOT, timeout=timeout)


def logged(outputs: Path) -> pd.DataFrame:
    """The wave's review log, without the times an import stamps."""
    from pipeline.outputs import database_of
    from pipeline.review.log import read_log

    return read_log(database_of(outputs), WAVE).drop(columns=TIMES + [s.LOG_SEQ])


def published(outputs: Path) -> dict[str, pd.DataFrame]:
    """The tables an import publishes, as read back from the folder."""
    return {name: pd.read_parquet(outputs / name) if name.endswith(".parquet")
            else pd.read_csv(outputs / name, dtype=str, keep_default_na=False)
            for name in COMPARED}
