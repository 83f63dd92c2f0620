"""A review import publishes the wave again: statuses, stances and tables follow the log."""

from __future__ import annotations

import pandas as pd
from support_review import coding, decisions, segment

from pipeline import schema as s
from pipeline.export import standing
from pipeline.outputs import database_of, read_wave
from pipeline.review.apply import refresh_outputs
from pipeline.review.log import append_decisions
from pipeline.stance import stances, wave_stances

ETE_GAP = "ETE support is not available locally."


def pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame[s.SEGMENT_ID], frame[s.CODE_ID], strict=True))


def test_an_import_gives_the_stances_of_the_codings_that_stand(mini_outputs, mini_codebook):
    gap = coding(mini_outputs, ETE_GAP, "employment_training")
    added = (segment(mini_outputs, ETE_GAP), "housing")
    before = read_wave(mini_outputs)
    append_decisions(database_of(mini_outputs), "mini-2013", decisions([
        (*gap, "rejected"), (*added, "added")]))
    refreshed = refresh_outputs(mini_outputs, mini_codebook)
    assert refreshed.statuses == {"human-added": 1, "machine": len(before.codings) - 1,
                                  "rejected": 1}
    wave = read_wave(mini_outputs)
    kept = standing(wave.codings)
    assert gap in pairs(wave.codings) and gap not in pairs(wave.stances)
    assert added in pairs(wave.stances)
    # the same as working every stance out again from the codings that stand
    pd.testing.assert_frame_equal(wave.stances, stances(wave.segments, kept,
                                                        parents=mini_codebook.parents()))
    assert wave.run.review.statuses == refreshed.statuses
    assert wave.run.accounting == before.run.accounting  # the run's own record is kept
    summary = wave.theme_summary.set_index([s.QUESTION_ID, s.CODE_ID])
    assert summary.loc[("q2_local_gaps", "employment_training"), s.MENTIONS] == 0


def test_only_segments_whose_codings_changed_are_parsed_again(mini_outputs, mini_codebook):
    wave = read_wave(mini_outputs)
    marker = "kept from the earlier publish"
    earlier = wave.stances.assign(**{s.STANCE_EVIDENCE: marker})
    per_segment = wave.codings[s.SEGMENT_ID].value_counts()
    changed = per_segment.index[per_segment >= 2][0]  # a segment with two codings loses one
    kept = wave.codings.drop(index=wave.codings.index[wave.codings[s.SEGMENT_ID] == changed][0])
    found = wave_stances(wave.segments, kept, mini_codebook,
                         earlier=(wave.codings, earlier))
    assert len(found) == len(wave.codings) - 1
    again = found[s.SEGMENT_ID] == changed
    assert again.any() and (found.loc[~again, s.STANCE_EVIDENCE] == marker).all()
    assert not (found.loc[again, s.STANCE_EVIDENCE] == marker).any()
    pd.testing.assert_frame_equal(found.drop(columns=s.STANCE_EVIDENCE),
                                  stances(wave.segments, kept,
                                          parents=mini_codebook.parents()).drop(
                                      columns=s.STANCE_EVIDENCE))


def test_decisions_logged_but_not_yet_published_are_completed_once(mini_outputs):
    from pipeline.review.apply import complete_review

    assert complete_review(mini_outputs, wait=0) is None  # up to date: nothing written
    gap = coding(mini_outputs, ETE_GAP, "employment_training")
    # logged, then killed before its publish (or logged while a run was coding the wave)
    append_decisions(database_of(mini_outputs), "mini-2013", decisions([(*gap, "rejected")]))
    assert read_wave(mini_outputs).run.review.log_size == 0
    done = complete_review(mini_outputs, wait=0)
    assert done is not None and done.statuses["rejected"] == 1
    wave = read_wave(mini_outputs)
    assert wave.run.review.log_size == 1 and gap not in pairs(standing(wave.codings))
    assert complete_review(mini_outputs, wait=0) is None
