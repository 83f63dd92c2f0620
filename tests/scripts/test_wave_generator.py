"""The benchmark wave generator: reproducible, varied text, and a wave the pipeline reads whole."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.wave_generator import ROOT, size_of, write_wave
from pipeline import schema as s
from pipeline.config import load_wave_manifest
from pipeline.ingest import ingest_wave
from pipeline.segment import segment_documents


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def wave(tmp_path_factory):
    return write_wave(1000, tmp_path_factory.mktemp("bench"), seed=7)


def test_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path, wave):
    again = write_wave(1000, tmp_path / "again", seed=7)
    other = write_wave(1000, tmp_path / "other", seed=8)
    assert digests(Path(again.folder)) == digests(Path(wave.folder))
    assert again == wave.__class__(**(wave.__dict__ | {"folder": again.folder}))
    assert digests(Path(other.folder))["survey.csv"] != digests(Path(wave.folder))["survey.csv"]


def test_the_wave_loads_through_the_manifest_and_its_counts_add_up(wave):
    manifest = load_wave_manifest(Path(wave.folder) / "wave.yaml")
    assert manifest.id == wave.wave_id == "bench-1k-s7"
    assert [q.id for q in manifest.sources[0].questions][:2] == ["q1_needs_met", "q2_local_gaps"]
    result = ingest_wave(Path(wave.folder))
    assert wave.respondents * 5 == wave.answers == 1000 == result.items_in
    assert len(result.documents) + len(result.rejected) == wave.answers
    reasons = result.rejected[s.REASON].value_counts().to_dict()
    assert reasons.get(s.REASON_EMPTY, 0) == wave.blank > 0
    # the sample waves' non-answers: "N/A", "see above" ... rejected; "nothing to add" is
    # not on ingest's list, so it is kept as an answer
    kept = int(result.documents[s.TEXT].eq("nothing to add").sum())
    assert reasons.get(s.REASON_NON_ANSWER, 0) + kept == wave.non_answers
    assert reasons.get(s.REASON_NON_ANSWER, 0) > 0
    assert set(reasons) == {s.REASON_EMPTY, s.REASON_NON_ANSWER}
    assert result.documents[s.RESPONDENT_ID].nunique() <= wave.respondents


def test_text_is_varied_so_caches_of_repeated_sentences_do_not_flatter(wave):
    result = ingest_wave(Path(wave.folder))
    segments = segment_documents(result.documents)
    distinct = segments[s.TEXT].nunique() / len(segments)
    assert distinct > 0.9  # the pipeline's own sentences, not the generator's count
    assert wave.distinct_share > 0.9 and 2 * len(result.documents) < wave.sentences
    lengths = result.documents[s.TEXT].str.len()
    assert lengths.min() < 80 and lengths.max() > 600  # one sentence up to seven
    survey = pd.read_csv(Path(wave.folder) / "survey.csv", dtype=str)
    assert survey["service_id"].is_unique and len(survey) == wave.respondents


def test_sizes_read_as_people_write_them_and_the_repository_is_refused(tmp_path):
    assert [size_of(x) for x in ("1k", "10K", "100k", "1m", "2500")] == \
        [1000, 10_000, 100_000, 1_000_000, 2500]
    with pytest.raises(SystemExit, match="outside the repository"):
        write_wave(10, ROOT / "outputs" / "bench")
    assert not (ROOT / "outputs" / "bench").exists()
