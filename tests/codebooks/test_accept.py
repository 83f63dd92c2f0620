"""Accepting a candidate code: it moves into the codebook YAML, whose version goes up."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.codebooks.accept import accept_candidate, bump_version
from pipeline.codebooks.candidates import (
    Candidate,
    CandidatesFile,
    Exemplar,
    candidates_path,
    read_candidates,
    write_candidates,
)
from pipeline.coding import RuleCoder
from pipeline.config import Pattern, load_codebook
from pipeline.errors import ConfigError, InputError

BOOK = """# A codebook a researcher keeps: these comments must survive an acceptance.
id: team
version: "1.4"  # bumped by hand until now
title: Team codebook
codes:
  # housing first, as agreed at the May meeting
  - id: housing
    label: Housing
    definition: Accommodation for people in treatment.
    patterns:
      - housing
"""


def _candidate(code_id: str = "naloxone_kit") -> Candidate:
    return Candidate(
        id=code_id, label="Naloxone and kit", definition="DRAFT, to revise: naloxone kits.",
        wave="w-2015", topic_id=12, new_in_wave=True, words=["naloxone", "kit", "heroin"],
        topic_segments=40, would_code=38, would_code_in_topic=35,
        patterns=[Pattern(phrase="naloxone", attr="LEMMA"), Pattern(phrase="kit", attr="LEMMA")],
        exemplars=[Exemplar(segment_id="s1", text="Kits are handed out.")])


@pytest.fixture()
def codebook_file(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(BOOK, encoding="utf-8")
    write_candidates(candidates_path(path), CandidatesFile(
        codebook="team", codebook_version="1.4",
        candidates=[_candidate(), _candidate("staff_turnover")]))
    return path


def test_bump_version():
    assert bump_version("1.0") == "1.1"
    assert bump_version("1.9") == "1.10"
    assert bump_version("2") == "2.1"
    assert bump_version("v3-draft") == "v3-draft.1"


def test_accept_moves_the_candidate_in_and_bumps_the_version(codebook_file):
    done = accept_candidate(codebook_file, "naloxone_kit")
    assert (done.old_version, done.new_version) == ("1.4", "1.5")
    text = codebook_file.read_text(encoding="utf-8")
    assert text.startswith("# A codebook a researcher keeps")
    assert "# housing first, as agreed at the May meeting" in text
    assert 'version: "1.5"  # bumped by hand until now' in text
    assert "Kits are handed out" not in text  # exemplars stay in the candidates file
    book = load_codebook(codebook_file)
    assert book.code_ids() == ["housing", "naloxone_kit"]
    code = book.codes[1]
    assert code.label == "Naloxone and kit" and code.definition.startswith("DRAFT")
    assert [(p.phrase, p.attr) for p in code.patterns] == [("naloxone", "LEMMA"),
                                                          ("kit", "LEMMA")]
    left = read_candidates(candidates_path(codebook_file))
    assert [c.id for c in left.candidates] == ["staff_turnover"]
    assert left.codebook_version == "1.5"
    # the accepted code codes: "kits" is matched by its lemma
    segments = pd.DataFrame({s.SEGMENT_ID: ["a", "b"], s.DOCUMENT_ID: ["a", "b"],
                             s.WAVE: "w", s.START: 0, s.END: 10, s.SPEAKER: None,
                             s.CONTEXT: None,
                             s.TEXT: ["We hand out kits to everyone.", "Housing is short."]})
    codings = RuleCoder(book).code(s.conform(segments, s.SEGMENTS))
    assert set(zip(codings[s.SEGMENT_ID], codings[s.CODE_ID], strict=True)) == {
        ("a", "naloxone_kit"), ("b", "housing")}


def test_unknown_candidate_names_the_file_and_the_candidates(codebook_file):
    with pytest.raises(ConfigError, match=r"team\.candidates\.yaml: no candidate 'nope' "
                       r"\(candidates: naloxone_kit, staff_turnover\)"):
        accept_candidate(codebook_file, "nope")
    assert load_codebook(codebook_file).version == "1.4"


def test_a_candidate_the_codebook_already_has_is_refused(codebook_file):
    accept_candidate(codebook_file, "naloxone_kit")
    write_candidates(candidates_path(codebook_file), CandidatesFile(
        codebook="team", codebook_version="1.5", candidates=[_candidate()]))
    with pytest.raises(ConfigError, match=r"team\.yaml: already has a code 'naloxone_kit'"):
        accept_candidate(codebook_file, "naloxone_kit")


def test_codes_not_last_is_refused_without_touching_the_file(codebook_file):
    text = BOOK.replace('title: Team codebook\n', '') + "title: Team codebook\n"
    codebook_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"team\.yaml: 'codes' is not the last key"):
        accept_candidate(codebook_file, "naloxone_kit")
    assert codebook_file.read_text(encoding="utf-8") == text


def test_a_broken_candidates_file_names_the_file_and_field(codebook_file):
    path = candidates_path(codebook_file)
    path.write_text("codebook: team\ncodebook_version: '1'\ncandidates:\n  - id: Bad Id\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"team\.candidates\.yaml: not a candidates file: "
                       r"candidates\.0\.id"):
        accept_candidate(codebook_file, "x")
    path.unlink()
    with pytest.raises(InputError, match=r"team\.candidates\.yaml: no such file"):
        accept_candidate(codebook_file, "x")
