"""The review stage: decisions from a file into the log, and the log into the wave's outputs.

``import_review`` reads a ``.qdpx`` or ``.xlsx`` a researcher returned, appends its decisions to
the wave's review log, and refreshes the outputs: codings get their statuses, the analyst tables
(stances, coded_wide, theme_summary) are rebuilt from the codings that stand, and the review
tables (agreement, queue, the log itself) are written under ``outputs/<wave>/review/``. The wave
flow calls :func:`review_tables` too, so a re-run keeps every decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.review import ReviewImport
from pipeline.review.agreement import DEFAULT_THRESHOLD, codes_to_revise, review_agreement
from pipeline.review.log import Appended, append_decisions, database_of, read_log
from pipeline.review.queue import review_queue
from pipeline.review.status import Applied, apply_decisions

REVIEW_DIR = "review"


def review_tables(codings: pd.DataFrame, segments: pd.DataFrame, log: pd.DataFrame,
                  codebook: Codebook, wave: str, *, threshold: float = DEFAULT_THRESHOLD
                  ) -> dict[str, pd.DataFrame]:
    """The review tables of a wave: its log, agreement per code, and the review queue."""
    agreement = review_agreement(codings, log, codebook, wave, threshold=threshold)
    queue = review_queue(codings, segments, poor_agreement=codes_to_revise(agreement))
    return {"review_log": log, "review_agreement": agreement, "review_queue": queue}


def write_review_tables(out_dir: Path, tables: dict[str, pd.DataFrame]) -> dict[str, Path]:
    """Write the review tables as CSV under ``out_dir/review/``; returns {name: path}."""
    folder = out_dir / REVIEW_DIR
    folder.mkdir(parents=True, exist_ok=True)
    files = {"review_log": "review_log.csv", "review_agreement": "agreement.csv",
             "review_queue": "review_queue.csv"}
    written = {}
    for name, file_name in files.items():
        if name in tables:
            tables[name].to_csv(folder / file_name, index=False)
            written[name] = folder / file_name
    return written


@dataclass
class WaveTables:
    """A wave's tables as ``wavecoder run`` wrote them."""

    wave: str
    documents: pd.DataFrame
    segments: pd.DataFrame
    codings: pd.DataFrame


def read_wave(outputs_dir: Path) -> WaveTables:
    """Read documents, segments and codings of ``outputs/<wave>/``.

    Raises FileNotFoundError naming what is missing.
    """
    from pipeline.outputs import require_wave_tables, run_record

    require_wave_tables(outputs_dir)
    documents = pd.read_parquet(outputs_dir / "documents.parquet")
    wave = run_record(outputs_dir).get("wave") or (
        str(documents[s.WAVE].iloc[0]) if len(documents) else outputs_dir.name)
    return WaveTables(wave, documents, pd.read_parquet(outputs_dir / "segments.parquet"),
                      pd.read_parquet(outputs_dir / "codings.parquet"))


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


def _reviewed(wave: WaveTables, log: pd.DataFrame, codebook: Codebook, threshold: float
              ) -> tuple[Applied, dict[str, pd.DataFrame]]:
    """The wave's codings with the log applied, and its review tables."""
    applied = apply_decisions(wave.codings, wave.segments, log)
    return applied, review_tables(applied.codings, wave.segments, log, codebook, wave.wave,
                                  threshold=threshold)


def _refreshed(applied: Applied, review: dict[str, pd.DataFrame],
               written: dict[str, Path] | None = None) -> Refreshed:
    return Refreshed(applied.counts(), applied.problems, review["review_agreement"],
                     review["review_queue"], len(review["review_log"]), written or {})


