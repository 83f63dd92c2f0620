"""What one run of a wave is asked to do: the typed parameters every way in shares.

The command line builds a :class:`WaveRun` from its options, a Prefect deployment from its
parameters (the Prefect UI shows the model as the run's form), a test from keyword arguments;
the ``code_wave`` flow takes nothing else, so the same wave gives the same codes however it is
started. Decisions that follow from the parameters (which coder ``auto`` means, which agreement
file gates the rules) are made below this, in :mod:`pipeline`, never by an entry point.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from pipeline.config import DEFAULT_CODEBOOK, load_codebook, load_wave_manifest
from pipeline.errors import ConfigError, MissingInputError
from pipeline.ingest.infer import TABLE_SUFFIXES, wave_files
from pipeline.ingest.transcripts import TRANSCRIPT_SUFFIXES
from pipeline.topic_sample import SAMPLE_ABOVE, SAMPLE_SIZE
from pipeline.topic_words import MERGE_DISTANCE, MIN_WORD_SHARE

PROCESSES_FROM_CHUNKS = 20  # chunks (40,000 documents by default) from which a wave uses every core

_Model = TypeVar("_Model", bound=BaseModel)
INPUT_SUFFIXES = (*TABLE_SUFFIXES, *TRANSCRIPT_SUFFIXES)

# A wave id names a folder under the output root: one plain path component, never "..".
WAVE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class WaveRun(BaseModel):
    """One wave to code: where it is, what to code it with, where the outputs go."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wave_folder: str = Field(description="The wave's folder, e.g. corpora/sector-survey-2013.")
    wave_id: str | None = Field(None, description="Wave id (default: wave.yaml's id, else the "
                                "folder's name).")
    codebook: str = Field(str(DEFAULT_CODEBOOK), description="The codebook YAML.")
    out: str = Field("outputs", description="Output root: outputs go to <out>/<wave>/ and "
                     "<out>/wavecoder.duckdb.")
    coder: str = Field("auto", description="rules, a trained model's name or folder, or auto "
                       "(the best measured coder for the codebook).")
    topics: bool = Field(True, description="Discover topics with BERTopic.")
    embedding: Literal["minilm", "static", "tfidf"] = Field(
        "minilm", description="Embedding for topics (static: distilled from MiniLM, for large "
        "waves).")
    min_topic_size: int = Field(10, ge=2, description="Smallest topic BERTopic may form.")
    project: str | None = Field(None, description="Project whose kept topic model the wave's "
                                "topics keep their ids in (default: wave.yaml's project, else "
                                "the wave id without its trailing year).")
    topic_models: str | None = Field(None, description="Folder of kept topic models, one "
                                     "<project>/ each (default: <out>/topic-models).")
    refit_topics: bool = Field(False, description="Refit the project's topic model on every "
                               "wave so far (writes an old → new topic id mapping).")
    candidates_file: str | None = Field(None, description="Where candidate codes from "
                                        "uncovered topics are written (default: "
                                        "<codebook>.candidates.yaml beside the codebook).")
    small_wave_segments: int = Field(5000, ge=0, description="A wave with fewer topic segments "
                                     "is pooled with its project's earlier waves.")
    topic_sample_above: int = Field(SAMPLE_ABOVE, ge=0, description="Above this "
                                    "many distinct topic segments, the static and tfidf "
                                    f"embeddings fit topics on a seeded sample of {SAMPLE_SIZE:,} "
                                    "and assign the rest.")
    topic_word_share: float = Field(MIN_WORD_SHARE, ge=0.0, le=1.0, description="A static "
                                    "or tfidf topic's words are used by at least this share of "
                                    "its segments.")
    topic_merge_distance: float = Field(MERGE_DISTANCE, ge=0.0, le=2.0, description="Static "
                                        "or tfidf topics whose segments' word shares are closer "
                                        "than this cosine distance are merged (0: never).")
    agreement: str | None = Field(None, description="Evaluation JSON whose per-code kappa gates "
                                  "the rules (default: <codebook>.agreement/evaluation.json).")
    min_kappa: float = Field(0.6, ge=-1.0, le=1.0, description="Codes measured below this "
                             "kappa are marked needs_review.")
    code_interviewer: bool = Field(False, description="Also code what interviewers say.")
    redact: bool = Field(False, description="Pseudonymise names, emails, phone numbers, "
                         "postcodes, NHS numbers and addresses before anything is written "
                         "(also when wave.yaml says redact: true).")
    progress: bool = Field(True, description="Show progress bars (off for deployments).")
    chunk_size: int = Field(2000, ge=1, description="Documents per segment-and-code task: "
                            "the unit of work sent to a Dask worker.")
    dask: str | None = Field(None, description="Address of a Dask scheduler (e.g. "
                             "tcp://scheduler:8786) whose workers segment and code the "
                             "wave's chunks; none: they run on this machine (see processes).")
    processes: int = Field(0, ge=0, description="Local processes that segment and code the "
                           "wave's chunks at once; 0: one per core for a wave of "
                           f"{PROCESSES_FROM_CHUNKS} chunks or more, else one.")
    reuse: bool = Field(True, description="Reuse the results a stage cached in the wave's "
                        "outputs folder when nothing it depends on changed (False: recompute "
                        "every stage, as --force does).")
    sign_off: Literal["none", "pause", "suspend"] = Field(
        "none", description="After publishing the draft outputs, wait for a named reviewer's "
        "sign-off form: pause (the run waits in its process) or suspend (a deployment's run "
        "exits and is started again once resumed); none: sign off later with wavecoder "
        "sign-off.")
    sign_off_timeout: int = Field(86400, ge=10, description="Seconds to wait for the sign-off "
                                  "before the run fails (its outputs stay a draft).")

    @field_validator("wave_id")
    @classmethod
    def _plain_wave_id(cls, wave_id: str | None) -> str | None:
        if wave_id is not None and (".." in wave_id or not _matches(WAVE_ID_PATTERN, wave_id)):
            raise ValueError(f"'{wave_id}' is not a plain folder name (letters, digits, '.', "
                             "'_', '-'; no '..' or '/'): the wave's outputs must stay under out")
        return wave_id

    @model_validator(mode="after")
    def _outputs_outside_the_wave(self) -> WaveRun:
        wave, out = Path(self.wave_folder).resolve(), Path(self.out).resolve()
        if out == wave or wave in out.parents:
            raise ValueError(f"out ({self.out}) lies inside the wave folder ({self.wave_folder}):"
                             " the next run would read its own outputs as answers")
        return self

    @classmethod
    def checked(cls, **values: object) -> WaveRun:
        """A WaveRun from ``values``; ConfigError names each wrong parameter and why."""
        return _checked(cls, values)

    def topic_models_root(self) -> Path:
        """Where kept topic models live: ``topic_models``, else ``<out>/topic-models``."""
        return Path(self.topic_models) if self.topic_models else Path(self.out) / "topic-models"

    def candidates_path(self) -> Path:
        """The candidate codes file: ``candidates_file``, else beside the codebook."""
        if self.candidates_file:
            return Path(self.candidates_file)
        path = self.codebook_path()
        return path.with_name(f"{path.stem}.candidates.yaml")

    def codebook_path(self) -> Path:
        """The codebook file."""
        return Path(self.codebook)


