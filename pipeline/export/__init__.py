"""Export: a coded wave's tables to ``outputs/<wave>/``, its provenance, and the shared DuckDB.

``analyst_tables`` derives the wide dataset and theme summary; ``write_outputs`` writes every
file and chart; ``run_record`` assembles ``run.json``; ``store_wave`` keys it all into DuckDB.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config import Codebook
from pipeline.export.charts import theme_chart
from pipeline.export.files import write_json, write_wave_tables
from pipeline.export.provenance import (
    StageTimer,
    input_hashes,
    package_versions,
    row_accounting,
    transcript_accounting,
)
from pipeline.export.store import store_wave
from pipeline.export.summary import run_summary_markdown
from pipeline.export.tables import coded_wide, theme_summary, top_codes
from pipeline.ingest import IngestResult

DATABASE_NAME = "wavecoder.duckdb"


def analyst_tables(ingested: IngestResult, segments: pd.DataFrame, codings: pd.DataFrame,
                   codebook: Codebook, topics: Any | None = None) -> dict[str, pd.DataFrame]:
    """Every output table of a wave run, by name (topic tables only when ``topics`` ran)."""
    tables = {
        "documents": ingested.documents,
        "segments": segments,
        "codings": codings,
        "rejected": ingested.rejected,
        **derived_tables(ingested.documents, segments, codings, codebook),
    }
    if topics is not None and topics.skipped_reason is None:
        tables.update(topics=topics.topics, segment_topics=topics.segment_topics,
                      topic_codes=topics.topic_codes)
    return tables


def derived_tables(documents: pd.DataFrame, segments: pd.DataFrame, codings: pd.DataFrame,
                   codebook: Codebook) -> dict[str, pd.DataFrame]:
    """Stances, the wide dataset and the theme summary, from the codings that stand.

    Codings a reviewer rejected are left out; codings a reviewer added count like any other.
    """
    from pipeline.review.status import standing
    from pipeline.stance import stances

    kept = standing(codings)
    return {
        "stances": stances(segments, kept, parents=codebook.parents(), cues=codebook.stance_cues),
        "coded_wide": coded_wide(documents, segments, kept, codebook),
        "theme_summary": theme_summary(documents, segments, kept, codebook),
    }


def write_outputs(out_dir: Path, tables: dict[str, pd.DataFrame], codebook: Codebook,
                  title: str = "") -> dict[str, Path]:
    """Write the tables and the theme chart under ``out_dir``; returns {name: path}."""
    written = write_wave_tables(out_dir, tables, codebook)
    written["theme_chart"] = theme_chart(tables["theme_summary"], out_dir / "theme_summary.png",
                                         title=title)
    return written


def run_record(*, ingested: IngestResult, folder: Path, codebook: Codebook, coder: str,
               tables: dict[str, pd.DataFrame], parameters: dict[str, Any],
               timings: dict[str, float], topics_info: dict[str, Any],
               output_dir: Path, outputs: dict[str, Path]) -> dict[str, Any]:
    """The provenance record written as ``run.json``."""
    manifest = folder / "wave.yaml"
    hashed = ingested.inputs + ([manifest] if manifest.exists() else [])
    return {
        "wave": ingested.manifest.id,
        "title": ingested.manifest.title,
        "folder": folder.as_posix(),
        "inferred_sources": ingested.inferred,
        "inputs": input_hashes(hashed, folder),
        "codebook": {"id": codebook.id, "version": codebook.version, "sha256": codebook.sha256},
        "coder": coder,
        "parameters": parameters,
        "topics": topics_info,
        "packages": package_versions(),
        "python": platform.python_version(),
        "timings": timings,
        "accounting": row_accounting(ingested.items_in, ingested.documents, ingested.rejected,
                                     tables["segments"], tables["codings"]),
        "notes": ingested.notes,
        "transcripts": transcript_accounting(ingested.documents, tables["segments"],
                                             ingested.speaker_labels),
        "output_dir": output_dir.as_posix(),
        "outputs": {name: path.name for name, path in sorted(outputs.items())},
    }


__all__ = ["DATABASE_NAME", "StageTimer", "analyst_tables", "derived_tables", "run_record",
           "run_summary_markdown", "store_wave", "top_codes", "write_json", "write_outputs"]
