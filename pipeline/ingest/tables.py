"""Reading tabular survey exports (.csv, .tsv, .xlsx, SPSS and Stata files) into strings.

Rows keep their line (CSV: the physical line the record starts on; XLSX: the sheet row), so a
problem can be reported where a person would look for it. Rows whose field count disagrees with
the header are returned as malformed, not guessed at.

Survey tools write more than one header row; those rows are never data. The layout is
recognised (``pipeline.ingest.exports``) or given in wave.yaml (``header_rows``, ``skip_rows``);
the question wording found in the header rows comes back in ``RawTable.wording``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from itertools import zip_longest
from pathlib import Path
from typing import Iterable, Iterator

from lxml import etree

from pipeline.errors import InputError
from pipeline.ingest.decode import UnreadableError, decode_bytes
from pipeline.ingest.exports import Layout, detect_layout
from pipeline.ingest.mojibake import fix_encoding
from pipeline.ingest.statfiles import STAT_SUFFIXES, stat_records
from pipeline.untrusted import check_office_file, replace_controls

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MAX_TITLE_ROWS = 2  # a title and a subtitle above a table's header, each alone in its row
_SEP_HINT = re.compile(r"sep=([,;\t|])[ \t]*\r?\n", re.IGNORECASE)


@dataclass
class RawTable:
    """A header, its data rows with their line numbers, and rows that could not be parsed."""

    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = "utf-8"
    repaired: bool = False
    wording: dict[str, str] = field(default_factory=dict)  # column -> question text
    layout: Layout = field(default_factory=Layout)
    skipped: list[int] = field(default_factory=list)  # lines skipped as header or skip_rows
    controls: int = 0  # control characters replaced in the cells
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (line, column): no cached value
    merged: int = 0  # merged cell ranges whose value was given to every cell they cover
    delimiter_hint: str = ""  # the delimiter a first line "sep=;" named (Excel's hint)
    titles: list[int] = field(default_factory=list)  # lines of titles above the header


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _check_header(header: list[str], name: str) -> list[str]:
    header = [h.strip() for h in header]
    if not any(header):
        raise UnreadableError(f"{name}: the first row (header) is empty")
    seen: set[str] = set()
    for column in header:
        if column and column in seen:
            raise UnreadableError(f"{name}: column '{column}' appears twice in the header")
        seen.add(column)
    return header


Record = tuple[int, list[str] | None, str]  # line, cells (None when unparsable), problem


def _lines(text: str) -> Iterator[str]:
    r"""``text``'s lines, each with its ``\n``, as ``io.StringIO(text)`` gives them.

    A StringIO holds its text at four bytes a character: 1.1 GB for a million answers' export.
    """
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _csv_records(text: str, bad_lines: Iterable[int] = (), delimiter: str | None = None,
                 start: int = 1) -> Iterator[Record]:
    """``text``'s CSV records with the line each starts on, ``text`` beginning on line ``start``."""
    try:
        delimiter = delimiter or csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is sniffed: a sample without a doubled quote makes the sniffer turn
    # doublequote off, and every later answer quoting someone ("he said ""no"" ") splits.
    reader = csv.reader(_lines(text), csv.excel, delimiter=delimiter)
    bad = sorted(bad_lines)
    line = start
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, None, f"unparsable CSV record: {exc}"
            line = reader.line_num + start
            continue
        spanned = [b for b in bad if line <= b < reader.line_num + start]
        if spanned:  # the decoder replaced bytes here: the row is not what was typed
            yield line, None, f"bytes that are not UTF-8 text on line {spanned[0]}"
        else:
            yield line, record, ""
        line = reader.line_num + start


def _filled(cells: list[str] | None) -> int:
    return sum(1 for cell in cells or [] if cell.strip())


def _title_rows(first: list[Record], same_width: bool) -> int:
    """How many of the first rows are titles above the header: one cell filled in each.

    People put "Friends and Family Test, April" in A1 and the column names lower down; read as
    the header, such a title left one column and every row malformed. A title has one cell
    filled, above a row with two or more. In a text file (``same_width``) its line is also as
    wide as that row, as Excel saves it ("title,,"): a one-column file's header, above answers
    its commas split, is not a title.
    """
    titles = 0
    while titles < min(MAX_TITLE_ROWS, len(first) - 1) and _filled(first[titles][1]) == 1:
        titles += 1
    if not titles or _filled(first[titles][1]) < 2:
        return 0
    width = len(first[titles][1] or []) if same_width else 0
    return titles if all(len(cells or []) >= width for _, cells, _ in first[:titles]) else 0


