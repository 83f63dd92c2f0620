"""A wave's output folder, ``outputs/<wave>/``: its layout, its run record, and its one reader.

Publishing (:mod:`pipeline.export.publish`) writes the folder; every later step (review, the
REFI-QDA export, the report) reads it through :func:`read_wave` and gets the same
:class:`WaveOutputs` back: the tables, the typed :class:`RunRecord` (``run.json``) and the
codebook the run used (``codebook.yaml``, a copy written by publish).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline import schema as s
from pipeline.config import Codebook, load_codebook
from pipeline.errors import InputError, MissingInputError

DATABASE_NAME = "wavecoder.duckdb"  # beside the wave folders: outputs/wavecoder.duckdb
RUN_FILE = "run.json"
CODEBOOK_FILE = "codebook.yaml"
STANCE_CUES_FILE = "stance_cues.yaml"  # the cue file the codebook declares, copied with it
REVIEW_DIR = "review"
WAVE_TABLES = ("documents", "segments", "codings")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CodebookRef(_Record):
    """Which codebook a run used: its id, version and the sha256 of its file."""

    id: str = ""
    version: str = ""
    sha256: str = ""


class ReviewSummary(_Record):
    """The review section of ``run.json``: statuses after the log, what to revise, the queue."""

    log_size: int = 0
    statuses: dict[str, int] = {}
    codes_to_revise: list[str] = []
    unapplied_decisions: list[str] = []
    queued: int = 0


class SignOffRecord(_Record):
    """The ``sign_off`` section of ``run.json``: who decided on this run's codings, and when.

    Bound to the run (``run_id``) and to the digest of its codings (``codings_sha256``): a new
    run, or a review import that changes the codings, leaves the wave unsigned (a draft).
    """

    reviewer: str
    decision: Literal["approve", "reject"]
    signed_at: str
    note: str = ""
    run_id: str
    codings_sha256: str


class RunRecord(_Record):
    """The provenance of a wave run, written as ``run.json`` and read back as it was written.

    Enough to tell whether two outputs are comparable: input hashes, codebook, coder,
    parameters, package versions; plus stage timings, row accounting and the review summary.
    """

    wave: str
    title: str = ""
    folder: str = ""
    inferred_sources: bool = False
    inputs: dict[str, str] = {}
    codebook: CodebookRef = CodebookRef()
    coder: str = ""
    coder_info: dict[str, Any] = {}
    parameters: dict[str, Any] = {}
    topics: dict[str, Any] = {}
    packages: dict[str, str | None] = {}
    python: str = ""
    timings: dict[str, float] = {}
    accounting: dict[str, Any] = {}
    notes: list[str] = []
    transcripts: dict[str, Any] = {}  # per transcript: characters by role, the interviewer
    output_dir: str = ""
    outputs: dict[str, str] = {}
    review: ReviewSummary | None = None
    run_id: str = ""  # one per run; a review import keeps it (publish assigns one if empty)
    codings_sha256: str = ""  # digest of the codings as published (pipeline.export.digest)
    sign_off: SignOffRecord | None = None  # the latest decision on this run's codings
    cache: dict[str, Any] = {}  # per cached stage: its key and whether its result was reused

    def to_json(self) -> str:
        """The record as ``run.json`` holds it: indented, keys sorted."""
        # default=str: a trained coder's card may hold numpy scalars
        return json.dumps(self.model_dump(), indent=2, sort_keys=True, default=str) + "\n"


def database_of(outputs_dir: Path) -> Path:
    """The database a wave's outputs folder belongs to: ``<outputs root>/wavecoder.duckdb``."""
    return Path(outputs_dir).parent / DATABASE_NAME


_Model = TypeVar("_Model", bound=BaseModel)


def read_json_model(path: Path, model: type[_Model], what: str) -> _Model | None:
    """The JSON file at ``path`` validated as ``model``; None when there is no file.

    Raises InputError naming the file and the first wrong field ("not a <what>: <field>: …").
    """
    path = Path(path)
    if not path.exists():
        return None
    try:
        return model.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InputError(f"{path}: not a {what}: {where}: {first['msg']}") from None


def read_run_record(outputs_dir: Path) -> RunRecord | None:
    """The wave's ``run.json`` as a :class:`RunRecord`; None when the folder has none.

    Raises InputError naming the file and the field when it is not a run record.
    """
    return read_json_model(Path(outputs_dir) / RUN_FILE, RunRecord, "wavecoder run record")


