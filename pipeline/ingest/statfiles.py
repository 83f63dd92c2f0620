"""SPSS (.sav, .zsav) and Stata (.dta) data files into a table of strings, read with pyreadstat.

Fieldwork agencies deliver survey data this way: a case per respondent, open answers as string
variables, closed questions as numbers with value labels, and each variable's label holding the
question's wording. The table reads as a CSV export of the same data would: line 1 the variable
names, case *n* on line *n* + 1; value labels replace their codes ("North West", not 3), the
variable labels become the questions' wording, and user-defined missing values (-99 "Not
answered") are blank.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Iterator

import pandas as pd

from pipeline.ingest.decode import UnreadableError

STAT_SUFFIXES = (".sav", ".zsav", ".dta")
# What a file may hold before a row of it is read: a million answers to 20 questions with 30
# more variables is 50 million cells; a file declaring more is refused, not loaded.
MAX_CELLS = 100_000_000


def _kind(path: Path) -> str:
    return "Stata .dta" if path.suffix.lower() == ".dta" else "SPSS .sav"


def _reader(path: Path):  # noqa: ANN202 - pyreadstat is imported only when a file needs it
    import pyreadstat

    return pyreadstat.read_dta if path.suffix.lower() == ".dta" else pyreadstat.read_sav


def _read(path: Path, **options):  # noqa: ANN202
    """pyreadstat's (frame, metadata), its errors as the file's own."""
    try:
        return _reader(path)(str(path), **options)
    except Exception as exc:  # noqa: BLE001 - ReadStat's errors name the format, not the data
        raise UnreadableError(f"{path.name}: not a readable {_kind(path)} file "
                              f"({type(exc).__name__}: {exc})") from None


def _cell(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""  # a system-missing number or date, or a user-defined missing value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")  # as a workbook's date-time cell reads
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def stat_records(path: Path) -> tuple[Iterator[tuple[int, list[str], str]], dict[str, str]]:
    """The file's records as a CSV reader gives them (line, cells, ""), and its wording.

    Raises UnreadableError naming the file when it is not an SPSS or Stata file, or declares
    more than :data:`MAX_CELLS` cells.
    """
    _, meta = _read(path, metadataonly=True)
    cells = int(meta.number_rows or 0) * int(meta.number_columns or 0)
    if cells > MAX_CELLS:
        raise UnreadableError(f"{path.name}: {meta.number_rows:,} cases × "
                              f"{meta.number_columns:,} variables, more than the "
                              f"{MAX_CELLS:,} cells read from one file")
    frame, meta = _read(path, apply_value_formats=True, formats_as_category=False)
    names = [str(name) for name in meta.column_names]
    wording = {name: str(label).strip() for name, label in
               zip(names, meta.column_labels or [], strict=False) if label and str(label).strip()}

    def records() -> Iterator[tuple[int, list[str], str]]:
        yield 1, names, ""
        for number, row in enumerate(frame.itertuples(index=False, name=None), start=2):
            yield number, [_cell(value) for value in row], ""

    return records(), wording