def refresh_outputs(outputs_dir: Path, codebook: Codebook, *,
                    threshold: float = DEFAULT_THRESHOLD,
                    wave: WaveTables | None = None) -> Refreshed:
    """Apply the wave's whole review log to its outputs and rewrite what follows from it.

    ``wave``: the wave's tables when the caller has read them already.
    """
    from pipeline.export import derived_tables, store_wave, write_json
    from pipeline.export.charts import theme_chart
    from pipeline.export.files import write_coded_tables
    from pipeline.outputs import run_record

    wave = wave or read_wave(outputs_dir)
    applied, review = _reviewed(wave, read_log(database_of(outputs_dir), wave.wave), codebook,
                                threshold)
    tables = {"codings": applied.codings,
              **derived_tables(wave.documents, wave.segments, applied.codings, codebook)}
    record = run_record(outputs_dir)
    written = write_coded_tables(outputs_dir, tables, codebook)
    written["theme_chart"] = theme_chart(tables["theme_summary"],
                                         outputs_dir / "theme_summary.png",
                                         title=record.get("title", ""))
    written.update(write_review_tables(outputs_dir, review))
    if record:
        record["review"] = review_summary(applied, review)
        write_json(record, outputs_dir / "run.json")
    stored = {k: v for k, v in review.items() if k != "review_log"}
    store_wave(database_of(outputs_dir), wave.wave, {**tables, **stored}, record or None)
    return _refreshed(applied, review, written)


def review_summary(applied: Applied, review: dict[str, pd.DataFrame]) -> dict:
    """The review section of ``run.json``: statuses after the log, what to revise, the queue."""
    return {"log_size": len(review["review_log"]), "statuses": applied.counts(),
            "codes_to_revise": codes_to_revise(review["review_agreement"]),
            "unapplied_decisions": applied.problems, "queued": len(review["review_queue"])}


def read_review_file(path: Path, outputs_dir: Path, codebook: Codebook,
                     reviewer: str | None = None, wave: WaveTables | None = None
                     ) -> ReviewImport:
    """Decisions from a returned ``.qdpx`` (QDA tool) or ``.xlsx`` (review workbook).

    ``wave``: the wave's tables when the caller has read them already.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".qdpx":
        from pipeline.review.qdpx_read import decisions_from_qdpx

        return decisions_from_qdpx(path, outputs_dir, codebook)
    if suffix == ".xlsx":
        from pipeline.review.workbook import decisions_from_workbook

        wave = wave or read_wave(outputs_dir)
        return decisions_from_workbook(path, wave.codings, wave.segments, codebook, wave.wave,
                                       reviewer)
    raise ValueError(f"{path}: a review file is a .qdpx (from a QDA tool) or an .xlsx "
                     f"(the review workbook), not '{path.suffix}'")


def wave_of_review_file(path: Path) -> str | None:
    """The wave a ``.qdpx`` or review ``.xlsx`` written by wavecoder belongs to, if it says."""
    try:
        if path.suffix.lower() == ".qdpx":
            import zipfile

            from lxml import etree

            with zipfile.ZipFile(path) as archive:
                name = next(n for n in archive.namelist() if n.lower() == "project.qde")
                return etree.fromstring(archive.read(name)).get("name")
        if path.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook

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


def import_review(path: Path, outputs_dir: Path, codebook: Codebook, *,
                  reviewer: str | None = None, threshold: float = DEFAULT_THRESHOLD,
                  imported_at: str | None = None) -> Imported:
    """Read ``path``, append its decisions to the wave's log, and refresh the outputs.

    A file whose exact contents were imported before is not read again (its decisions are in
    the log already): nothing changes, and the note says when it was imported.
    """
    import hashlib

    wave = read_wave(outputs_dir)
    db = database_of(outputs_dir)
    log = read_log(db, wave.wave)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    earlier = log[log[s.REVIEW_FILE_SHA256] == digest]
    if len(earlier):
        read = ReviewImport(decisions=s.empty(s.REVIEW_LOG), notes=[
            f"{path.name} was imported on {earlier[s.IMPORTED_AT].iloc[0]} ({len(earlier)} "
            "decisions); the same file again changes nothing"])
        appended = Appended(added=0, already_logged=len(earlier), log_size=len(log))
        return Imported(read, appended, _refreshed(*_reviewed(wave, log, codebook, threshold)))
    read = read_review_file(path, outputs_dir, codebook, reviewer, wave)
    appended = append_decisions(db, wave.wave, read.decisions, imported_at=imported_at)
    refreshed = refresh_outputs(outputs_dir, codebook, threshold=threshold, wave=wave)
    return Imported(read, appended, refreshed)
