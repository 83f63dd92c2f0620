"""Sign-off: a named person approves (or rejects) a run's codings before they count as final.

A wave's outputs are written as a *draft*. A reviewer's decision goes into the ``sign_offs``
table of ``outputs/wavecoder.duckdb`` (append-only, beside the review log, never touched by a
re-run) and into the ``sign_off`` section of the wave's ``run.json``. A decision is bound to
the run (its ``run_id``) and to the digest of the codings it saw (``codings_sha256``), so a new
run, or a review import that changes the codings, makes the wave a draft again until someone
signs the new codings off.

The ``published_*`` views (``published_codings``, ``published_theme_summary``, …) hold only the
waves whose latest run's codings were approved, and ``sign_off_status`` says per wave whether it
is ``final``, ``rejected`` or a ``draft``, and who decided when.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from pipeline import schema as s
from pipeline.errors import ConfigError, InputError, MissingInputError
from pipeline.export.digest import codings_digest
from pipeline.outputs import RUN_FILE, RunRecord, SignOffRecord, database_of, read_run_record

SIGN_OFF_TABLE = "sign_offs"
STATUS_VIEW = "sign_off_status"
PUBLISHED_PREFIX = "published_"
# Wave tables that get a published_<name> view (when the database holds them).
PUBLISHED_TABLES = ("documents", "segments", "codings", "stances", "coded_wide", "theme_summary",
                    "topics", "segment_topics", "topic_codes", "review_agreement")
Decision = Literal["approve", "reject"]
DECISIONS = ("approve", "reject")
REVIEWER_MAX = 200  # a person's name, not a paragraph

_SQL = {"string": "VARCHAR", "int64": "BIGINT"}
# The latest run of each wave (the runs table holds one record per wave), the latest decision
# on exactly that run's codings, and what follows from it.
_STATUS_SQL = f"""
create or replace view {STATUS_VIEW} as
with latest as (
    select {s.WAVE},
           coalesce(json_extract_string(run, '$.run_id'), '') as {s.RUN_ID},
           coalesce(json_extract_string(run, '$.codings_sha256'), '') as {s.CODINGS_SHA256}
    from runs),
decided as (
    select * from {SIGN_OFF_TABLE}
    qualify row_number() over (partition by {s.WAVE}, {s.RUN_ID}, {s.CODINGS_SHA256}
                               order by {s.LOG_SEQ} desc) = 1)
select l.{s.WAVE}, l.{s.RUN_ID}, l.{s.CODINGS_SHA256},
       case d.{s.DECISION} when 'approve' then 'final' when 'reject' then 'rejected'
            else 'draft' end as status,
       d.{s.REVIEWER}, d.{s.DECISION}, d.{s.NOTE}, d.{s.SIGNED_AT}
from latest l left join decided d
  on d.{s.WAVE} = l.{s.WAVE} and d.{s.RUN_ID} = l.{s.RUN_ID}
 and d.{s.CODINGS_SHA256} = l.{s.CODINGS_SHA256} and l.{s.RUN_ID} <> ''
"""


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
    ).fetchall()}


def _ensure(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the sign-off table and (re)create the views over the tables that exist now."""
    columns = ", ".join(f'"{f.name}" {_SQL[str(f.type)]}' for f in s.SIGN_OFFS)
    con.execute(f"create table if not exists {SIGN_OFF_TABLE} ({columns})")
    present = _tables(con)
    if "runs" not in present:
        return []
    con.execute(_STATUS_SQL)
    views = [STATUS_VIEW]
    for table in PUBLISHED_TABLES:
        if table in present:
            con.execute(f'create or replace view "{PUBLISHED_PREFIX}{table}" as select t.* from '
                        f'"{table}" t where t.{s.WAVE} in (select {s.WAVE} from {STATUS_VIEW} '
                        "where status = 'final')")
            views.append(PUBLISHED_PREFIX + table)
    return views


def published_views(db_path: Path) -> list[str]:
    """Make sure the database at ``db_path`` has the sign-off table and the published views.

    Views are made for the wave tables the database holds now (a topics view appears once a
    run has discovered topics). Returns the view names.
    """
    with duckdb.connect(str(db_path)) as con:
        return _ensure(con)


def checked_reviewer(reviewer: str) -> str:
    """The reviewer's name, trimmed; ConfigError when it is empty or not a name."""
    name = " ".join(str(reviewer or "").split())
    if not name:
        raise ConfigError("sign-off: reviewer is empty; give the name of the person signing off")
    if len(name) > REVIEWER_MAX:
        raise ConfigError(f"sign-off: reviewer is {len(name)} characters long (at most "
                          f"{REVIEWER_MAX}); give a person's name")
    return name


def _signed_run(outputs_dir: Path) -> RunRecord:
    """The run as it is on disk; errors when the folder, the record or the codings disagree."""
    if not outputs_dir.is_dir():
        raise MissingInputError(f"{outputs_dir}: no such folder; pass a wave's outputs folder "
                                "(outputs/<wave>/)")
    record = read_run_record(outputs_dir)
    if record is None:
        raise MissingInputError(f"{outputs_dir / RUN_FILE}: no such file; is this a folder "
                                "written by wavecoder run?")
    if not record.run_id or not record.codings_sha256:
        raise InputError(f"{outputs_dir / RUN_FILE}: no run_id or codings_sha256 (published by "
                         "an older wavecoder); run the wave again, then sign it off")
    codings_file = outputs_dir / "codings.parquet"
    if not codings_file.exists():
        raise MissingInputError(f"{codings_file}: no such file; run the wave again")
    if codings_digest(pd.read_parquet(codings_file)) != record.codings_sha256:
        raise InputError(f"{codings_file}: the codings differ from those the run published "
                         f"({RUN_FILE} codings_sha256); run the wave again, then sign it off")
    return record


