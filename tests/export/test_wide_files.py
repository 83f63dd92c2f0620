"""The wide table's CSV and workbook: the same files whether written at once or beside."""

from __future__ import annotations

import multiprocessing
import zipfile

import numpy as np
import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.export import wide_files
from pipeline.export.wide_files import WideFiles

# Answers as respondents type them: formula starts, line ends, markup, non-ASCII, gaps.
ANSWERS = ["=SUM(A1)", "+the staff", "line one\r\nline two", "café – “quoted” 😀", None, "",
           "a plain answer, with a comma"]


def _wide(rows: int = 23) -> pd.DataFrame:
    return pd.DataFrame({
        s.WAVE: "w1",
        s.RESPONDENT_ID: [f"R{i}" for i in range(rows)],
        "region": [None if i % 4 == 0 else "North" for i in range(rows)],
        "score": [np.nan if i == 2 else i / 2 for i in range(rows)],
        "code_housing": np.array([i % 2 for i in range(rows)], dtype="int8"),
        s.TEXT: (ANSWERS * rows)[:rows],
    })


def _files(folder):
    with zipfile.ZipFile(folder / "coded_wide.xlsx") as book:
        sheets = {name: book.read(name) for name in book.namelist() if "worksheets" in name}
    return (folder / "coded_wide.csv").read_bytes(), sheets


def test_written_in_slices_by_another_process_the_files_are_those_written_at_once(
        tmp_path, mini_codebook, monkeypatch):
    wide = _wide()
    (tmp_path / "once").mkdir()
    (tmp_path / "beside").mkdir()
    once = WideFiles(wide, mini_codebook, tmp_path / "once", excel_rows=10)
    once.wait()  # nothing to wait for: written in this process
    monkeypatch.setattr(wide_files, "SLICE_ROWS", 4)  # 6 slices sent, joined again there
    beside = WideFiles(wide, mini_codebook, tmp_path / "beside", excel_rows=10, beside_from=0)
    beside.wait()
    assert _files(tmp_path / "beside") == _files(tmp_path / "once")
    csv, sheets = _files(tmp_path / "once")
    assert len(sheets) == 4  # 23 rows over three sheets of 9 (10 with the header), a codebook
    assert csv.count(b"'=SUM(A1)") == 4  # made safe for spreadsheets in either process
    assert beside.seconds > 0 and beside.paths == {
        "coded_wide_csv": tmp_path / "beside" / "coded_wide.csv",
        "coded_wide_xlsx": tmp_path / "beside" / "coded_wide.xlsx"}


def test_a_failure_in_the_other_process_is_raised_by_wait(tmp_path, mini_codebook):
    writing = WideFiles(_wide(), mini_codebook, tmp_path / "not-made", excel_rows=10,
                        beside_from=0)
    with pytest.raises(RuntimeError, match=r"coded_wide.csv and coded_wide.xlsx failed: "
                                           r"FileNotFoundError"):
        writing.wait()


def test_stop_ends_the_other_process(tmp_path, mini_codebook):
    writing = WideFiles(_wide(200_000), mini_codebook, tmp_path, excel_rows=1_048_576,
                        beside_from=0)
    process = writing._process
    writing.stop()
    assert process is not None and process.exitcode is not None and not process.is_alive()
    writing.wait()  # stopped: nothing left to wait for


def test_where_no_process_may_start_the_files_are_written_at_once(tmp_path, mini_codebook,
                                                                  monkeypatch):
    def refused(process):
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refused)
    writing = WideFiles(_wide(), mini_codebook, tmp_path, excel_rows=10, beside_from=0)
    assert writing._process is None and writing.seconds > 0  # written before it returned
    writing.wait()
    assert (tmp_path / "coded_wide.csv").read_bytes().count(b"'=SUM(A1)") == 4
