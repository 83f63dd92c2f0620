"""A wave's outputs folder as later steps read it: its run record and the codebook it used."""

from __future__ import annotations

import json
from pathlib import Path


def run_record(outputs_dir: Path) -> dict:
    """The wave's ``run.json`` (empty when the run did not write one)."""
    path = outputs_dir / "run.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


WAVE_TABLES = ("documents", "segments", "codings")


def require_wave_tables(outputs_dir: Path) -> None:
    """Raise FileNotFoundError unless ``outputs_dir`` holds a wave's parquet tables."""
    missing = [n for n in WAVE_TABLES if not (outputs_dir / f"{n}.parquet").exists()]
    if missing:
        raise FileNotFoundError(f"{outputs_dir}: no {', '.join(m + '.parquet' for m in missing)}"
                                "; is this a wave's output folder (outputs/<wave>/)?")


def codebook_path_of_run(outputs_dir: Path) -> Path:
    """The codebook file named in ``run.json``'s ``parameters.codebook_path``.

    A relative path is tried as given, then against each folder above the outputs folder (the
    run was started from the project root, usually the parent of ``outputs/``). Raises
    FileNotFoundError saying what was looked for.
    """
    named = run_record(outputs_dir).get("parameters", {}).get("codebook_path")
    if not named:
        raise FileNotFoundError(f"{outputs_dir / 'run.json'} does not name the codebook "
                                "(parameters.codebook_path); pass the codebook explicitly")
    path = Path(named)
    candidates = [path] if path.is_absolute() else [path, *(p / path for p in
                                                          outputs_dir.resolve().parents)]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"codebook {named} named in {outputs_dir / 'run.json'} was not "
                            "found; pass the codebook explicitly")
