"""Publish a wave: derive its analyst tables, then write its folder and database rows at once.

The one way a wave's tables reach ``outputs/<wave>/`` and ``outputs/wavecoder.duckdb``, used by
the ``code_wave`` flow and by review imports alike:

1. the wide dataset and the theme summary are derived from the codings that stand (every
   status but rejected);
2. every file is written into a hidden folder beside ``outputs/<wave>/``, with a copy of the
   codebook the run used and ``run.json`` last;
3. the wave's rows of every table are replaced in one DuckDB transaction;
4. inside that transaction the new folder is swapped into place; files of the old folder this
   publish does not write (a review workbook, a ``.qdpx``, the report) are carried across.

Any failure leaves the previous folder and the previous rows as they were. A killed process
cannot tidy up: the hidden folders it left (named with its process id) are never read as
outputs, and the next holder of the wave's lock clears them
(:func:`pipeline.export.leftovers.clear_leftovers`).
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.export.charts import theme_chart
from pipeline.export.digest import codings_digest
from pipeline.export.files import (
    TOPIC_TABLES,
    WIDE_XLSX,
    write_coded_tables,
    write_review_tables,
    write_run_tables,
)
from pipeline.export.leftovers import PREVIOUS, PUBLISHING, beside
from pipeline.export.lock import wave_lock
from pipeline.export.spreadsheet import EXCEL_MAX_ROWS, split_note
from pipeline.export.store import storing
from pipeline.export.tables import coded_wide, document_codes, standing, theme_summary
from pipeline.export.wide_files import WideFiles
from pipeline.memory import release_free_memory
from pipeline.outputs import (
    CODEBOOK_FILE,
    RUN_FILE,
    STANCE_CUES_FILE,
    RunRecord,
    database_of,
)

STORED_REVIEW_TABLES = ("review_agreement", "review_queue")  # the log lives in its own table


@dataclass
class WaveTables:
    """What a publish is given: the wave's tables, codings with their review statuses.

    ``rejected`` and ``topics`` (topics, segment_topics, topic_codes) are a run's own: a run
    passes them (``topics`` None when discovery did not run); a review import leaves both None
    and publishes with ``whole_run=False``.
    """

    documents: pd.DataFrame
    segments: pd.DataFrame
    codings: pd.DataFrame
    stances: pd.DataFrame  # one row per coding that stands (pipeline.stance.wave_stances)
    rejected: pd.DataFrame | None = None
    topics: dict[str, pd.DataFrame] | None = None


@dataclass
class Published:
    """What a publish wrote: the folder, the final run record, the derived tables, the files."""

    directory: Path
    record: RunRecord
    tables: dict[str, pd.DataFrame]  # coded_wide and theme_summary
    written: dict[str, Path] = field(default_factory=dict)
    # the frame each of these parquet files was written from, and the file as it was then
    # (:func:`file_state`): the stage cache copies a file whose frame it keeps, if unchanged
    sources: dict[str, tuple[pd.DataFrame, tuple[int, int, int]]] = field(default_factory=dict)


def file_state(path: Path) -> tuple[int, int, int]:
    """The file's inode, size and modification time: a file replaced since differs."""
    found = os.stat(path)
    return found.st_ino, found.st_size, found.st_mtime_ns


