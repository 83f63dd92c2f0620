"""A gold file's table, read as the ingest reads a survey export.

Gold files come from other people's machines: Excel saves CSV in the Windows code page and, in
much of Europe, with semicolons; QDA packages export UTF-16 or tab-separated text. Reading them
with the ingest's reader (:mod:`pipeline.ingest.tables`) decodes and repairs each as a wave's
answers are, so a coder is trained and scored on the texts it will meet at run time, and the
untrusted-file checks (zip bombs, oversized files) apply. A gold file is measured as a whole:
a row that cannot be parsed stops the read, naming its line, rather than being left out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError, InputError
from pipeline.ingest.statfiles import STAT_SUFFIXES
from pipeline.ingest.tables import read_table
from pipeline.untrusted import check_size

GOLD_SUFFIXES = (".csv", ".tsv", ".xlsx", *STAT_SUFFIXES)
MAX_GOLD_BYTES = 64 * 2**20  # as a CSV codebook may be; NHS's 5,175 comments are 1.4 MB
MAX_LINES_LISTED = 5


def _reason(exc: Exception, path: Path) -> str:
    """The reader's message without its leading file name (the caller names the file)."""
    message = str(exc)
    return message.removeprefix(f"{path.name}: ")


def _listed(problems: list[tuple[int, str]]) -> str:
    shown = "; ".join(f"line {line}: {problem}" for line, problem in problems[:MAX_LINES_LISTED])
    more = len(problems) - MAX_LINES_LISTED
    return shown + (f"; and {more} more" if more > 0 else "")


def read_gold_table(path: Path) -> pd.DataFrame:
    """The header and rows of a gold file (.csv, .tsv, .xlsx, .sav, .zsav, .dta) as strings.

    The frame's index is the line each row starts on (the header is line 1; an .xlsx row is
    its sheet row), so errors can name where a person would look. Raises ``ConfigError`` for a
    missing file or another type, ``InputError`` for a file that cannot be read, with
    unparsable rows, or with formula cells that hold no value.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix not in GOLD_SUFFIXES:
        raise ConfigError(f"{path}: a gold file must be {', '.join(GOLD_SUFFIXES[:-1])} or "
                          f"{GOLD_SUFFIXES[-1]}")
    if suffix in (".csv", ".tsv"):
        check_size(path, MAX_GOLD_BYTES, "a gold file")
    try:
        table = read_table(path, header_rows=1)
    except InputError as exc:
        raise InputError(f"{path}: not a readable gold file ({_reason(exc, path)})") from None
    if table.malformed:
        raise InputError(f"{path}: not a readable gold file, {len(table.malformed)} row(s) "
                         f"cannot be read: {_listed(table.malformed)}")
    if table.formulas:
        line, column = min(table.formulas)
        raise InputError(f"{path}: line {line}, column {column + 1} is a formula without a "
                         "saved value (open the file in Excel and save it)")
    # a blank header cell is named by its place, as two blanks must not share a name
    header = [name or f"column {i + 1}" for i, name in enumerate(table.header)]
    lines = [line for line, _ in table.rows]
    return pd.DataFrame([cells for _, cells in table.rows], columns=header,
                        index=pd.Index(lines, name="line"), dtype=str)
