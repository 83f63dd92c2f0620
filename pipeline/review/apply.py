"""The review stage: decisions from a file into the log, and the log into the wave's outputs.

``import_review`` reads a ``.qdpx`` or ``.xlsx`` a researcher returned, appends its decisions to
the wave's review log, and publishes the wave again (:func:`pipeline.export.publish_wave`):
codings get their statuses, stances are worked out again for the segments whose codings
changed, and the analyst and review tables follow. The wave flow calls :func:`review_wave` too,
so a re-run keeps every decision.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.errors import InputError, MissingInputError
from pipeline.export import WaveTables, publish_wave, standing
from pipeline.export.lock import wave_lock
from pipeline.export.store import stored_run
from pipeline.outputs import (
    ReviewSummary,
    RunRecord,
    WaveOutputs,
    database_of,
    read_run_record,
    read_wave,
)
from pipeline.review import ReviewImport
from pipeline.review.agreement import DEFAULT_THRESHOLD, codes_to_revise, review_agreement
from pipeline.review.log import Appended, append_decisions, read_log
from pipeline.review.queue import review_queue
from pipeline.review.sample import sample_agreement, sampled_passages
from pipeline.review.status import Applied, apply_decisions
from pipeline.stance import wave_stances


def review_tables(codings: pd.DataFrame, segments: pd.DataFrame, log: pd.DataFrame,
                  codebook: Codebook, wave: str, *, threshold: float = DEFAULT_THRESHOLD
                  ) -> dict[str, pd.DataFrame]:
    """The review tables of a wave: its log, agreement per code, and the review queue.

    With decisions from a random sample (``export-review --sample``), also the machine's
    precision and recall on the sample's passages read whole (``sample_agreement``).
    """
    agreement = review_agreement(codings, log, codebook, wave, threshold=threshold)
    queue = review_queue(codings, segments, poor_agreement=codes_to_revise(agreement))
    tables = {"review_log": log, "review_agreement": agreement, "review_queue": queue}
    if sampled := sampled_passages(log):
        tables["sample_agreement"] = sample_agreement(
            codings, log[log[s.SEGMENT_ID].isin(set(sampled))], sampled, codebook)
    return tables


@dataclass
class Reviewed:
    """A wave's codings with the review log applied, its review tables, and their summary."""

    applied: Applied
    tables: dict[str, pd.DataFrame]

    @property
    def summary(self) -> ReviewSummary:
        """The review section of ``run.json``: statuses, what to revise, the queue."""
        return ReviewSummary(log_size=len(self.tables["review_log"]),
                             statuses=self.applied.counts(),
                             codes_to_revise=codes_to_revise(self.tables["review_agreement"]),
                             unapplied_decisions=self.applied.problems,
                             queued=len(self.tables["review_queue"]))


def review_wave(codings: pd.DataFrame, segments: pd.DataFrame, log: pd.DataFrame,
                codebook: Codebook, wave: str, *, threshold: float = DEFAULT_THRESHOLD
                ) -> Reviewed:
    """Apply the whole review log to a wave's codings and build its review tables."""
    applied = apply_decisions(codings, segments, log)
    return Reviewed(applied, review_tables(applied.codings, segments, log, codebook, wave,
                                           threshold=threshold))


@dataclass
class Refreshed:
    """What the log now says about a wave."""

    statuses: dict[str, int]
    problems: list[str]
    agreement: pd.DataFrame
    queue: pd.DataFrame
    log_size: int
    written: dict[str, Path] = field(default_factory=dict)

    @property
    def to_revise(self) -> list[str]:
        """Codes below the agreement threshold: candidates for codebook revision."""
        return codes_to_revise(self.agreement)


def _refreshed(reviewed: Reviewed, written: dict[str, Path] | None = None) -> Refreshed:
    tables = reviewed.tables
    return Refreshed(reviewed.applied.counts(), reviewed.applied.problems,
                     tables["review_agreement"], tables["review_queue"],
                     len(tables["review_log"]), written or {})


