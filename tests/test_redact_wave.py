"""The wave-level redaction stage: asked by the run or by wave.yaml, key kept apart."""

from __future__ import annotations

import dataclasses

import pandas as pd

from pipeline import schema as s
from pipeline.config import Redaction, WaveManifest
from pipeline.ingest import ingest_wave
from pipeline.redact.wave import mapping_path, redact_wave


def test_not_asked_changes_nothing(data_dir, tmp_path):
    ingested = ingest_wave(data_dir / "redact" / "wave")
    assert redact_wave(ingested, tmp_path) is ingested
    assert not (tmp_path / ".private").exists()


def test_wave_yaml_asks_without_the_run_flag(data_dir, tmp_path):
    ingested = ingest_wave(data_dir / "redact" / "wave")
    manifest = ingested.manifest.model_copy(update={"redact": Redaction(keep=["Albert"])})
    done = redact_wave(dataclasses.replace(ingested, manifest=manifest), tmp_path)
    said = " ".join(done.documents[s.TEXT])
    assert "Chidi Okafor" not in said and "[PERSON_" in said and "LS6 2AB" not in said
    assert len(done.documents) == len(ingested.documents)
    assert done.notes[-1].startswith("redacted before anything was written: ")
    assert "Chidi" not in done.notes[-1]  # counts and the key's path only
    mapping = pd.read_csv(mapping_path(tmp_path, manifest.id))
    assert set(mapping[s.WAVE]) == {manifest.id}


def test_redact_in_wave_yaml_may_be_a_bare_true():
    manifest = WaveManifest.model_validate({"id": "w", "redact": True, "sources": [
        {"kind": "interview", "file": "a.txt"}]})
    assert manifest.redact.enabled and manifest.redact.keep == []
    assert not WaveManifest.model_validate({"id": "w", "sources": [
        {"kind": "interview", "file": "a.txt"}]}).redact.enabled
