"""The shared DuckDB database: every wave's tables, keyed by wave.

Re-running a wave replaces that wave's rows and nothing else. Tables grow new columns when a
wave brings attributes or codes an earlier wave did not have.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from pipeline import schema as s
from pipeline.export.lock import connect
from pipeline.export.views import create_views


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _add_missing_columns(con: duckdb.DuckDBPyConnection, table: str,
                         declared: dict[str, str]) -> None:
    existing = {row[0] for row in con.execute(
        "select column_name from information_schema.columns where table_name = ?", [table]
    ).fetchall()}
    for column, sql_type in declared.items():
        if column not in existing:
            con.execute(f"alter table {_quote(table)} add column {_quote(column)} {sql_type}")


def _sql_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(series):
        return "BIGINT"
    if pd.api.types.is_float_dtype(series):
        return "DOUBLE"
    if series.dtype == object:  # a list column is known by its first value, found once
        present = series.notna().to_numpy()
        if present.any() and isinstance(series.iloc[present.argmax()], (list, tuple)):
            return "VARCHAR[]"
    return "VARCHAR"


# DuckDB's buffer memory while a wave is written. At its default (80 % of the machine's memory)
# it held the open transaction's blocks: storing a 100,000-answer wave took some 0.3 GB beside
# the tables, the run's peak; at 128 MB, about 0.19 GB (64 MB: 0.13 GB, but slower). Written
# blocks go to the database file instead; the rows stored are the same.
STORE_MEMORY_LIMIT = "128MB"


@contextmanager
def storing(db_path: Path, wave: str, tables: dict[str, pd.DataFrame],
            record: dict[str, Any] | None = None, *,
            memory_limit: str = STORE_MEMORY_LIMIT) -> Iterator[list[str]]:
    """Replace ``wave``'s rows in each named table, in one transaction held open for the block.

    The rows are written on entry and committed when the ``with`` block ends; an error in the
    block (or in the writing) rolls every table back, so the database keeps the wave's previous
    rows. Frames without a ``wave`` column get one. ``record`` (the run's provenance) goes into
    a ``runs`` table as JSON. ``memory_limit``: DuckDB's buffer memory meanwhile (its
    ``memory_limit`` setting). Yields the table names written.
    """
    if record is not None:
        runs = pd.DataFrame([{s.WAVE: wave, "run": json.dumps(record, sort_keys=True,
                                                               default=str)}])
        tables = {**tables, "runs": runs}
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with connect(db_path) as con:  # waits while another wave writes
        con.execute(f"set memory_limit = '{memory_limit}'")
        con.execute("begin transaction")
        for name, frame in tables.items():
            # Declared types, not inferred ones: an empty frame would give NULL-typed columns
            # that later rows cannot be cast into.
            declared = {c: _sql_type(frame[c]) for c in frame.columns}
            # Codings carry no wave; the database needs one. The insert adds it: a copy of the
            # frame with the column took 0.44 GB beside a million answers' 3,040,004 codings.
            rows = "select *" if s.WAVE in frame.columns else f"select *, ? as {s.WAVE}"
            declared.setdefault(s.WAVE, "VARCHAR")
            columns = ", ".join(f"{_quote(c)} {t}" for c, t in declared.items())
            con.register("incoming", frame)
            con.execute(f"create table if not exists {_quote(name)} ({columns})")
            _add_missing_columns(con, name, declared)
            con.execute(f"delete from {_quote(name)} where {s.WAVE} = ?", [wave])
            con.execute(f"insert into {_quote(name)} by name {rows} from incoming",
                        [] if s.WAVE in frame.columns else [wave])
            con.unregister("incoming")
        create_views(con)  # views across waves (theme_trends), over the tables just written
        yield list(tables)  # closing the connection without a commit rolls back
        con.execute("commit")


def store_wave(db_path: Path, wave: str, tables: dict[str, pd.DataFrame],
               record: dict[str, Any] | None = None) -> list[str]:
    """Replace ``wave``'s rows in each named table of the database at ``db_path``.

    Frames without a ``wave`` column get one. ``record`` (the run's provenance) goes into a
    ``runs`` table as JSON. Returns the table names written.
    """
    with storing(db_path, wave, tables, record) as names:
        return names


def stored_run(db_path: Path, wave: str) -> dict[str, Any] | None:
    """The run record stored with ``wave``'s rows (its ``runs`` row), or None if there is none."""
    if not db_path.exists():
        return None
    with connect(db_path, read_only=True) as con:
        if not con.execute("select count(*) from information_schema.tables where table_name = "
                           "'runs'").fetchall()[0][0]:
            return None
        found = con.execute(f"select run from runs where {s.WAVE} = ?", [wave]).fetchall()
    return json.loads(found[0][0]) if found else None