def _table(name: str, records: Iterable[Record], header_rows: int | None,
           skip_rows: Iterable[int], trim_header: bool) -> RawTable:
    """Header rows, then data rows of the right width; the layout detected when not given.

    Lines in ``skip_rows`` are dropped wherever they are (a title above the header, a test
    submission among the answers).
    """
    skip = set(skip_rows)
    dropped: list[int] = []

    def kept(all_records: Iterable[Record]) -> Iterator[Record]:
        for record in all_records:
            if record[0] in skip:
                dropped.append(record[0])
            else:
                yield record

    records = kept(records)
    first: list[Record] = []
    unparsable: list[Record] = []
    for record in records:
        if record[1] is None:
            if not first:
                raise UnreadableError(f"{name}: line {record[0]}: {record[2]}")
            unparsable.append(record)
        elif any(v.strip() for v in record[1]):
            first.append(record)
        if len(first) == max(3, header_rows or 0) + MAX_TITLE_ROWS:
            break
    if not first:
        raise UnreadableError(f"{name}: the file is empty")
    titles = _title_rows(first, same_width=not trim_header) if header_rows is None else 0
    title_lines, first = [line for line, _, _ in first[:titles]], first[titles:]
    layout = detect_layout([cells or [] for _, cells, _ in first], header_rows)
    head = [cells or [] for _, cells, _ in first[:layout.header_rows]]
    if trim_header:
        while head[0] and not head[0][-1]:
            head[0].pop()  # openpyxl reports trailing formatted-but-empty columns
    header = _check_header(layout.columns(head), name)
    table = RawTable(header, wording=layout.wording(header, head), layout=layout,
                     titles=title_lines)
    table.skipped = [line for line, _, _ in first[:layout.header_rows]]
    width = len(header)
    rest = sorted([*first[layout.header_rows:], *unparsable], key=lambda r: r[0])
    for line, cells, problem in [*rest, *records]:
        if cells is None:
            table.malformed.append((line, problem))
        elif not any(v.strip() for v in cells):
            continue
        elif trim_header:
            extra = [c for c in cells[width:] if c.strip()]
            if extra:
                table.malformed.append((line, f"values beyond the last header column: "
                                              f"{len(extra)} cell(s)"))
            else:
                table.rows.append((line, (cells + [""] * width)[:width]))
        elif len(cells) != width:
            table.malformed.append(
                (line, f"expected {width} fields as in the header, found {len(cells)}"))
        else:
            table.rows.append((line, cells))
    table.skipped += dropped
    return table


def read_csv_table(path: Path, header_rows: int | None = None,
                   skip_rows: Iterable[int] = ()) -> RawTable:
    """Read a CSV export (delimiter sniffed among , ; tab) with per-row line numbers.

    A ``.tsv`` file is tab-separated: not sniffed, as answers with commas could mislead it.
    A first line ``sep=;`` (Excel's delimiter hint) names the delimiter and is not a row.
    """
    decoded = decode_bytes(path.read_bytes())
    text, start = decoded.text, 1
    delimiter = "\t" if path.suffix.lower() == ".tsv" else None
    hint = _SEP_HINT.match(text)
    if hint:  # Excel's first line naming the delimiter: not a row, and better than a guess
        delimiter, text, start = hint.group(1), text[hint.end():], 2
    table = _table(path.name, _csv_records(text, decoded.bad_lines, delimiter, start),
                   header_rows, skip_rows, False)
    table.encoding, table.repaired = decoded.encoding, decoded.repaired
    table.delimiter_hint = hint.group(1) if hint else ""
    table.controls = decoded.controls
    return table


def _open_workbook(path: Path, data_only: bool = True):  # noqa: ANN202 (openpyxl is lazy)
    """An .xlsx opened read-only, after its zip and XML passed the untrusted-file checks."""
    import openpyxl  # heavy; only when a workbook is read

    try:
        check_office_file(path, "a valid .xlsx workbook")
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except InputError as exc:
        raise UnreadableError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - zip and XML are sound; the rest is this file's
        raise UnreadableError(f"{path.name}: not a valid .xlsx workbook "
                              f"({type(exc).__name__}: {exc})") from None


def sheet_names(path: Path) -> list[str]:
    """The sheet names of an .xlsx workbook, in order."""
    workbook = _open_workbook(path)
    names = list(workbook.sheetnames)
    workbook.close()
    return names


def _worksheet(workbook, sheet: str | int | None, path: Path):  # noqa: ANN001, ANN202
    try:
        if sheet is None:
            return workbook.worksheets[0]
        if isinstance(sheet, int):
            return workbook.worksheets[sheet]
        return workbook[sheet]
    except (KeyError, IndexError):
        raise UnreadableError(f"{path.name}: no sheet {sheet!r}") from None


def _unsized(worksheet):  # noqa: ANN001, ANN202 (an openpyxl read-only worksheet)
    """``worksheet`` read by its cells, not by the size its file declares.

    openpyxl pads every row to the declared width and adds empty rows to the declared height:
    a sheet declaring A1:XFD1048576 (a forged file, or whole rows formatted) took 316 s for
    2,000 rows. Rows now end at their last cell; ``_table`` pads them to the header.
    """
    worksheet.reset_dimensions()
    return worksheet