def publish_wave(out_dir: Path, wave: WaveTables, codebook: Codebook, record: RunRecord, *,
                 review: dict[str, pd.DataFrame], codebook_file: Path | None = None,
                 whole_run: bool = True, excel_rows: int = EXCEL_MAX_ROWS,
                 progress: Callable[[str], None] | None = None) -> Published:
    """Derive a wave's analyst tables and publish everything, all or nothing.

    Args:
        out_dir: the wave's folder, ``<outputs root>/<wave>/``; the database is
            ``<outputs root>/wavecoder.duckdb``.
        wave: the wave's tables (codings with statuses, stances of those that stand).
        codebook: the codebook the codings follow.
        record: the run record; its ``outputs`` and the ``export``/``store`` timings are
            filled in here, and it is written as ``run.json``.
        review: review_log, review_agreement and review_queue (:func:`pipeline.review.apply.
            review_wave`), written under ``review/``.
        codebook_file: the codebook's YAML, copied into the folder as ``codebook.yaml``; None
            keeps the copy already there.
        whole_run: a run's publish (documents, segments, rejected and topics are written, and a
            topics table from an earlier run that this one did not make is dropped); False for
            a review import, which rewrites only what follows from the codings.
        excel_rows: rows a workbook sheet may hold, header included (Excel's limit; lower in
            tests): a longer wide table is split over sheets and ``record.notes`` says so.
        progress: told one line per step done (counts and seconds, never a respondent's words),
            e.g. for the run's log; a large wave's publish takes a minute or more.

    Returns:
        :class:`Published`, with the run record as written.
    """
    with wave_lock(out_dir, "run" if whole_run else "review import"):  # one writer a wave
        return _publish_wave(out_dir, wave, codebook, record, review=review,
                             codebook_file=codebook_file, whole_run=whole_run,
                             excel_rows=excel_rows, step=_Steps(progress))


def _publish_wave(out_dir: Path, wave: WaveTables, codebook: Codebook, record: RunRecord, *,
                  review: dict[str, pd.DataFrame], codebook_file: Path | None,
                  whole_run: bool, excel_rows: int, step: _Steps) -> Published:
    """:func:`publish_wave`, holding the wave's lock."""
    started, timings = time.perf_counter(), dict(record.timings)
    # Which codes each document carries, worked out once for both tables from the columns
    # it reads: a filtered copy of every codings column was a large wave's export peak.
    read = [c for c in (s.SEGMENT_ID, s.CODE_ID, s.NEGATED, s.STATUS) if c in wave.codings]
    release_free_memory()  # what the run record's counts freed: the counting needs the room
    present = document_codes(wave.segments, standing(wave.codings[read]), codebook)
    # The small summary first: its working tables then come before the wide table is held.
    summary = theme_summary(wave.documents, wave.segments, wave.codings, codebook,
                            present=present)
    derived = {"coded_wide": coded_wide(wave.documents, wave.segments, wave.codings, codebook,
                                        present=present),
               "theme_summary": summary}
    del present, summary
    step(f"theme summary and wide table counted ({len(derived['coded_wide']):,} wide rows)")
    release_free_memory()  # the counting's working tables: the files below need the room
    record = _noted_split(record, len(derived["coded_wide"]), excel_rows)
    coded = {"codings": wave.codings, "stances": wave.stances, **derived}
    stored = {**coded, **{k: review[k] for k in STORED_REVIEW_TABLES}}
    if whole_run:
        stored.update(documents=wave.documents, segments=wave.segments,
                      rejected=_required(wave.rejected, "rejected"), **(wave.topics or {}))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = beside(out_dir, PUBLISHING)  # the lock cleared what killed publishes left
    staging.mkdir(parents=True, exist_ok=True)
    backup: Path | None = None
    wide_files: WideFiles | None = None
    try:
        # A large wave's wide CSV and workbook are written by another process meanwhile
        wide_files = WideFiles(derived["coded_wide"], codebook, staging, excel_rows=excel_rows)
        written = write_coded_tables(staging, coded) | wide_files.paths
        release_free_memory()
        written["theme_chart"] = theme_chart(derived["theme_summary"],
                                             staging / "theme_summary.png", title=record.title)
        written.update(write_review_tables(staging, review))
        if whole_run:
            written.update(write_run_tables(staging, wave.documents, wave.segments,
                                            _required(wave.rejected, "rejected"), wave.topics))
        if codebook_file is not None:
            written["codebook"] = Path(shutil.copyfile(codebook_file, staging / CODEBOOK_FILE))
            if codebook.stance_cues:  # the copy's relative cue path would not resolve
                written["stance_cues"] = Path(shutil.copyfile(codebook.stance_cues,
                                                              staging / STANCE_CUES_FILE))
        dropped = {f"{name}.parquet" for name in TOPIC_TABLES} if whole_run else set()
        # the wide files may still be on their way: the old folder's must not stand in for them
        dropped |= {path.name for path in wide_files.paths.values()}
        _carry_over(out_dir, staging, dropped)
        timings["export"] = round(time.perf_counter() - started, 3)
        step(f"{len(written)} files written")
        record = record.model_copy(update={"timings": timings, "outputs": {
            name: path.relative_to(staging).as_posix() for name, path in sorted(written.items())}})
        release_free_memory()  # what writing the files freed, before the digest's sort
        record = _bound(record, codings_digest(wave.codings))
        step("codings digest taken")
        started = time.perf_counter()
        with storing(database_of(out_dir), record.wave, stored, record.model_dump()) as names:
            timings["store"] = round(time.perf_counter() - started, 3)
            step(f"{len(names)} tables stored in the database")
            wide_files.wait()
            step("wide CSV and workbook written")
            timings["wide_files"] = round(wide_files.seconds, 3)  # their own, in either process
            record = record.model_copy(update={"timings": timings})
            (staging / RUN_FILE).write_text(record.to_json(), encoding="utf-8")
            backup = _swap_in(staging, out_dir)
    except BaseException:
        if wide_files is not None:
            wide_files.stop()
        if backup is not None:  # the swap happened, the commit did not: put the old one back
            shutil.rmtree(out_dir, ignore_errors=True)
            os.replace(backup, out_dir)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
    step("folder in place, database committed")
    written = {name: out_dir / path.relative_to(staging) for name, path in written.items()}
    frames = {"codings": wave.codings, "stances": wave.stances}
    if whole_run:
        frames.update(documents=wave.documents, segments=wave.segments)
    return Published(out_dir, record, derived, written, {
        name: (frame, file_state(written[name])) for name, frame in frames.items()})


