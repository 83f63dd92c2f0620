"""The wide coded dataset as an Excel workbook, written by whole columns rather than cell by cell.

openpyxl builds a Python object for every cell and writes each one through lxml: about 16,000
cells a second here, so a 50,000-answer wave's 1.4 million cells took some 85 s, and a million
answers would take half an hour. Here openpyxl still lays out the workbook
(styles, the header row, frozen panes, the filter, the codebook sheet), but with the header
only; the body rows are then streamed into each data sheet's XML from strings built per
column (each distinct value turned into its cell once) and one ``str.format`` per row.

The cells are the ones openpyxl would write for the same frame through pandas: inline strings,
numbers as ``%.16g``, missing values as empty cells. Answers are data, never formulas: every
string is a text cell (one starting ``=`` too, and ``#N/A``, which openpyxl would make an error
value), and control characters Excel refuses become spaces
(:func:`pipeline.untrusted.replace_controls`).

Excel holds 1,048,576 rows a sheet, the header included. A longer table is split over sheets
``coded``, ``coded (2)``, … of at most that many rows, each with the header, in row order, so
no answer is left out (:func:`sheet_parts`); the run record notes the split
(:func:`split_note`).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.untrusted import cells_as_text, replace_controls

EXCEL_MAX_ROWS = 1_048_576  # rows an Excel sheet holds, its header included
XLSX_MAX_CELL = 32767  # Excel refuses longer cells; very long transcripts are cut in the sheet
CODED_SHEET, CODEBOOK_SHEET = "coded", "codebook"
TEXT_WIDTH = 100  # the answer column's width, in characters
CHUNK_ROWS = 20_000  # rows turned into XML at a time: bounds memory, not the result
_EMPTY = ' t="inlineStr"></c>'  # what openpyxl writes for a missing value (pandas' "")
_XML_TEXT = {"\r": "&#13;"}  # lxml keeps a carriage return as a reference; others as they are


def sheet_parts(rows: int, max_rows: int = EXCEL_MAX_ROWS) -> list[tuple[str, int, int]]:
    """How ``rows`` data rows are split over sheets: [(sheet name, first row, end row)].

    Each sheet holds at most ``max_rows`` rows, its header included; there is always one sheet,
    named ``coded``, then ``coded (2)``, ``coded (3)``, … Rows count from 0, ends are exclusive.
    """
    per_sheet = max_rows - 1
    if per_sheet < 1:
        raise ValueError(f"a sheet of {max_rows} rows holds no data below its header")
    count = max(1, math.ceil(rows / per_sheet))
    return [(CODED_SHEET if i == 0 else f"{CODED_SHEET} ({i + 1})", i * per_sheet,
             min(rows, (i + 1) * per_sheet)) for i in range(count)]


def split_note(rows: int, file_name: str = "coded_wide.xlsx",
               max_rows: int = EXCEL_MAX_ROWS) -> str | None:
    """The run record's note when the wide table does not fit one sheet, else None.

    It starts ``<file_name> is split over sheets``, so a later publish can replace it.
    """
    parts = sheet_parts(rows, max_rows)
    if len(parts) == 1:
        return None
    return (f"{file_name} is split over sheets {', '.join(name for name, _, _ in parts)}: "
            f"its {rows:,} rows are more than one Excel sheet holds ({max_rows:,} with the "
            "header), so each sheet takes the next rows in order; the CSV file and the "
            "database's coded_wide table hold them in one table")


def codebook_table(codebook: Codebook) -> pd.DataFrame:
    """The codebook as a flat table: id, label, parent, definition, when to use / not use."""
    return pd.DataFrame([
        {"code_id": code.id, "label": code.label, "parent": parent,
         "definition": code.definition, "when_to_use": code.when_to_use,
         "when_not_to_use": code.when_not_to_use}
        for code, parent in codebook.walk()
    ])


def write_xlsx(wide: pd.DataFrame, codebook: Codebook, path: Path, *,
               max_rows: int = EXCEL_MAX_ROWS) -> Path:
    """The wide coded dataset as a workbook: its 'coded' sheet(s) and a 'codebook' sheet.

    Args:
        wide: the wide table (:func:`pipeline.export.tables.coded_wide`).
        codebook: the codebook, written as the last sheet.
        path: the ``.xlsx`` to write.
        max_rows: rows a sheet may hold, header included (Excel's limit; lower in tests).

    Returns:
        ``path``.
    """
    parts = sheet_parts(len(wide), max_rows)
    template = _template(wide, codebook, parts)
    try:
        _write_book(path, template, wide, parts, zip64=False)
    except RuntimeError as exc:  # a sheet's XML passed 4 GB: its entry needs zip's extension
        if "zip64" not in str(exc):
            raise
        _write_book(path, template, wide, parts, zip64=True)
    return path


def _write_book(path: Path, template: bytes, wide: pd.DataFrame,
                parts: list[tuple[str, int, int]], *, zip64: bool) -> None:
    """Copy the template's parts into ``path``, each data sheet with its rows streamed in."""
    # Deflate's fastest level: the sheet XML is most of the work; level 1 took 1.6 s where the
    # default 6 took 3.8 s for 50,000 answers, for a file a third larger (8.0 MB, not 6.0).
    with zipfile.ZipFile(io.BytesIO(template)) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        sheets = {f"xl/worksheets/sheet{i + 1}.xml": part for i, part in enumerate(parts)}
        for info in source.infolist():
            data = source.read(info)
            if info.filename not in sheets:
                target.writestr(info, data)
                continue
            _, start, end = sheets[info.filename]
            with target.open(info.filename, "w", force_zip64=zip64) as stream:
                # non-ASCII as character references, as openpyxl writes it
                _write_behind(stream, (piece.encode("ascii", "xmlcharrefreplace") for piece
                                       in _sheet_xml(data.decode("utf-8"), wide.iloc[start:end])))


def _write_behind(stream: io.BufferedIOBase, pieces: Iterable[bytes]) -> None:
    """Write ``pieces`` to ``stream`` in order, each while the next is being made.

    A sheet's XML is made in Python, which holds the interpreter's lock; compressing and
    writing it (zlib, the file) let go of that lock, so a second thread does them meanwhile.
    At most one piece waits to be written; a failed write is raised here.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="xlsx-writer") as writer:
        pending: Future | None = None
        for piece in pieces:
            if pending is not None:
                pending.result()
            pending = writer.submit(stream.write, piece)
        if pending is not None:
            pending.result()


def _template(wide: pd.DataFrame, codebook: Codebook, parts: list[tuple[str, int, int]],
              ) -> bytes:
    """The workbook openpyxl lays out with each data sheet's header only, as bytes."""
    header = wide.iloc[:0]
    text_column = get_column_letter(wide.columns.get_loc(s.TEXT) + 1)
    last_column = get_column_letter(max(1, len(wide.columns)))
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, _, _ in parts:
            header.to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 0))
        codebook_table(codebook).to_excel(writer, sheet_name=CODEBOOK_SHEET, index=False)
        for written in writer.sheets.values():
            cells_as_text(written)  # a column or code named like a formula stays text
        for name, start, end in parts:
            sheet = writer.sheets[name]
            sheet.auto_filter.ref = f"A1:{last_column}{end - start + 1}"
            sheet.column_dimensions[text_column].width = TEXT_WIDTH
    return buffer.getvalue()