def _merged_cells(workbook, worksheet) -> dict[tuple[int, int], tuple[int, int]]:  # noqa: ANN001
    """Each cell a merged range covers (1-based row, 0-based column) -> the range's top left.

    Read-only openpyxl does not report merged ranges, so they are read from the sheet's XML
    (already checked as untrusted), streaming.
    """
    from openpyxl.utils.cell import range_boundaries

    covered: dict[tuple[int, int], tuple[int, int]] = {}
    path = getattr(worksheet, "_worksheet_path", None)
    if path is None:
        return covered
    with workbook._archive.open(path) as stream:  # noqa: SLF001 - the sheet openpyxl reads
        for _event, element in etree.iterparse(stream, tag=f"{{{SHEET_NS}}}mergeCell",
                                               resolve_entities=False, no_network=True):
            left, top, right, bottom = range_boundaries(element.get("ref", ""))
            for row in range(top, bottom + 1):
                for column in range(left - 1, right):
                    if (row, column) != (top, left - 1):
                        covered[(row, column)] = (top, left - 1)
            element.clear()
    return covered


def read_xlsx_table(path: Path, sheet: str | int | None = None, header_rows: int | None = None,
                    skip_rows: Iterable[int] = ()) -> RawTable:
    """Read one sheet of an .xlsx workbook (the first unless named) with sheet row numbers.

    Cells are Excel's cached values; a formula cell without one (a workbook written by a tool
    that does not compute) is listed in ``RawTable.formulas`` rather than read as empty.
    Control characters in cells are replaced one for one.
    """
    values_book, formula_book = _open_workbook(path), _open_workbook(path, data_only=False)
    formulas: set[tuple[int, int]] = set()
    controls = 0
    worksheet = _unsized(_worksheet(values_book, sheet, path))
    merged = _merged_cells(values_book, worksheet)
    tops = set(merged.values())
    filled: dict[tuple[int, int], str] = {}  # the value of each merged range's top-left cell
    reach: dict[int, int] = {}  # line -> columns a merged range covers on it (rows end early)
    for row, column in merged:
        reach[row] = max(reach.get(row, 0), column + 1)

    def records() -> Iterator[Record]:
        nonlocal controls
        rows = zip(worksheet.iter_rows(values_only=True),
                   _unsized(_worksheet(formula_book, sheet, path)).iter_rows(values_only=True),
                   strict=False)
        for line, (values, written) in enumerate(rows, start=1):
            cells = []
            short = reach.get(line, 0) - len(values)
            values = (*values, *(None,) * short) if short > 0 else values
            for column, (value, given) in enumerate(zip_longest(values, written)):
                if value is None and isinstance(given, str) and given.startswith("="):
                    formulas.add((line, column))
                text, count = replace_controls(_cell(value))
                controls += count
                if (line, column) in merged:  # a merged cell shows its top-left value
                    text = filled.get(merged[(line, column)], text)
                if (line, column) in tops:
                    filled[(line, column)] = text
                cells.append(text)
            yield line, cells, ""

    name = path.name if sheet is None else f"{path.name} sheet {sheet!r}"
    try:
        table = _table(name, records(), header_rows, skip_rows, True)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet part openpyxl cannot walk
        raise UnreadableError(f"{name}: the sheet cannot be read ({type(exc).__name__})") \
            from None
    finally:
        values_book.close()
        formula_book.close()
    table.formulas, table.controls = formulas, controls
    table.merged = len(tops)
    return table


def read_table(path: Path, sheet: str | int | None = None, *, header_rows: int | None = None,
               skip_rows: Iterable[int] = ()) -> RawTable:
    """Read a survey export by its suffix (.csv, .tsv, .xlsx; .sav, .zsav or .dta).

    Args:
        path: the export.
        sheet: the workbook sheet (name or 0-based index); the first when None.
        header_rows: rows of header at the top; recognised from the layout when None.
        skip_rows: 1-based lines that are neither header nor answers (a title row above the
            header, a test submission).
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return read_csv_table(path, header_rows, skip_rows)
    if suffix == ".xlsx":
        return read_xlsx_table(path, sheet, header_rows, skip_rows)
    if suffix in STAT_SUFFIXES:
        return read_stat_table(path, skip_rows)
    raise UnreadableError(f"{path.name}: unsupported table type '{suffix}' (use .csv, .tsv, "
                          ".xlsx, .sav or .dta)")


def read_stat_table(path: Path, skip_rows: Iterable[int] = ()) -> RawTable:
    """Read an SPSS or Stata data file as its CSV export would read (see ``statfiles``).

    The variable names are the header (line 1), case n is line n + 1, and the variables'
    labels are the questions' wording.
    """
    records, wording = stat_records(path)
    table = _table(path.name, records, 1, skip_rows, False)
    if table.layout.name == "wave.yaml":  # the one header row is the format's, not a manifest's
        table.layout = replace(table.layout, name="plain")
    table.wording.update(wording)
    for index, (line, cells) in enumerate(table.rows):
        table.rows[index] = (line, [_as_decoded(cell, table) for cell in cells])
    return table


def _as_decoded(cell: str, table: RawTable) -> str:
    """A data file's cell made as a CSV's text is: mojibake repaired, line ends normalised.

    Control characters are replaced, and they and any repair are counted on ``table``.
    """
    repaired = fix_encoding(cell)
    table.repaired |= repaired != cell
    text, controls = replace_controls(repaired.replace("\r\n", "\n").replace("\r", "\n"))
    table.controls += controls
    return text