def _database_run(con: duckdb.DuckDBPyConnection, db_path: Path, wave: str) -> tuple[str, str]:
    if "runs" not in _tables(con):
        raise MissingInputError(f"{db_path}: holds no runs; is this the database the wave was "
                                "published to?")
    rows = con.execute("select coalesce(json_extract_string(run, '$.run_id'), ''), "
                       "coalesce(json_extract_string(run, '$.codings_sha256'), '') from runs "
                       f"where {s.WAVE} = ?", [wave]).fetchall()
    if not rows:
        raise MissingInputError(f"{db_path}: holds no run of wave '{wave}'")
    return rows[0]


def sign_off(outputs_dir: Path, reviewer: str, decision: str, note: str = "", *,
             run_id: str | None = None, signed_at: str | None = None) -> SignOffRecord:
    """Record ``reviewer``'s decision on the latest run of the wave in ``outputs_dir``.

    The decision is appended to the ``sign_offs`` table (with the run id and codings digest it
    binds to), the published views are refreshed, and ``run.json`` gets the ``sign_off``
    section. ``run_id``: the run the caller expects (the flow passes its own), refused when the
    folder now holds another. ``signed_at``: ISO 8601 (default: now, UTC).

    Raises ConfigError for an empty reviewer or an unknown decision, MissingInputError when the
    folder, run.json or the wave's database rows are missing, InputError when the folder and
    the database hold different runs or the codings were changed since they were published.
    """
    outputs_dir = Path(outputs_dir)
    name = checked_reviewer(reviewer)
    if decision not in DECISIONS:
        raise ConfigError(f"sign-off: decision '{decision}' is not one of {', '.join(DECISIONS)}")
    record = _signed_run(outputs_dir)
    if run_id is not None and record.run_id != run_id:
        raise InputError(f"{outputs_dir / RUN_FILE}: holds run {record.run_id}, not run {run_id}"
                         " that asked for this sign-off (the wave was run again meanwhile)")
    signed = SignOffRecord(
        reviewer=name, decision=decision, note=" ".join(str(note or "").split()),
        signed_at=signed_at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        run_id=record.run_id, codings_sha256=record.codings_sha256)
    db_path = database_of(outputs_dir)
    with duckdb.connect(str(db_path)) as con:
        con.execute("begin transaction")
        if _database_run(con, db_path, record.wave) != (record.run_id, record.codings_sha256):
            raise InputError(f"{outputs_dir / RUN_FILE} and {db_path} hold different runs of "
                             f"wave '{record.wave}'; run the wave again, then sign it off")
        _ensure(con)
        seq = con.execute(f"select coalesce(max({s.LOG_SEQ}), 0) + 1 from {SIGN_OFF_TABLE}"
                          ).fetchall()[0][0]
        row = pd.DataFrame([{s.WAVE: record.wave, **signed.model_dump(), s.LOG_SEQ: seq}])
        con.register("incoming", s.conform(row, s.SIGN_OFFS))
        con.execute(f"insert into {SIGN_OFF_TABLE} by name select * from incoming")
        con.unregister("incoming")
        con.execute("commit")
    _write_record(outputs_dir, record.model_copy(update={"sign_off": signed}))
    return signed


def _write_record(outputs_dir: Path, record: RunRecord) -> None:
    # Written beside it and moved into place: run.json is never seen half written.
    path = outputs_dir / RUN_FILE
    partial = outputs_dir / f".{RUN_FILE}.signing"
    partial.write_text(record.to_json(), encoding="utf-8")
    os.replace(partial, path)


def sign_off_status(db_path: Path) -> pd.DataFrame:
    """Per wave in the database: status (final, rejected, draft), reviewer, decision, time.

    Empty when the database or its runs do not exist yet.
    """
    columns = [s.WAVE, s.RUN_ID, s.CODINGS_SHA256, "status", s.REVIEWER, s.DECISION, s.NOTE,
               s.SIGNED_AT]
    if not Path(db_path).exists():
        return pd.DataFrame(columns=columns)
    with duckdb.connect(str(db_path)) as con:
        if not _ensure(con):
            return pd.DataFrame(columns=columns)
        return con.execute(f"select * from {STATUS_VIEW} order by {s.WAVE}").df()


def sign_off_markdown(record: RunRecord | dict, *, waiting: bool = False) -> str:
    """The run summary's sign-off section: final (who, when) or draft, and what a re-run does.

    ``waiting``: the run is paused for the sign-off form (the summary the reviewer reads).
    """
    if isinstance(record, dict):
        record = RunRecord.model_validate(record)
    folder = record.output_dir or f"outputs/{record.wave}"
    signed = record.sign_off
    lines = ["## Sign-off", ""]
    if signed is not None and signed.decision == "approve":
        lines.append(f"**Final**: signed off by {signed.reviewer} on {signed.signed_at[:10]}"
                     + (f" ({signed.note})" if signed.note else "") + ".")
    elif signed is not None:
        lines.append(f"**Draft**: rejected by {signed.reviewer} on {signed.signed_at[:10]}"
                     + (f" ({signed.note})" if signed.note else "") + "; not published.")
    elif waiting:
        lines.append("**Draft, waiting for sign-off**: this run is paused until a reviewer "
                     "submits the sign-off form (approve publishes it).")
    else:
        lines.append(f"**Draft, not signed off**: sign off with `wavecoder sign-off {folder} "
                     "--reviewer NAME` to publish.")
    lines += ["", "A sign-off holds for this run's codings only: a new run, or a review import "
              "that changes the codings, makes the wave a draft again (left out of the "
              "`published_*` views) until it is signed off again."]
    return "\n".join(lines) + "\n"
