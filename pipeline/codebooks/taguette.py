"""Taguette's codebook export: a CSV with ``tag``, ``description`` and a count of highlights.

Taguette (https://www.taguette.org) exports ``tag,description,number of highlights``; other
tools write ``count``. Tags are flat; a hierarchy written into the names (``a->b``, ``a/b``) is
rebuilt by :func:`pipeline.codebooks.paths.nest_by_path`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline.codebooks.draft import Draft, DraftCode, build_codebook, codebook_id_for
from pipeline.codebooks.files import MAX_CSV_BYTES
from pipeline.codebooks.paths import nest_by_path
from pipeline.errors import InputError
from pipeline.untrusted import check_size

TAG = "tag"
DESCRIPTION = "description"
COUNT_COLUMNS = ("number of highlights", "count", "highlights")


def _count(value: str, path: Path, line: int, column: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(float(value))
    except ValueError:
        raise InputError(f"{path} line {line}, column '{column}': expected a count, found "
                         f"'{value[:20]}'") from None


def read_taguette(path: Path, codebook_id: str | None = None) -> Draft:
    """Read a Taguette codebook CSV as a draft codebook.

    Args:
        path: the CSV (columns ``tag``, ``description``, optionally a count).
        codebook_id: the new codebook's id (default: from the file name).
    """
    check_size(path, MAX_CSV_BYTES, "a codebook CSV")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {name.strip().lower(): name for name in reader.fieldnames or [] if name}
    if TAG not in columns or DESCRIPTION not in columns:
        raise InputError(f"{path}: a codebook CSV needs '{TAG}' and '{DESCRIPTION}' columns "
                         f"(found: {', '.join(columns) or 'no header'}); a file of coded "
                         "texts is drafted with: wavecoder codebook from-gold")
    count_column = next((columns[c] for c in COUNT_COLUMNS if c in columns), None)
    flat: list[DraftCode] = []
    notes: list[str] = []
    try:
        for row in reader:
            line = reader.line_num
            name = (row.get(columns[TAG]) or "").strip()
            if not name:
                notes.append(f"line {line}: no tag; skipped")
                continue
            description = row.get(columns[DESCRIPTION]) or ""
            count = (_count(row.get(count_column) or "", path, line, count_column)
                     if count_column else None)
            flat.append(DraftCode(name=name, definition=description.strip(),
                                  count=count))
    except csv.Error as exc:
        raise InputError(f"{path} line {reader.line_num}: not a readable CSV ({exc})") from None
    codebook, counts = build_codebook(nest_by_path(flat), source=str(path),
                                      codebook_id=codebook_id or codebook_id_for(path.stem),
                                      title=path.stem,
                                      description=f"Imported from {path.name} (Taguette).")
    return Draft(codebook, path.name, "Taguette codebook (.csv)", counts, notes)
