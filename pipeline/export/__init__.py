"""Export: a coded wave's tables to ``outputs/<wave>/``, its provenance, and the shared DuckDB.

:func:`publish_wave` is the one way a wave's tables reach its folder and the database: it
derives the wide dataset and the theme summary from the codings that stand and writes
everything at once. ``run_record`` assembles the provenance (``run.json``); ``store_wave``
keys tables into DuckDB.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.config import Codebook
from pipeline.export.provenance import (
    StageTimer,
    input_hashes,
    package_versions,
    row_accounting,
    transcript_accounting,
)
from pipeline.export.publish import Published, WaveTables, publish_wave
from pipeline.export.store import store_wave
from pipeline.export.summary import run_summary_markdown
from pipeline.export.tables import standing, top_codes
from pipeline.ingest import IngestResult
from pipeline.outputs import DATABASE_NAME, CodebookRef, RunRecord

if TYPE_CHECKING:  # spaCy and BERTopic's modules load only where topics are found
    from pipeline.topics import TopicResult


def run_record(*, ingested: IngestResult, folder: Path, codebook: Codebook, coder: str,
               segments: pd.DataFrame, codings: pd.DataFrame, parameters: dict[str, Any],
               timings: dict[str, float], topics: TopicResult | None,
               output_dir: Path, coder_info: dict[str, Any] | None = None) -> RunRecord:
    """The provenance record of a run; :func:`publish_wave` completes it and writes run.json.

    ``topics``: what discovery found, None when it was not asked for.
    """
    manifest = folder / "wave.yaml"
    hashed = ingested.inputs + ([manifest] if manifest.exists() else [])
    coverage = (coder_info or {}).get("coverage_warning")  # codes the model never gives
    return RunRecord(
        wave=ingested.manifest.id,
        title=ingested.manifest.title,
        folder=folder.as_posix(),
        inferred_sources=ingested.inferred,
        inputs=input_hashes(hashed, folder),
        codebook=CodebookRef(id=codebook.id, version=codebook.version, sha256=codebook.sha256),
        coder=coder,
        coder_info=coder_info or {},
        parameters=parameters,
        topics=topics.info() if topics is not None else
        {"skipped_reason": "not requested (--no-topics)"},
        packages=package_versions(),
        python=platform.python_version(),
        timings=dict(timings),
        accounting=row_accounting(ingested.items_in, ingested.documents, ingested.rejected,
                                  segments, codings),
        notes=[*ingested.notes, *([f"coder: {coverage}"] if coverage else [])],
        transcripts=transcript_accounting(ingested.documents, segments, ingested.speaker_labels),
        output_dir=output_dir.as_posix(),
    )


__all__ = ["DATABASE_NAME", "Published", "StageTimer", "WaveTables", "publish_wave",
           "run_record", "run_summary_markdown", "standing", "store_wave", "top_codes"]