def refresh_outputs(outputs_dir: Path, codebook: Codebook, *,
                    threshold: float = DEFAULT_THRESHOLD, wave: WaveOutputs | None = None,
                    codebook_file: Path | None = None) -> Refreshed:
    """Apply the wave's whole review log to its outputs and publish the wave again.

    Only segments whose standing codings changed have their stances worked out again.

    Args:
        outputs_dir: ``outputs/<wave>/``.
        codebook: the codebook the decisions are checked against.
        threshold: agreement below which a code is listed for revision.
        wave: the wave's outputs when the caller has read them already.
        codebook_file: the YAML of ``codebook`` when it is not the one the run used; it
            replaces the wave's ``codebook.yaml``.
    """
    wave = wave or read_wave(outputs_dir)
    run = wave.require_run()
    reviewed = review_wave(wave.codings, wave.segments, read_log(database_of(outputs_dir),
                                                                 wave.wave),
                           codebook, wave.wave, threshold=threshold)
    table = wave_stances(wave.segments, standing(reviewed.applied.codings), codebook,
                         earlier=(standing(wave.codings), wave.stances))
    published = publish_wave(
        outputs_dir, WaveTables(wave.documents, wave.segments, reviewed.applied.codings, table),
        codebook, run.model_copy(update={"review": reviewed.summary}),
        review=reviewed.tables, codebook_file=codebook_file, whole_run=False)
    return _refreshed(reviewed, published.written)


def read_review_file(path: Path, outputs_dir: Path, codebook: Codebook,
                     reviewer: str | None = None, wave: WaveOutputs | None = None,
                     accept_untouched: bool = False) -> ReviewImport:
    """Decisions from a returned ``.qdpx`` (QDA tool) or ``.xlsx`` (review workbook).

    ``wave``: the wave's outputs when the caller has read them already; ``accept_untouched``:
    accept a .qdpx's machine codings left as exported (by default they stay undecided).
    """
    if not path.is_file():
        raise MissingInputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    wave = wave or read_wave(outputs_dir)
    if suffix == ".qdpx":
        from pipeline.review.qdpx_read import decisions_from_qdpx

        return decisions_from_qdpx(path, wave, codebook, reviewer, accept_untouched)
    if suffix == ".xlsx":
        from pipeline.review.workbook import decisions_from_workbook

        return decisions_from_workbook(path, wave.codings, wave.segments, codebook, wave.wave,
                                       reviewer)
    raise InputError(f"{path}: a review file is a .qdpx (from a QDA tool) or an .xlsx "
                     f"(the review workbook), not '{path.suffix}'")


def wave_of_review_file(path: Path) -> str | None:
    """The wave a ``.qdpx`` or review ``.xlsx`` written by wavecoder belongs to, if it says."""
    try:
        if path.suffix.lower() == ".qdpx":
            from pipeline.untrusted import MAX_PROJECT_BYTES, parse_xml, read_member

            name, data = read_member(path, lambda n: n.lower() == "project.qde", "project.qde",
                                     MAX_PROJECT_BYTES)  # untrusted: size-checked first
            return parse_xml(data, f"{path}: {name}").get("name")
        if path.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook

            from pipeline.untrusted import check_office_file

            check_office_file(path, "a readable .xlsx workbook")
            return load_workbook(path, read_only=True).properties.identifier
    except Exception:  # not readable: the import itself will say why
        return None
    return None


@dataclass
class Imported:
    """One review file brought in: what it said, what the log kept, where the wave stands."""

    read: ReviewImport
    appended: Appended
    refreshed: Refreshed


def import_review(path: Path, outputs_dir: Path, codebook: Codebook | None = None, *,
                  reviewer: str | None = None, threshold: float = DEFAULT_THRESHOLD,
                  imported_at: str | None = None, codebook_file: Path | None = None,
                  accept_untouched: bool = False, wait: float | None = None,
                  on_wait: Callable[[str], None] | None = None) -> Imported:
    """Read ``path``, append its decisions to the wave's log, and publish the wave again.

    The whole import holds the wave's lock (:func:`pipeline.export.lock.wave_lock`): a second
    import or a run of the wave waits for it. A file whose exact contents were imported before
    is not read again (its decisions are in the log already): nothing changes, and the note says
    when it was imported, unless the outputs do not show the log yet (an import killed between
    logging and publishing), which this import then completes.
    ``codebook``: default the one the run used (the wave folder's copy); ``codebook_file``: as
    for :func:`refresh_outputs`; ``accept_untouched``: as for :func:`read_review_file`;
    ``wait``, ``on_wait``: as for the lock.
    """
    if outputs_dir.name in ("", ".", ".."):  # the lock and the new folder go beside it
        outputs_dir = Path(os.path.abspath(outputs_dir))
    with wave_lock(outputs_dir, f"import of {path.name}", wait=wait, on_wait=on_wait):
        return _import_review(path, outputs_dir, codebook, reviewer=reviewer,
                              threshold=threshold, imported_at=imported_at,
                              codebook_file=codebook_file, accept_untouched=accept_untouched)