def _checked(model: type[_Model], values: dict[str, object]) -> _Model:
    """``model(**values)``; ConfigError names each wrong parameter and why."""
    try:
        return model(**values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'parameters'}: "
                             f"{e['msg'].removeprefix('Value error, ')}"
                             for e in exc.errors())
        raise ConfigError(f"run parameters: {problems}") from None


def _matches(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None


def preflight(run: WaveRun) -> None:
    """Fail before any stage runs if the run cannot start.

    Raises MissingInputError when the wave folder is missing, ConfigError naming the file and
    field when its wave.yaml or the codebook is invalid.
    """
    folder = Path(run.wave_folder)
    if not folder.is_dir():
        raise MissingInputError(f"{folder}: no such folder (the wave folder to code)")
    if (folder / "wave.yaml").is_file():
        load_wave_manifest(folder / "wave.yaml")
    elif not any(p.suffix.lower() in INPUT_SUFFIXES for p in wave_files(folder)):
        raise MissingInputError(f"{folder}: no survey export ({', '.join(TABLE_SUFFIXES)}) or "
                                f"transcript ({', '.join(TRANSCRIPT_SUFFIXES)}) to code")
    load_codebook(run.codebook_path())


# A project shares every setting of a wave run but the folder and the wave id: the fields are
# WaveRun's own (types, defaults, checks, descriptions), so a new run parameter reaches
# projects with no second definition to keep in step.
_PER_WAVE = ("wave_folder", "wave_id")


class _ProjectBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    waves: list[str] = Field(min_length=1, description="The waves' folders, earliest first, "
                             "e.g. [corpora/sector-survey-2013, corpora/sector-survey-2014]; "
                             "each is coded as its own code_wave run, then the trends are "
                             "reported.")
    trend_dir: str | None = Field(None, description="Folder of the trend report (default: "
                                  "<out>/trends).")

    @field_validator("waves")
    @classmethod
    def _each_wave_once(cls, waves: list[str]) -> list[str]:
        seen = [Path(w).resolve() for w in waves]
        repeated = sorted({w for w, p in zip(waves, seen, strict=True) if seen.count(p) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} given more than once: give each wave once")
        return waves

    def wave_runs(self) -> list[WaveRun]:
        """One :class:`WaveRun` per wave, in order, with the project's settings."""
        shared = self.model_dump(exclude={"waves", "trend_dir"})
        return [WaveRun.checked(wave_folder=folder, **shared) for folder in self.waves]

    def trend_path(self) -> Path:
        """Where the trend report goes."""
        return Path(self.trend_dir) if self.trend_dir else Path(self.out) / "trends"

    @classmethod
    def checked(cls, **values: object) -> ProjectRun:
        """A ProjectRun from ``values``; ConfigError names each wrong parameter and why."""
        project = _checked(cls, values)
        project.wave_runs()  # a folder WaveRun refuses (out inside it) fails here too
        return project


ProjectRun = create_model(
    "ProjectRun", __base__=_ProjectBase, __module__=__name__,
    __doc__="Several waves of one survey to code in order, then report as trends: ``waves``, "
            "``trend_dir`` and every setting of WaveRun but the folder and the wave id.",
    **{name: (field.annotation, field) for name, field in WaveRun.model_fields.items()
       if name not in _PER_WAVE})


def preflight_project(run: ProjectRun) -> None:
    """:func:`preflight` for every wave of the project, before any is coded."""
    for wave_run in run.wave_runs():
        preflight(wave_run)
