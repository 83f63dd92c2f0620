"""Running a hostile wave the way a user would, and the checks every fault case shares."""

from __future__ import annotations

import csv
import json
import logging
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner, Result

from flows.cli import app

ROOT = Path(__file__).resolve().parents[2]
FAULTS = Path(__file__).parent / "data"
MINI_CODEBOOK = ROOT / "tests" / "data" / "codebook-mini.yaml"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class WaveRunResult:
    """What a CLI run of a wave left: its result, outputs folder, run.json and rejected rows."""

    result: Result
    outputs: Path
    record: dict
    rejected: pd.DataFrame
    documents: pd.DataFrame


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def copy_wave(name: str, tmp: Path) -> Path:
    """A copy of ``tests/faults/data/<name>`` under ``tmp/in`` (inputs are never written)."""
    return Path(shutil.copytree(FAULTS / name, tmp / "in" / name, symlinks=True))


def run_cli(args: list[str]) -> Result:
    """``wavecoder <args>`` through Typer's runner, as a user types it."""
    try:
        return CliRunner().invoke(app, args)
    finally:
        _release_streams()


def _release_streams() -> None:
    """Point log handlers left on the runner's closed streams back at the real stderr.

    Prefect's console handler keeps the stream it was set up with: the runner's, closed once
    the command returns, which would fail the next run in this process (never a user's).
    """
    for logger in [logging.getLogger(), *[logging.getLogger(name) for name in
                                          list(logging.root.manager.loggerDict)]]:
        for handler in getattr(logger, "handlers", []):
            stream = getattr(handler, "stream", None)
            if stream is not None and getattr(stream, "closed", False):
                handler.stream = sys.__stderr__  # setStream would flush the closed one
                if hasattr(handler, "console"):  # Prefect's handler prints through rich
                    handler.console.file = sys.__stderr__


def run_wave(folder: Path, out: Path, codebook: Path = MINI_CODEBOOK) -> Result:
    """``wavecoder run`` with rules and no topics (fast, and enough for every fault)."""
    return run_cli(["run", str(folder), "--out", str(out), "--no-topics", "--coder", "rules",
                    "--codebook", str(codebook)])


def run_and_read(name: str, tmp: Path) -> WaveRunResult:
    """Run the fault wave ``name`` from a copy; assert it ran and left its inputs untouched."""
    folder = copy_wave(name, tmp)
    before = snapshot(tmp / "in")
    result = run_wave(folder, tmp / "out")
    assert result.exit_code == 0, result.output
    assert snapshot(tmp / "in") == before, "the run changed its input folder"
    assert sorted(p.name for p in tmp.iterdir()) == ["in", "out"], "wrote outside --out"
    outputs = next(p for p in (tmp / "out").iterdir() if p.is_dir())
    record = json.loads((outputs / "run.json").read_text(encoding="utf-8"))
    rejected = pd.read_csv(outputs / "rejected.csv", dtype=str, keep_default_na=False)
    documents = pd.read_parquet(outputs / "documents.parquet")
    return WaveRunResult(result, outputs, record, rejected, documents)


def assert_accounted(run: WaveRunResult) -> None:
    """items_in = kept + rejected in run.json, and both match the written tables."""
    acc = run.record["accounting"]
    assert acc["items_in"] == acc["kept"] + acc["rejected"]
    assert acc["kept"] == len(run.documents)
    assert acc["rejected"] == len(run.rejected)


def live_formulas(folder: Path) -> list[str]:
    """Every cell holding a formula in any workbook under ``folder`` (sheet!cell)."""
    found = []
    for path in folder.rglob("*.xlsx"):
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            found += [f"{path.name}:{sheet.title}!{cell.coordinate}"
                      for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    return found


def unescaped_csv_cells(folder: Path) -> list[str]:
    """CSV cells a spreadsheet would run as a formula (numbers like -0.5 are not text)."""
    found = []
    for path in folder.rglob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                for cell in row:
                    if cell.startswith(FORMULA_STARTS) and not _number(cell):
                        found.append(f"{path.name} row {number}: {cell[:20]!r}")
    return found


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def rejected_of(run: WaveRunResult, source: str) -> pd.DataFrame:
    """The rejected rows of one input file (a workbook's sheets included)."""
    return run.rejected[run.rejected["source"].str.startswith(source)]
