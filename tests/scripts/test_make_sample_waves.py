"""The bundled sample waves: generated deterministically, and read in full by ingest."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import schema as s
from pipeline.ingest import ingest_wave

ROOT = Path(__file__).resolve().parents[2]


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generator_reproduces_the_committed_corpora_byte_for_byte(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_sample_waves.py"),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    for wave in ("sector-survey-2013", "sector-survey-2014", "sector-survey-2015"):
        generated, committed = digests(tmp_path / wave), digests(ROOT / "corpora" / wave)
        assert generated == {name: committed.get(name) for name in generated}
        # Hand-written files (the human-coded gold sample and the sidecar saying what it is)
        # are the only others in the folder.
        assert set(committed) - set(generated) <= {"gold.csv", "gold.provenance.yaml"}


@pytest.mark.parametrize("wave, services, interviews", [
    ("sector-survey-2013", 170, 10), ("sector-survey-2014", 160, 8),
    ("sector-survey-2015", 175, 10)])
def test_sample_wave_is_read_in_full(wave, services, interviews):
    result = ingest_wave(ROOT / "corpora" / wave)
    # survey rows (services + 3 duplicates + 1 blank id) x 5 questions, plus one per interview
    assert result.items_in == (services + 4) * 5 + interviews
    assert result.items_in == len(result.documents) + len(result.rejected)
    assert set(result.rejected[s.REASON]) == {"empty", "non-answer", "duplicate"}
    assert (result.documents[s.KIND] == "interview").sum() == interviews
    assert not result.rejected[s.REASON].eq("unreadable").any()


def test_naloxone_is_planted_in_2015_only_and_no_code_matches_it():
    """The theme new-theme detection must find: only in 2015, outside the codebook."""
    from pipeline.coding import RuleCoder
    from pipeline.config import load_codebook
    from pipeline.segment import segment_documents

    counts = {}
    for wave in ("sector-survey-2013", "sector-survey-2014", "sector-survey-2015"):
        documents = ingest_wave(ROOT / "corpora" / wave).documents
        counts[wave] = int(documents[s.TEXT].str.contains("naloxone", case=False).sum())
    assert counts["sector-survey-2013"] == counts["sector-survey-2014"] == 0
    assert counts["sector-survey-2015"] >= 60
    segments = segment_documents(documents)
    planted = segments[segments[s.TEXT].str.contains("naloxone", case=False)]
    book = load_codebook(ROOT / "models" / "codebooks" / "recovery-capital.yaml")
    codings = RuleCoder(book).code(planted)
    assert len(codings) / len(planted) < 0.1  # only where a sentence also names a coded theme
