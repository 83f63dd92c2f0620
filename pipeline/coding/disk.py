"""A trained coder on disk: a folder with ``config.json`` and ``arrays.npz``, read without pickle.

``config.json`` holds the coder's kind, settings, code lists, thresholds and vocabularies (plain
JSON); ``arrays.npz`` holds numbers (coefficients, intercepts, idf weights), read with
``allow_pickle=False``. A coder with a spaCy pipeline writes it beside them with
``nlp.to_disk``. Errors name the folder, file and field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.errors import InputError, MissingInputError

if TYPE_CHECKING:
    from pipeline.config import Codebook

CONFIG = "config.json"
ARRAYS = "arrays.npz"


def write_config(directory: Path, config: dict[str, Any]) -> None:
    """Write ``config`` as ``directory/config.json`` (the folder is made if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG).write_text(json.dumps(config, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")


def read_config(directory: Path, kind: str | None = None) -> dict[str, Any]:
    """``directory/config.json``; InputError if it is missing, unreadable or of another kind."""
    path = directory / CONFIG
    if not path.is_file():
        raise MissingInputError(f"{path}: no saved coder here (config.json not found; a model "
                                "saved as coder.joblib must be trained again, with the "
                                "command on its card)")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc.__class__.__name__})") from None
    if not isinstance(config, dict) or "kind" not in config:
        raise InputError(f"{path}: field 'kind' is missing")
    if kind is not None and config["kind"] != kind:
        raise InputError(f"{path}: field 'kind' is '{config['kind']}', expected '{kind}'")
    return config


def field(config: dict[str, Any], name: str, directory: Path) -> Any:
    """``config[name]``, or InputError naming the file and the missing field."""
    if name not in config:
        raise InputError(f"{directory / CONFIG}: field '{name}' is missing")
    return config[name]


def codebook_tag(codebook: Codebook) -> str:
    """``id@version``: the codebook a coder was trained for, as its name and config say."""
    return f"{codebook.id}@{codebook.version}"


def read_coder_config(directory: Path, kind: str, codebook: Codebook) -> dict[str, Any]:
    """A saved coder's config, checked to be of ``kind`` and trained for ``codebook``'s id."""
    config = read_config(directory, kind)
    trained_for = str(field(config, "codebook", directory))
    if trained_for.split("@")[0] != codebook.id:
        raise InputError(f"{directory / CONFIG}: field 'codebook' is '{trained_for}': the model "
                         f"was trained for another codebook than '{codebook.id}'")
    return config


def write_arrays(directory: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as ``directory/arrays.npz`` (uncompressed, numbers only)."""
    directory.mkdir(parents=True, exist_ok=True)
    np.savez(directory / ARRAYS, **arrays)


def read_arrays(directory: Path) -> dict[str, np.ndarray]:
    """The arrays of ``directory/arrays.npz``, read without pickle."""
    path = directory / ARRAYS
    if not path.is_file():
        raise MissingInputError(f"{path}: file not found")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (ValueError, OSError) as exc:
        raise InputError(f"{path}: not a readable array file ({exc.__class__.__name__})") \
            from None