def _sheet_xml(header_xml: str, body: pd.DataFrame) -> Iterator[str]:
    """A data sheet's XML: openpyxl's header-only sheet with the body's rows put in."""
    head, marker, tail = header_xml.partition("</sheetData>")
    # The frozen pane's top-left cell (A2) makes openpyxl write an empty second row.
    head = re.sub(r'<row r="2"\s*(/>|></row>)$', "", head)
    dimension = re.search(r'<dimension ref="([A-Z]+1):([A-Z]+)\d+"/>', head)
    if not marker or dimension is None or not head.endswith("</row>"):
        raise RuntimeError("openpyxl wrote a sheet without its header row; cannot add rows")
    rows = len(body) + 1
    yield head.replace(dimension.group(0), f'<dimension ref="{dimension.group(1)}:'
                                           f'{dimension.group(2)}{rows}"/>', 1)
    letters = [get_column_letter(i + 1) for i in range(len(body.columns))]
    # One row: '<row r="7"><c r="A7"' + cell tail + '<c r="B7"' + ... ; {0} is the row number.
    row_format = ('<row r="{0}">' + "".join(f'<c r="{letter}{{0}}"{{{i + 1}}}'
                                            for i, letter in enumerate(letters)) + "</row>")
    for start in range(0, len(body), CHUNK_ROWS):
        chunk = body.iloc[start:start + CHUNK_ROWS]
        tails = [_cell_tails(chunk.iloc[:, i]) for i in range(len(chunk.columns))]
        numbers = range(start + 2, start + 2 + len(chunk))
        yield "".join(map(row_format.format, numbers, *tails))
    yield marker + tail


def _cell_tails(column: pd.Series) -> np.ndarray:
    """Each cell of ``column`` as the XML following ``<c r="..."``, built once per value."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    made = np.array([_cell_tail(value) for value in uniques] + [_EMPTY], dtype=object)
    return made[codes]  # code -1 (missing) takes the last one: an empty cell


def _cell_tail(value: object) -> str:
    """One value's cell, as openpyxl writes what pandas hands it, strings always as text."""
    if isinstance(value, (bool, np.bool_)):
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, np.integer)):
        return f' t="n"><v>{"%.16g" % value}</v></c>'
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return _EMPTY
        if math.isinf(value):  # pandas writes infinities as the text "inf" / "-inf"
            return _text_cell("inf" if value > 0 else "-inf")
        return f' t="n"><v>{"%.16g" % value}</v></c>'
    return _text_cell(value if isinstance(value, str) else str(value))


def _text_cell(value: str) -> str:
    value = replace_controls(value[:XLSX_MAX_CELL])[0]
    if value == "":
        return _EMPTY
    preserve = ' xml:space="preserve"' if value != value.strip() else ""
    return f' t="inlineStr"><is><t{preserve}>{escape(value, _XML_TEXT)}</t></is></c>'
