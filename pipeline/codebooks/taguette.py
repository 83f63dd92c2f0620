"""Taguette's codebook export: a CSV with ``tag``, ``description`` and a count of highlights.

Taguette (https://www.taguette.org) exports ``tag,description,number of highlights``; other
tools write ``count``. Tags are flat; a hierarchy written into the names (``a->b``, ``a/b``) is
rebuilt by :func:`pipeline.codebooks.paths.nest_by_path`.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.codebooks.draft import Draft, DraftCode, build_codebook, codebook_id_for
from pipeline.codebooks.files import MAX_CSV_BYTES
from pipeline.codebooks.paths import nest_by_path
from pipeline.errors import InputError
from pipeline.ingest.tables import read_csv_table
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
    try:  # as a survey export is read: a codebook re-saved from Excel is in its code page
        table = read_csv_table(path, header_rows=1)
    except InputError as exc:
        raise InputError(f"{path}: not a readable CSV ({str(exc).removeprefix(path.name + ': ')})"
                         ) from None
    columns = {name.lower(): index for index, name in enumerate(table.header) if name}
    if TAG not in columns or DESCRIPTION not in columns:
        raise InputError(f"{path}: a codebook CSV needs '{TAG}' and '{DESCRIPTION}' columns "
                         f"(found: {', '.join(columns) or 'no header'}); a file of coded "
                         "texts is drafted with: wavecoder codebook from-gold")
    if table.malformed:
        line, problem = table.malformed[0]
        raise InputError(f"{path} line {line}: not a readable CSV ({problem})")
    count_column = next((c for c in COUNT_COLUMNS if c in columns), None)
    flat: list[DraftCode] = []
    notes: list[str] = []
    for line, cells in table.rows:
        name = cells[columns[TAG]].strip()
        if not name:
            notes.append(f"line {line}: no tag; skipped")
            continue
        count = (_count(cells[columns[count_column]], path, line,
                        table.header[columns[count_column]]) if count_column else None)
        flat.append(DraftCode(name=name, definition=cells[columns[DESCRIPTION]].strip(),
                              count=count))
    codebook, counts = build_codebook(nest_by_path(flat), source=str(path),
                                      codebook_id=codebook_id or codebook_id_for(path.stem),
                                      title=path.stem,
                                      description=f"Imported from {path.name} (Taguette).")
    return Draft(codebook, path.name, "Taguette codebook (.csv)", counts, notes)
