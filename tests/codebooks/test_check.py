"""The codebook check on real published outputs: counts, overlaps, patterns, near misses."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from support_check import CHECK_CODEBOOK, publish_check_wave, segment_of

from pipeline import schema as s
from pipeline.codebooks.check import CheckSettings, check_codebook
from pipeline.codebooks.check_report import check_markdown, output_kind, write_check
from pipeline.config import load_codebook
from pipeline.embeddings import MiniLMEmbedder
from pipeline.errors import InputError, MissingInputError
from pipeline.outputs import read_wave


@pytest.fixture(scope="module")
def check_outputs(tmp_path_factory):
    """The check wave (16 answers) coded with codebook-check.yaml and published."""
    return publish_check_wave(tmp_path_factory.mktemp("check") / "outputs" / "check-2014")


@pytest.fixture(scope="module")
def embedder():
    return MiniLMEmbedder()


@pytest.fixture(scope="module")
def wave_check(check_outputs, embedder):
    return check_codebook(check_outputs, load_codebook(CHECK_CODEBOOK), embedder)


def _code(check, code_id):
    return next(c for c in check.codes if c.code_id == code_id)


def test_segment_counts_are_the_published_codings(mini_outputs_template, mini_codebook,
                                                   embedder):
    check = check_codebook(mini_outputs_template, mini_codebook, embedder)
    codings = pd.read_parquet(mini_outputs_template / "codings.parquet")
    published = codings.groupby(s.CODE_ID)[s.SEGMENT_ID].nunique().to_dict()
    counts = {c.code_id: c.segments for c in check.codes}
    assert counts == {code_id: published.get(code_id, 0) for code_id in counts}
    assert counts == {"housing": 4, "housing_gap": 2, "employment_training": 2,
                      "mental_health": 1, "mental_health_threshold": 1}
    # The same codebook's patterns match exactly what the rule coder coded.
    assert {c.code_id: c.matched_segments for c in check.codes} == counts
    gap = _code(check, "housing_gap").patterns[0]
    assert (gap.pattern, gap.kind, gap.segments) == ("housing_gap:shortage", "tokens", 2)
    assert gap.matched_words == [("lack of supported housing", 1), ("no dry housing", 1)]
    assert _code(check, "housing").respondents == 3  # S001, the row without an id, CE01 (twice)
    assert not check.codebook_differs and check.notes == []
    assert check.coder == "rules"  # as the run record names it


def test_parent_and_child_overlap_is_listed_but_never_called_redundant(
        mini_outputs_template, mini_codebook, embedder):
    check = check_codebook(mini_outputs_template, mini_codebook, embedder)
    pair = next(o for o in check.overlaps if (o.code_a, o.code_b) == ("housing", "housing_gap"))
    assert (pair.together, pair.jaccard, pair.related) == (2, 0.5, True)  # 2 of 4 segments
    assert not pair.possibly_redundant


def test_codes_sharing_most_segments_are_flagged_possibly_redundant(wave_check):
    pair = next(o for o in wave_check.overlaps if {o.code_a, o.code_b} == {"delays", "waiting"})
    assert (pair.together, pair.jaccard, pair.related, pair.possibly_redundant) == (
        3, 0.75, False, True)
    assert [o for o in wave_check.overlaps if o.possibly_redundant] == [pair]


def test_patterns_that_never_match_are_listed(wave_check):
    waiting = _code(wave_check, "waiting")
    assert [(p.pattern, p.segments) for p in waiting.patterns] == [
        ("waiting:waiting list", 3), ("waiting:waiting times", 0)]
    assert [p.pattern for p in waiting.unmatched_patterns] == ["waiting:waiting times"]
    assert wave_check.to_dict()["codes"][3]["unmatched_patterns"] == ["waiting:waiting times"]
    assert _code(wave_check, "housing").unmatched_patterns == []


def test_an_edited_codebook_is_matched_and_the_difference_said(mini_outputs_template,
                                                               embedder, tmp_path):
    edited = tmp_path / "mini-edited.yaml"
    text = (CHECK_CODEBOOK.parent / "codebook-mini.yaml").read_text(encoding="utf-8")
    edited.write_text(text.replace("stance_cues: ../../models/stance/cues.yaml", "").replace(
        "      - ETE\n", "      - ETE\n      - zebra crossing warden\n"), encoding="utf-8")
    check = check_codebook(mini_outputs_template, load_codebook(edited), embedder)
    employment = _code(check, "employment_training")
    assert [p.pattern for p in employment.unmatched_patterns] == [
        "employment_training:zebra crossing warden"]
    assert employment.segments == 2 and employment.matched_segments == 2
    assert check.codebook_differs
    assert check.wave_codebook["sha256"] != check.codebook["sha256"]
    assert "differs from the one the wave was coded with" in check.notes[0]


def test_a_paraphrase_without_the_patterns_is_a_near_miss_with_a_pattern_for_it(
        wave_check, check_outputs):
    housing = _code(wave_check, "housing")
    homeless = {segment_of(check_outputs, "Too many of our clients end up homeless"),
                segment_of(check_outputs, "A homeless client has nowhere to stay")}
    assert homeless <= {n.segment_id for n in housing.near_misses[:3]}
    matched = {segment_of(check_outputs, "There is no supported housing"),
               segment_of(check_outputs, "Accommodation in the borough")}
    assert not matched & {n.segment_id for n in housing.near_misses}
    assert all(0.35 <= n.similarity <= 1 and not n.coded_in_wave for n in housing.near_misses)
    suggestion = next(g for g in housing.suggestions if g.pattern == "homeless")
    assert (suggestion.yaml, suggestion.near_misses, suggestion.segments,
            suggestion.new_segments) == ('"homeless"', 2, 2, 2)
    assert suggestion.near_share == 1.0 and suggestion.score > 0


def test_an_answer_no_code_covers_given_again_and_again_is_listed(wave_check):
    # C17 and C18 differ only in case, spacing and the closing full stop
    assert wave_check.uncoded_repeats == [("Not sure what to say here.", 2)]


def test_stricter_settings_leave_fewer_near_misses(check_outputs, embedder):
    check = check_codebook(check_outputs, load_codebook(CHECK_CODEBOOK), embedder,
                           settings=CheckSettings(min_similarity=0.99, near_misses=1))
    assert all(c.near_misses == [] and c.suggestions == [] for c in check.codes)


def test_the_check_is_written_as_json_or_markdown(wave_check, tmp_path):
    data = json.loads(write_check(wave_check, tmp_path / "check.json").read_text("utf-8"))
    assert data["wave"] == "check-2014" and data["segments_checked"] == 18
    assert data["codes"][0]["code_id"] == "housing"
    page = write_check(wave_check, tmp_path / "check.md").read_text("utf-8")
    assert page == check_markdown(wave_check)
    assert "| delays | waiting | 3 | 0.75 | possibly redundant |" in page
    assert "| waiting | 3 | 3 | 3 | 2 | waiting times |" in page
    assert '- "homeless"  # 2 near misses; would match 2 segments, 2 new' in page
    with pytest.raises(InputError, match=r"check\.txt: the check is written as \.json or \.md"):
        output_kind(tmp_path / "check.txt")


def test_a_folder_that_is_not_a_wave_is_named(tmp_path):
    with pytest.raises(MissingInputError, match="no such folder"):
        check_codebook(tmp_path / "nowhere", load_codebook(CHECK_CODEBOOK), MiniLMEmbedder())
    assert read_wave  # the check reads outputs only through read_wave
