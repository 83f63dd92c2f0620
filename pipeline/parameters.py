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
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.config import DEFAULT_CODEBOOK, load_codebook, load_wave_manifest
from pipeline.errors import ConfigError, MissingInputError
from pipeline.ingest.infer import TABLE_SUFFIXES, wave_files
from pipeline.ingest.transcripts import TRANSCRIPT_SUFFIXES

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
    embedding: Literal["minilm", "tfidf"] = Field("minilm", description="Embedding for topics.")
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
    agreement: str | None = Field(None, description="Evaluation JSON whose per-code kappa gates "
                                  "the rules (default: <codebook>.agreement/evaluation.json).")
    min_kappa: float = Field(0.6, ge=-1.0, le=1.0, description="Codes measured below this "
                             "kappa are marked needs_review.")
    code_interviewer: bool = Field(False, description="Also code what interviewers say.")
    redact: bool = Field(False, description="Pseudonymise names, emails, phone numbers, "
                         "postcodes, NHS numbers and addresses before anything is written "
                         "(also when wave.yaml says redact: true).")
    progress: bool = Field(True, description="Show progress bars (off for deployments).")

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
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'parameters'}: "
                                 f"{e['msg'].removeprefix('Value error, ')}"
                                 for e in exc.errors())
            raise ConfigError(f"run parameters: {problems}") from None

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
