"""A retrained model beside the wave's codes (``pipeline/review/model_shift.py``).

The patient-comments wave, five times over (45 segments), is coded by the rules. A coder whose
parking rule also takes "the" gives parking to 25 of the segments where the wave's rules gave
it to 10; the other codes keep their shares, and only parking is named. In the wave as it is
(9 segments) the same change is 3 segments: too few to name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import yaml
from support_review import DATA, publish_folder, write_comments_outputs

from pipeline import schema as s
from pipeline.coding.rules import RuleCoder
from pipeline.config import Codebook, load_codebook
from pipeline.outputs import read_wave
from pipeline.review.model_shift import model_shift, sampled_segments, shift_warning

BOOK = load_codebook(DATA / "codebook-comments.yaml")
WAVE = DATA / "waves" / "comments-wave"


def _wider_parking() -> Codebook:
    raw = yaml.safe_load((DATA / "codebook-comments.yaml").read_text(encoding="utf-8"))
    raw["codes"][0]["patterns"].append("the")  # the parking code
    return Codebook.model_validate(raw)


def _five_times(folder: Path) -> Path:
    """The comments wave's folder with every answer given by five respondents."""
    folder.mkdir()
    shutil.copy(WAVE / "wave.yaml", folder / "wave.yaml")
    answers = pd.read_csv(WAVE / "survey.csv", dtype=str)
    pd.concat([answers.assign(comment_id=answers["comment_id"] + f"-{n}") for n in range(5)]
              ).to_csv(folder / "survey.csv", index=False)
    return folder


def test_a_code_given_far_more_often_is_named_with_its_shares(tmp_path):
    wave_dir = _five_times(tmp_path / "wave")
    publish_folder(wave_dir, tmp_path / "comments-2024", BOOK, DATA / "codebook-comments.yaml")
    shift = model_shift(read_wave(tmp_path / "comments-2024"), RuleCoder(_wider_parking()), BOOK)
    assert shift.columns.tolist() == s.MODEL_SHIFT.names
    rows = shift.set_index(s.CODE_ID)
    assert rows[s.SAMPLED].tolist() == [45, 45, 45]
    assert rows.loc["parking", [s.BEFORE_SHARE, s.AFTER_SHARE]].tolist() == [0.2222, 0.5556]
    assert rows.loc["staff_manner", [s.BEFORE_SHARE, s.AFTER_SHARE]].tolist() == [0.4444] * 2
    assert rows.loc["food_drink", [s.BEFORE_SHARE, s.AFTER_SHARE]].tolist() == [0.1111] * 2
    assert rows[s.SHIFTED].tolist() == [True, False, False]
    assert shift_warning(shift).startswith(
        "the new model codes 1 code(s) at a very different rate from the wave's coder, on 45 "
        "of the wave's segments: parking 22% → 56%. That may be what the review taught it")


def test_in_a_small_wave_a_few_segments_are_not_named(tmp_path):
    wave = read_wave(write_comments_outputs(tmp_path / "comments-2024", BOOK))
    shift = model_shift(wave, RuleCoder(_wider_parking()), BOOK).set_index(s.CODE_ID)
    assert shift.loc["parking", [s.SAMPLED, s.BEFORE_SHARE, s.AFTER_SHARE]].tolist() == [
        9, 0.2222, 0.5556]
    assert not shift[s.SHIFTED].any()


def test_the_same_coder_moves_nothing(tmp_path):
    wave = read_wave(write_comments_outputs(tmp_path / "comments-2024", BOOK))
    shift = model_shift(wave, RuleCoder(BOOK), BOOK)
    assert (shift[s.BEFORE_SHARE] == shift[s.AFTER_SHARE]).all()
    assert shift_warning(shift) is None


def test_the_sample_is_seeded_in_the_waves_order_and_carries_the_attributes(
        mini_outputs, mini_codebook):
    wave = read_wave(mini_outputs)
    first, again = (sampled_segments(wave, size=5, seed=0) for _ in range(2))
    assert first[s.SEGMENT_ID].tolist() == again[s.SEGMENT_ID].tolist()
    assert len(first) == 5
    order = {sid: i for i, sid in enumerate(wave.segments[s.SEGMENT_ID])}
    positions = [order[sid] for sid in first[s.SEGMENT_ID]]
    assert positions == sorted(positions)
    attributes = [c for c in wave.documents.columns if c not in s.DOCUMENTS.names]
    assert attributes and set(attributes) <= set(first.columns)
    by_document = wave.documents.set_index(s.DOCUMENT_ID)[attributes[0]]
    assert first[attributes[0]].tolist() == by_document[first[s.DOCUMENT_ID]].tolist()
    everything = sampled_segments(wave, size=10_000)
    assert len(everything) == int((~wave.segments[s.FILLER].fillna(False).astype(bool)
                                   & (wave.segments[s.ROLE] != s.ROLE_INTERVIEWER)).sum())
