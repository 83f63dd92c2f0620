"""A codebook drafted from the codes a team already applied: the columns or values of a gold file.

Two layouts, as :mod:`pipeline.quality.gold` reads them. *Wide*: one row per text, a 0/1
column per code (the column name is the code's name). *Long*: one row per text × code, the
code's name in a ``code_id``, ``code`` or ``tag`` column (Taguette's export of highlights has
``tag``). Names may be paths (``a->b``, ``a/b``) for a hierarchy. Labels keep the names as
written (a child's is the last part of its path), so :func:`pipeline.quality.gold.load_gold`
maps a flat wide file's columns onto the drafted codebook by label; definitions and patterns
are left for a person to write.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.codebooks.draft import Draft, DraftCode, build_codebook, codebook_id_for
from pipeline.codebooks.files import kind_of
from pipeline.codebooks.paths import nest_by_path
from pipeline.errors import ConfigError, InputError
from pipeline.quality.gold import ID_COLUMNS, TEXT_COLUMNS, column_named
from pipeline.quality.gold_table import read_gold_table

CODE_COLUMNS = ("code_id", "code", "tag")
_BINARY = {"0", "1", "0.0", "1.0"}
_YES = ["1", "1.0"]


def _read_frame(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".csv", ".tsv"):  # text in any encoding: a UTF-16 BOM is no XML
        return read_gold_table(path)
    kind = kind_of(path)
    if kind == "xml" or (kind == "zip" and path.suffix.lower() != ".xlsx"):
        raise ConfigError(f"{path}: a REFI-QDA file, not a gold file; read its codebook with: "
                          f"wavecoder codebook import {path} -o OUT.yaml")
    if kind == "yaml":
        raise ConfigError(f"{path}: a codebook YAML, not a gold file (a .csv or .xlsx of coded "
                          "texts)")
    return read_gold_table(path)


def _in_order(values: pd.Series) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def _long(frame: pd.DataFrame, column: str) -> list[DraftCode]:
    values = frame[column].astype(str).str.strip()
    return [DraftCode(name=name, count=n) for name, n in _in_order(values[values != ""]).items()]


def _wide(frame: pd.DataFrame) -> list[DraftCode]:
    codes = []
    columns = list(frame.columns)
    text, ids = column_named(columns, TEXT_COLUMNS), column_named(columns, ID_COLUMNS)
    for column in frame.columns:
        if column in (text, ids) or not str(column).strip():
            continue
        values = frame[column].astype(str).str.strip()
        present = set(values) - {""}
        if present and present <= _BINARY:
            codes.append(DraftCode(name=str(column).strip(), count=int(values.isin(_YES).sum())))
    return codes


def draft_from_gold(path: Path, codebook_id: str | None = None) -> Draft:
    """Draft a codebook from the codes of a gold file (wide 0/1 columns or a long code column).

    Args:
        path: the gold file (.csv or .xlsx).
        codebook_id: the new codebook's id (default: from the file name).

    Returns:
        The draft: every code with an empty definition and no patterns, its count of coded
        texts (rows) in ``counts``; raises InputError/ConfigError naming the file otherwise.
    """
    frame = _read_frame(path)
    column = next((c for c in frame.columns if str(c).strip().lower() in CODE_COLUMNS), None)
    names = {str(c).strip().lower() for c in frame.columns}
    texts = {c.lower() for c in TEXT_COLUMNS} | {"content"}  # Taguette's highlights: content
    if column is not None and "description" in names and not names & texts:
        raise ConfigError(f"{path}: a codebook (tags and descriptions), not coded texts; read "
                          f"it with: wavecoder codebook import {path} -o OUT.yaml")
    layout = f"long, '{column}' column" if column is not None else "wide, 0/1 columns"
    flat = _long(frame, column) if column is not None else _wide(frame)
    if not flat:
        raise InputError(f"{path}: no codes found: neither 0/1 code columns nor a "
                         f"{'/'.join(CODE_COLUMNS)} column with values")
    codebook, counts = build_codebook(nest_by_path(flat), source=str(path),
                                      codebook_id=codebook_id or codebook_id_for(path.stem),
                                      title=path.stem,
                                      description=f"Drafted from the codes of {path.name}.")
    unused = [code_id for code_id, n in counts.items() if n == 0]
    notes = [f"{len(unused)} codes are never applied in the file: {', '.join(unused)}"] if unused \
        else []
    return Draft(codebook, path.name, f"gold file ({layout})", counts, notes)
