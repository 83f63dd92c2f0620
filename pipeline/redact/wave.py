"""The redaction stage of a wave: its documents and rejected rows pseudonymised, the key kept apart.

Runs right after ingest, so every later table, file, database row, report, QDA export and the
Prefect run summary only ever see placeholders. The mapping (placeholder → original) goes to
``<out>/.private/<wave>/redaction_mapping.csv``, owner-only, outside the wave's outputs folder,
and is read back on the next run so placeholders stay the same.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline import schema as s
from pipeline.ingest import IngestResult
from pipeline.redact.engine import RedactConfig
from pipeline.redact.mapping import read_mapping, write_mapping
from pipeline.redact.stage import redact_documents

PRIVATE_DIR = ".private"  # beside the waves' outputs; never published, exported or stored
MAPPING_FILE = "redaction_mapping.csv"


def mapping_path(out_root: Path, wave: str) -> Path:
    """Where a wave's redaction mapping is kept."""
    return Path(out_root) / PRIVATE_DIR / wave / MAPPING_FILE


def redact_wave(ingested: IngestResult, out_root: Path, *, asked: bool = False) -> IngestResult:
    """``ingested`` with identifiers replaced, when the run or wave.yaml asks for it.

    Args:
        ingested: the wave as ingest read it.
        out_root: the output root; the mapping goes under its ``.private/`` folder.
        asked: the run's ``--redact``; wave.yaml's ``redact:`` asks too.

    Returns:
        The same wave (unchanged when not asked) with documents' text, the listed attribute
        columns and rejected rows' text redacted; a note says how many of each kind were
        replaced and where the mapping is. Counts and paths only: never an original.
    """
    settings = ingested.manifest.redact
    if not (asked or settings.enabled):
        return ingested
    wave = ingested.manifest.id
    path = mapping_path(out_root, wave)
    config = RedactConfig(keep=tuple(settings.keep))
    previous = read_mapping(path) if path.exists() else None
    documents = redact_documents(ingested.documents, wave=wave, columns=settings.columns,
                                 config=config, previous=previous)
    rejected = ingested.rejected
    mapping, counts = documents.mapping, dict(documents.counts)
    if len(rejected) and rejected[s.TEXT].notna().any():
        found = redact_documents(rejected, wave=wave, config=config, previous=mapping)
        rejected, mapping = found.documents, found.mapping
        counts = {k: counts.get(k, 0) + v for k, v in found.counts.items()}
    write_mapping(mapping, path)
    replaced = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()) if n) or "none"
    note = (f"redacted before anything was written: {replaced}; the key is in {path} "
            "(owner-only, never published)")
    return dataclasses.replace(ingested, documents=documents.documents, rejected=rejected,
                               notes=[*ingested.notes, note])