@dataclass
class WaveOutputs:
    """One wave's published outputs, as every later step reads them.

    ``codings`` are all of them, each with its review ``status`` (rejected ones included);
    ``stances`` has one row per coding that stands. Tables a run did not write are None.
    """

    directory: Path
    run: RunRecord | None
    documents: pd.DataFrame
    segments: pd.DataFrame
    codings: pd.DataFrame
    stances: pd.DataFrame | None
    theme_summary: pd.DataFrame | None
    topics: pd.DataFrame | None
    review_agreement: pd.DataFrame | None
    review_queue: pd.DataFrame | None
    codebook: Codebook | None
    sample_agreement: pd.DataFrame | None = None  # the machine on random samples read whole

    @property
    def wave(self) -> str:
        """The wave id: run.json's, else the documents', else the folder's name."""
        if self.run is not None and self.run.wave:
            return self.run.wave
        waves = self.documents[s.WAVE].dropna().unique() if len(self.documents) else []
        return str(waves[0]) if len(waves) else self.directory.name

    @property
    def title(self) -> str:
        """The wave's title, else its id."""
        return (self.run.title if self.run is not None else "") or self.wave

    def require_codebook(self) -> Codebook:
        """The codebook the run used; MissingInputError when the folder holds none."""
        if self.codebook is None:
            raise MissingInputError(f"{self.directory / CODEBOOK_FILE}: no such file (the wave "
                                    "was published by an older wavecoder); run the wave again, "
                                    "or pass --codebook where the command takes one")
        return self.codebook

    def require_run(self) -> RunRecord:
        """The run record; MissingInputError when the folder has no run.json."""
        if self.run is None:
            raise MissingInputError(f"{self.directory / RUN_FILE}: no such file; is this a "
                                    "folder written by wavecoder run?")
        return self.run


def as_wave(outputs: Path | WaveOutputs) -> WaveOutputs:
    """``outputs`` as read by :func:`read_wave`, reading the folder when given its path."""
    return outputs if isinstance(outputs, WaveOutputs) else read_wave(outputs)


def _parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable parquet table ({type(exc).__name__}); "
                         "run the wave again to rewrite its outputs") from None


def _optional_parquet(path: Path) -> pd.DataFrame | None:
    return _parquet(path) if path.exists() else None


def _optional_csv(path: Path, schema=None) -> pd.DataFrame | None:
    if not path.exists():
        return None
    try:
        frame = pd.read_csv(path, dtype={s.QUESTION_ID: str, s.CODE_ID: str, s.SEGMENT_ID: str})
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise InputError(f"{path}: not a readable CSV table ({type(exc).__name__})") from None
    return s.conform(frame, schema) if schema is not None else frame


def _codebook_copy(directory: Path) -> Codebook | None:
    """The codebook publish copied into the folder, with the stance cues copied beside it."""
    book_path, cues = directory / CODEBOOK_FILE, directory / STANCE_CUES_FILE
    if not book_path.exists():
        return None
    return load_codebook(book_path, stance_cues=cues if cues.exists() else None)


def read_wave(outputs_dir: Path) -> WaveOutputs:
    """Read ``outputs/<wave>/`` as publish wrote it.

    Needs the ``documents``, ``segments`` and ``codings`` parquet files (MissingInputError
    naming what is missing); ``run.json``, ``codebook.yaml``, ``stances.parquet``,
    ``theme_summary.csv``, ``topics.parquet`` and ``review/`` (agreement, queue) when present.
    """
    directory = Path(outputs_dir)
    if not directory.is_dir():
        raise MissingInputError(f"{directory}: no such folder; pass a wave's outputs folder "
                                "(outputs/<wave>/)")
    missing = [n for n in WAVE_TABLES if not (directory / f"{n}.parquet").exists()]
    if missing:
        raise MissingInputError(f"{directory} is not a wave's outputs folder (outputs/<wave>/): "
                                f"no {', '.join(m + '.parquet' for m in missing)}")
    return WaveOutputs(
        directory=directory,
        run=read_run_record(directory),
        documents=_parquet(directory / "documents.parquet"),
        segments=_parquet(directory / "segments.parquet"),
        codings=_parquet(directory / "codings.parquet"),
        stances=_optional_parquet(directory / "stances.parquet"),
        theme_summary=_optional_csv(directory / "theme_summary.csv", s.THEME_SUMMARY),
        topics=_optional_parquet(directory / "topics.parquet"),
        review_agreement=_optional_csv(directory / REVIEW_DIR / "agreement.csv"),
        review_queue=_optional_csv(directory / REVIEW_DIR / "review_queue.csv",
                                   s.REVIEW_QUEUE),
        codebook=_codebook_copy(directory),
        sample_agreement=_optional_csv(directory / REVIEW_DIR / "sample_agreement.csv",
                                       s.SAMPLE_AGREEMENT),
    )
