"""Reading tabular survey exports (.csv, .xlsx) into a header and numbered rows of strings.

Rows keep their line (CSV: the physical line the record starts on; XLSX: the sheet row), so a
problem can be reported where a person would look for it. Rows whose field count disagrees with
the header are returned as malformed, not guessed at.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.ingest.decode import UnreadableError, decode_bytes


@dataclass
class RawTable:
    """A header, its data rows with their line numbers, and rows that could not be parsed."""

    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = "utf-8"
    repaired: bool = False


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _check_header(header: list[str], path: Path) -> list[str]:
    header = [h.strip() for h in header]
    if not any(header):
        raise UnreadableError(f"{path.name}: the first row (header) is empty")
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise UnreadableError(f"{path.name}: column '{name}' appears twice in the header")
        seen.add(name)
    return header


def read_csv_table(path: Path) -> RawTable:
    """Read a CSV export (delimiter sniffed among , ; tab) with per-row line numbers."""
    decoded = decode_bytes(path.read_bytes())
    sample = decoded.text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(decoded.text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableError(f"{path.name}: the file is empty") from None
    except csv.Error as exc:
        raise UnreadableError(f"{path.name}: line 1: {exc}") from None
    table = RawTable(_check_header(header, path), encoding=decoded.encoding,
                     repaired=decoded.repaired)
    width = len(table.header)
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            table.malformed.append((line, f"unparsable CSV record: {exc}"))
            line = reader.line_num + 1
            continue
        if record and any(v.strip() for v in record):
            if len(record) != width:
                table.malformed.append(
                    (line, f"expected {width} fields as in the header, found {len(record)}")
                )
            else:
                table.rows.append((line, record))
        line = reader.line_num + 1
    return table


def read_xlsx_table(path: Path, sheet: str | int | None = None) -> RawTable:
    """Read one sheet of an .xlsx workbook (the first unless named) with sheet row numbers."""
    import openpyxl  # heavy; only when a workbook is read

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise UnreadableError(f"{path.name}: not a valid .xlsx workbook ({exc})") from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif isinstance(sheet, int):
            worksheet = workbook.worksheets[sheet]
        else:
            worksheet = workbook[sheet]
    except (KeyError, IndexError):
        raise UnreadableError(f"{path.name}: no sheet {sheet!r}") from None
    rows = worksheet.iter_rows(values_only=True)
    try:
        header_cells = next(rows)
    except StopIteration:
        raise UnreadableError(f"{path.name}: the sheet is empty") from None
    header = [_cell(v) for v in header_cells]
    while header and not header[-1]:
        header.pop()  # openpyxl reports trailing formatted-but-empty columns
    table = RawTable(_check_header(header, path))
    for line, values in enumerate(rows, start=2):
        cells = [_cell(v) for v in values]
        if not any(c.strip() for c in cells):
            continue
        extra = [c for c in cells[len(header):] if c.strip()]
        if extra:
            table.malformed.append((line, f"values beyond the last header column: {extra[:3]}"))
            continue
        table.rows.append((line, (cells + [""] * len(header))[: len(header)]))
    workbook.close()
    return table


def read_table(path: Path, sheet: str | int | None = None) -> RawTable:
    """Read a survey export by its suffix (.csv or .xlsx)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_table(path)
    if suffix == ".xlsx":
        return read_xlsx_table(path, sheet)
    raise UnreadableError(f"{path.name}: unsupported table type '{suffix}' (use .csv or .xlsx)")
