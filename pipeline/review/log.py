"""The review log: every reviewer decision ever imported, append-only, in the wave database.

Decisions live in the ``review_log`` table of ``outputs/wavecoder.duckdb`` beside the wave's other
tables, keyed by wave. Rows are only ever inserted: a later decision on the same coding
supersedes an earlier one when statuses are worked out (:mod:`pipeline.review.status`), and both
stay here. A decision already in the log (same wave, coding, decision, reviewer, passage and
source file contents) is not added again, so importing the same file twice changes nothing.
Re-running a wave replaces its other tables but never touches this one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline import schema as s
from pipeline.export.lock import connect

LOG_TABLE = "review_log"
# A decision is the same decision when all of these match (the time may differ between tools'
# exports of one file; the file's digest says it is the same file).
IDENTITY = [s.WAVE, s.SEGMENT_ID, s.CODE_ID, s.DECISION, s.REVIEWER, s.START, s.END,
            s.REVIEW_FILE_SHA256]


@dataclass
class Appended:
    """What one import did to the log."""

    added: int
    already_logged: int
    log_size: int


_SQL = {"string": "VARCHAR", "int64": "BIGINT"}  # the log's arrow types as DuckDB types


def _create(con: duckdb.DuckDBPyConnection) -> None:
    columns = ", ".join(f'"{field.name}" {_SQL[str(field.type)]}' for field in
                        s.STORED_REVIEW_LOG)
    con.execute(f"create table if not exists {LOG_TABLE} ({columns})")


def append_decisions(db_path: Path, wave: str, decisions: pd.DataFrame, *,
                     imported_at: str | None = None) -> Appended:
    """Append ``decisions`` (schema.REVIEW_LOG rows) for ``wave`` to the log at ``db_path``.

    Rows already logged are skipped. ``imported_at`` (ISO 8601, default now in UTC) stamps the
    new rows; decisions without their own ``decided_at`` are dated by it.
    """
    stamp = imported_at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    incoming = s.conform(decisions.assign(**{s.WAVE: wave}), s.REVIEW_LOG)
    incoming = incoming.drop_duplicates(subset=IDENTITY, keep="first")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with connect(db_path) as con:  # waits while another wave writes
        con.execute("begin transaction")
        _create(con)
        logged = con.execute(f"select * from {LOG_TABLE} where {s.WAVE} = ?", [wave]).df()
        if len(logged):
            known = set(map(tuple, logged[IDENTITY].astype(object).where(
                logged[IDENTITY].notna(), None).to_numpy().tolist()))
            rows = incoming[IDENTITY].astype(object).where(incoming[IDENTITY].notna(), None)
            fresh = [tuple(r) not in known for r in rows.to_numpy().tolist()]
            new = incoming[fresh]
        else:
            new = incoming
        start = con.execute(f"select coalesce(max({s.LOG_SEQ}), 0) from {LOG_TABLE}"
                            ).fetchall()[0][0]
        new = new.assign(**{s.IMPORTED_AT: stamp,
                            s.DECIDED_AT: new[s.DECIDED_AT].fillna(stamp),
                            s.LOG_SEQ: range(start + 1, start + 1 + len(new))})
        if len(new):
            con.register("incoming", s.conform(new, s.STORED_REVIEW_LOG))
            con.execute(f"insert into {LOG_TABLE} by name select * from incoming")
            con.unregister("incoming")
        size = con.execute(f"select count(*) from {LOG_TABLE} where {s.WAVE} = ?",
                           [wave]).fetchall()[0][0]
        con.execute("commit")
    return Appended(added=len(new), already_logged=len(incoming) - len(new), log_size=size)


def read_log(db_path: Path, wave: str) -> pd.DataFrame:
    """Every logged decision on ``wave``, in the order they were logged (schema.STORED_REVIEW_LOG).

    Empty when the database or its log does not exist yet.
    """
    if not db_path.exists():
        return s.empty(s.STORED_REVIEW_LOG)
    with connect(db_path, read_only=True) as con:
        exists = con.execute("select count(*) from information_schema.tables where "
                             "table_name = ?", [LOG_TABLE]).fetchall()[0][0]
        if not exists:
            return s.empty(s.STORED_REVIEW_LOG)
        frame = con.execute(f"select * from {LOG_TABLE} where {s.WAVE} = ? order by "
                            f"{s.LOG_SEQ}", [wave]).df()
    return s.conform(frame, s.STORED_REVIEW_LOG)