def _import_review(path: Path, outputs_dir: Path, codebook: Codebook | None, *,
                   reviewer: str | None, threshold: float, imported_at: str | None,
                   codebook_file: Path | None, accept_untouched: bool) -> Imported:
    wave = read_wave(outputs_dir)
    codebook = codebook or wave.require_codebook()
    db = database_of(outputs_dir)
    log = read_log(db, wave.wave)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    earlier = log[log[s.REVIEW_FILE_SHA256] == digest]
    if len(earlier):
        when = earlier[s.IMPORTED_AT].iloc[0]
        appended = Appended(added=0, already_logged=len(earlier), log_size=len(log))
        if behind_log(outputs_dir, wave.run, log):  # logged, then killed before publishing
            read = ReviewImport(decisions=s.empty(s.REVIEW_LOG), notes=[
                f"{path.name}: its {len(earlier)} decisions were logged on {when} but the "
                "outputs did not show them (that import was interrupted); they do now"])
            return Imported(read, appended, refresh_outputs(
                outputs_dir, codebook, threshold=threshold, wave=wave,
                codebook_file=codebook_file))
        read = ReviewImport(decisions=s.empty(s.REVIEW_LOG), notes=[
            f"{path.name} was imported on {when} ({len(earlier)} "
            "decisions); the same file again changes nothing"])
        return Imported(read, appended, _refreshed(review_wave(
            wave.codings, wave.segments, log, codebook, wave.wave, threshold=threshold)))
    read = read_review_file(path, outputs_dir, codebook, reviewer, wave, accept_untouched)
    appended = append_decisions(db, wave.wave, read.decisions, imported_at=imported_at)
    refreshed = refresh_outputs(outputs_dir, codebook, threshold=threshold, wave=wave,
                                codebook_file=codebook_file)
    return Imported(read, appended, refreshed)


def behind_log(outputs_dir: Path, run: RunRecord | None, log: pd.DataFrame) -> bool:
    """Whether ``log`` (the wave's review log) holds decisions its outputs do not show yet.

    Every publish records the size of the log it applied (the wave's rows; the log only ever
    grows) in ``run.json`` (``run``) and, with the wave's rows, in the database's ``runs``
    table. An import killed after logging its decisions but before its publish committed, or a
    run that read the log before an import added to it, leaves a smaller size in one or both.
    """
    in_folder = run.review.log_size if run and run.review else 0
    stored = stored_run(database_of(outputs_dir), run.wave) if run else None
    in_database = ((stored or {}).get("review") or {}).get("log_size", 0)
    return in_folder != len(log) or in_database != len(log)


def complete_review(outputs_dir: Path, *, threshold: float = DEFAULT_THRESHOLD,
                    wait: float | None = None) -> Refreshed | None:
    """Publish ``outputs_dir`` again if its review log holds decisions it does not show yet.

    Holding the wave's lock; with the run's copy of the codebook. Returns what the log now
    says, or None when the outputs were up to date (then only ``run.json`` and the log's
    size were read, and nothing is written).
    """
    with wave_lock(outputs_dir, "review check", wait=wait):
        run = read_run_record(outputs_dir)
        if run is None or not behind_log(outputs_dir, run, read_log(database_of(outputs_dir),
                                                                    run.wave)):
            return None
        wave = read_wave(outputs_dir)
        return refresh_outputs(outputs_dir, wave.require_codebook(), threshold=threshold,
                               wave=wave)
