"""The wide workbook: the cells openpyxl would write, answers never formulas, long tables split."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.export import spreadsheet
from pipeline.export.spreadsheet import (
    EXCEL_MAX_ROWS,
    codebook_table,
    sheet_parts,
    split_note,
    write_xlsx,
)
from pipeline.untrusted import cells_as_text

# Answers as respondents type them: formula starts, padding, line ends, markup, non-ASCII.
ANSWERS = ["=HYPERLINK(\"http://x.example\",\"click\")", "+the staff", "-2 beds", "@SUM(A1)",
           "  padded  ", "line one\r\nline two", "<b>&amp; more</b>", "café – “quoted” 😀",
           None, "", "=", "plain answer"]


def _wide(rows: int = len(ANSWERS)) -> pd.DataFrame:
    """A wide table shaped like coded_wide's: ids, an attribute with gaps, 0/1 codes, text."""
    return pd.DataFrame({
        s.WAVE: "w1",
        s.RESPONDENT_ID: [f"=R{i}" if i == 1 else f"R{i}" for i in range(rows)],
        s.QUESTION_ID: "q1",
        "region": [None if i % 4 == 0 else "North" for i in range(rows)],
        "score": [np.nan if i == 2 else i / 2 for i in range(rows)],
        "code_housing": [i % 2 for i in range(rows)],
        "code_housing_gap": np.zeros(rows, dtype="int64"),
        s.TEXT: (ANSWERS * (rows // len(ANSWERS) + 1))[:rows],
    })


def _reference(wide: pd.DataFrame, codebook, path):
    """The workbook as openpyxl writes it cell by cell (the writer this one replaced)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        wide.to_excel(writer, sheet_name="coded", index=False, freeze_panes=(1, 0))
        codebook_table(codebook).to_excel(writer, sheet_name="codebook", index=False)
        for sheet in writer.sheets.values():
            cells_as_text(sheet)
        coded = writer.sheets["coded"]
        coded.auto_filter.ref = coded.dimensions
        coded.column_dimensions["H"].width = 100
    return path


def _cells(path, sheet: str) -> list[list[tuple[object, str]]]:
    book = openpyxl.load_workbook(path)
    return [[(c.value, c.data_type) for c in row] for row in book[sheet].iter_rows()]


def test_the_coded_sheet_holds_the_cells_openpyxl_writes(tmp_path, mini_codebook):
    wide = _wide()
    ours = write_xlsx(wide, mini_codebook, tmp_path / "ours.xlsx")
    theirs = _reference(wide, mini_codebook, tmp_path / "theirs.xlsx")
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(theirs) as b:
        # byte for byte: types, escaping, kept spaces, carriage returns, character references
        assert a.read("xl/worksheets/sheet1.xml") == b.read("xl/worksheets/sheet1.xml")
        assert a.read("xl/styles.xml") == b.read("xl/styles.xml")
    cells = _cells(ours, "coded")
    assert cells[2][1] == ("=R1", "s")  # an id typed like a formula too
    texts = [row[-1] for row in cells[1:]]
    assert ("=HYPERLINK(\"http://x.example\",\"click\")", "s") in texts
    assert ("line one\r\nline two", "s") in texts and ("  padded  ", "s") in texts
    assert all(kind != "f" for row in cells for _, kind in row)


def test_error_codes_and_control_characters_are_written_as_text(tmp_path, mini_codebook):
    wide = _wide(3).assign(**{s.TEXT: ["#N/A", "bell\x07here", "#DIV/0!"]})
    cells = _cells(write_xlsx(wide, mini_codebook, tmp_path / "w.xlsx"), "coded")
    assert [row[-1] for row in cells[1:]] == [("#N/A", "s"), ("bell here", "s"),
                                              ("#DIV/0!", "s")]


def test_a_table_past_the_row_limit_is_split_over_sheets_in_order(tmp_path, mini_codebook):
    wide = _wide(11)
    path = write_xlsx(wide, mini_codebook, tmp_path / "w.xlsx", max_rows=5)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["coded", "coded (2)", "coded (3)", "codebook"]
    # 4 + 4 + 3 rows, each sheet below its own header
    assert [book[n].max_row for n in book.sheetnames[:3]] == [5, 5, 4]
    assert [book[n].auto_filter.ref for n in book.sheetnames[:3]] == ["A1:H5", "A1:H5", "A1:H4"]
    assert all(book[n].freeze_panes == "A2" for n in book.sheetnames[:3])
    sheets = pd.read_excel(path, sheet_name=None)
    back = pd.concat([sheets[n] for n in book.sheetnames[:3]], ignore_index=True)
    assert list(back.columns) == list(wide.columns)
    assert back[s.RESPONDENT_ID].tolist() == wide[s.RESPONDENT_ID].tolist()
    assert back["code_housing"].tolist() == wide["code_housing"].tolist()
    assert sheets["codebook"]["code_id"].tolist() == mini_codebook.code_ids()


def test_an_empty_table_is_a_header_only_sheet(tmp_path, mini_codebook):
    path = write_xlsx(_wide(0), mini_codebook, tmp_path / "w.xlsx")
    assert _cells(path, "coded") == [[(c, "s") for c in _wide(0).columns]]


def test_sheet_parts_take_the_header_into_account():
    assert sheet_parts(0) == [("coded", 0, 0)]
    assert sheet_parts(EXCEL_MAX_ROWS - 1) == [("coded", 0, EXCEL_MAX_ROWS - 1)]
    assert sheet_parts(EXCEL_MAX_ROWS) == [("coded", 0, EXCEL_MAX_ROWS - 1),
                                           ("coded (2)", EXCEL_MAX_ROWS - 1, EXCEL_MAX_ROWS)]
    with pytest.raises(ValueError, match="holds no data"):
        sheet_parts(3, max_rows=1)


def test_the_split_is_noted_only_when_it_happens():
    assert split_note(EXCEL_MAX_ROWS - 1) is None
    note = split_note(2_500_000)
    assert note.startswith("coded_wide.xlsx is split over sheets coded, coded (2), coded (3):")
    assert "2,500,000 rows" in note and "1,048,576" in note


def test_a_sheet_made_in_many_pieces_is_the_sheet_made_in_one(tmp_path, mini_codebook,
                                                              monkeypatch):
    wide = _wide(11)
    whole = write_xlsx(wide, mini_codebook, tmp_path / "whole.xlsx")
    monkeypatch.setattr(spreadsheet, "CHUNK_ROWS", 2)  # 6 pieces of rows, each written behind
    pieces = write_xlsx(wide, mini_codebook, tmp_path / "pieces.xlsx")
    with zipfile.ZipFile(whole) as a, zipfile.ZipFile(pieces) as b:
        assert a.read("xl/worksheets/sheet1.xml") == b.read("xl/worksheets/sheet1.xml")
        assert a.read("xl/worksheets/sheet1.xml").count(b"<row ") == 12


class _FailingStream(io.BytesIO):
    def write(self, data):
        if data == b"two":
            raise OSError("disk full")
        return super().write(data)


def test_a_write_that_fails_behind_is_raised_and_nothing_after_it_is_written():
    stream = _FailingStream()
    made = []

    def pieces():
        for piece in (b"one", b"two", b"three", b"four"):
            made.append(piece)
            yield piece

    with pytest.raises(OSError, match="disk full"):
        spreadsheet._write_behind(stream, pieces())
    assert stream.getvalue() == b"one"
    assert made == [b"one", b"two", b"three"]  # the next piece is made while one is written
