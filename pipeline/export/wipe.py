"""Wiping a wave: everything wavecoder keeps of it, in its outputs root, gone.

That is the wave's folder ``<out>/<wave>/``, its redaction key ``<out>/.private/<wave>/``, the
hidden folders killed publishes left beside it, and its rows in every table of
``<out>/wavecoder.duckdb`` (the review log and the run records included). Exports copied
elsewhere and Prefect's run records (which hold no answers) are not touched.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline import schema as s
from pipeline.errors import InputError, MissingInputError
from pipeline.export.publish import PUBLISHING, clear_leftovers
from pipeline.outputs import database_of
from pipeline.redact.wave import mapping_path


@dataclass
class Wiped:
    """What a wipe removed: folders, and rows per database table."""

    folders: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def wipe_wave(out_dir: Path) -> Wiped:
    """Delete the wave whose outputs folder is ``out_dir`` (``<out>/<wave>/``); see the module.

    Raises MissingInputError when nothing of the wave is there, and InputError while a run is
    publishing the wave (its staging folder belongs to a live process).
    """
    out_dir, wave = Path(out_dir), Path(out_dir).name
    wiped = Wiped(folders=clear_leftovers(out_dir))
    live = sorted(out_dir.parent.glob(f".{wave}.{PUBLISHING}-*"))
    if live:
        raise InputError(f"{live[0]}: a run is publishing wave {wave!r} now; wipe it after")
    private = mapping_path(out_dir.parent, wave).parent
    for folder in (out_dir, private):
        if folder.is_dir():
            shutil.rmtree(folder)
            wiped.folders.append(folder)
    database = database_of(out_dir)
    if database.is_file():
        wiped.rows = _delete_rows(database, wave)
    if not wiped.folders and not wiped.rows:
        raise MissingInputError(f"{out_dir}: no outputs, key or database rows of wave "
                                f"{wave!r} here")
    return wiped


def _delete_rows(database: Path, wave: str) -> dict[str, int]:
    """Delete ``wave``'s rows from every table, then rewrite the file without them.

    DuckDB leaves deleted rows in the file's free blocks until they are reused, so the other
    waves' rows are copied into a new file that replaces the old one.
    """
    rows, fresh = {}, database.with_name(f".{database.name}.wiping")
    fresh.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as db:
        tables = [row[0] for row in db.execute(
            "select table_name from information_schema.columns where column_name = ?",
            [s.WAVE]).fetchall()]
        db.execute("begin transaction")
        for table in tables:
            count = db.execute(f'select count(*) from "{table}" where {s.WAVE} = ?',
                               [wave]).fetchone()[0]
            db.execute(f'delete from "{table}" where {s.WAVE} = ?', [wave])
            if count:
                rows[table] = count
        db.execute("commit")
        name = db.execute("select current_database()").fetchone()[0]
        db.execute(f"attach '{fresh}' as wiping")  # a path of ours: no quote in it
        db.execute(f'copy from database "{name}" to wiping')
        db.execute("detach wiping")
    os.replace(fresh, database)
    return rows
