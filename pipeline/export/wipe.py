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
from pipeline.export.leftovers import PUBLISHING, clear_leftovers
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
    database = database_of(out_dir)
    if database.is_file():  # first: an unreadable database stops the wipe before any deletion
        wiped.rows = _delete_rows(database, wave)
    for folder in (out_dir, mapping_path(out_dir.parent, wave).parent):
        if folder.is_dir():
            shutil.rmtree(folder)
            wiped.folders.append(folder)
    if not wiped.folders and not wiped.rows:
        raise MissingInputError(f"{out_dir}: no outputs, key or database rows of wave "
                                f"{wave!r} here")
    return wiped


def _delete_rows(database: Path, wave: str) -> dict[str, int]:
    """Delete ``wave``'s rows from every table, then rewrite the file without them.

    DuckDB leaves deleted rows in the file's free blocks until they are reused, so the other
    waves' rows are copied into a new file that replaces the old one.
    """
    fresh = database.with_name(f".{database.name}.wiping")
    fresh.unlink(missing_ok=True)
    try:
        rows = _delete_and_copy(database, wave, fresh)
    except duckdb.Error as exc:  # its message may quote a value: name the type only
        fresh.unlink(missing_ok=True)
        raise InputError(f"{database}: the database cannot be changed "
                         f"({type(exc).__name__})") from None
    os.replace(fresh, database)
    return rows


def _delete_and_copy(database: Path, wave: str, fresh: Path) -> dict[str, int]:
    rows = {}
    with duckdb.connect(str(database)) as db:
        tables = [row[0] for row in db.execute(
            "select c.table_name from information_schema.columns c join "
            "information_schema.tables t using (table_schema, table_name) "
            "where c.column_name = ? and t.table_type = 'BASE TABLE'",  # views follow their tables
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
        quoted = str(fresh).replace("'", "''")
        db.execute(f"attach '{quoted}' as wiping")
        db.execute(f'copy from database "{name}" to wiping')
        db.execute("detach wiping")
    return rows