class _Steps:
    """Tells ``progress`` each publish step done, with the seconds since the one before."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.progress, self.last = progress, time.perf_counter()

    def __call__(self, done: str) -> None:
        now = time.perf_counter()
        if self.progress is not None:
            self.progress(f"publish: {done}, {now - self.last:.1f} s")
        self.last = now


def _bound(record: RunRecord, digest: str) -> RunRecord:
    """The record with its run id and codings digest; a sign-off of other codings dropped."""
    run_id = record.run_id or uuid.uuid4().hex
    signed = record.sign_off
    if signed is not None and (signed.run_id, signed.codings_sha256) != (run_id, digest):
        signed = None  # a sign-off holds for the codings it saw, not for changed ones
    return record.model_copy(update={"run_id": run_id, "codings_sha256": digest,
                                     "sign_off": signed})


def _noted_split(record: RunRecord, rows: int, max_rows: int) -> RunRecord:
    """The record noting whether the workbook splits the wide table over sheets, and why."""
    notes = [n for n in record.notes  # an earlier publish's note goes
             if not n.startswith(f"{WIDE_XLSX} is split over sheets")]
    note = split_note(rows, WIDE_XLSX, max_rows)
    return record.model_copy(update={"notes": notes + ([note] if note else [])})


def _required(frame: pd.DataFrame | None, name: str) -> pd.DataFrame:
    if frame is None:
        raise ValueError(f"a whole run's publish needs the {name} table")
    return frame


def _carry_over(old: Path, new: Path, dropped: set[str]) -> None:
    """Link (or copy) into ``new`` every file of ``old`` that ``new`` lacks, but ``dropped``.

    The old folder keeps its files, so a failed publish can still fall back on it.
    """
    if not old.is_dir():
        return
    for path in sorted(old.rglob("*")):
        relative = path.relative_to(old)
        target = new / relative
        if path.is_dir() or target.exists() or relative.as_posix() in dropped:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:  # another file system, or links not allowed: copy instead
            shutil.copy2(path, target)


def _swap_in(staging: Path, out_dir: Path) -> Path | None:
    """Put ``staging`` where ``out_dir`` is; returns where the old folder went (or None)."""
    backup = None
    if out_dir.exists():
        backup = beside(out_dir, PREVIOUS)
        os.replace(out_dir, backup)
    try:
        os.replace(staging, out_dir)
    except BaseException:
        if backup is not None:
            os.replace(backup, out_dir)
        raise
    return backup
