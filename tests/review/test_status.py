"""Statuses from the review log on the mini wave's real codings."""

from __future__ import annotations

import numpy as np
import pandas as pd
from support_review import coding, decisions, segment

from pipeline import schema as s
from pipeline.export.tables import standing
from pipeline.review.status import apply_decisions, latest_decisions


def _log(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(**{s.IMPORTED_AT: "2024-03-10T00:00:00",
                           s.LOG_SEQ: range(1, len(frame) + 1)})


def test_decisions_set_statuses_and_additions_become_rows(mini_outputs_template):
    out = mini_outputs_template
    codings = pd.read_parquet(out / "codings.parquet")
    segments = pd.read_parquet(out / "segments.parquet")
    gap = coding(out, "Most needs are met", "housing_gap")
    housing = coding(out, "Most needs are met", "housing")
    budget = segment(out, "Our budget was cut")
    log = _log(decisions([(*gap, "accepted"), (*housing, "rejected"),
                          (budget, "employment_training", "added")]))
    applied = apply_decisions(codings, segments, log)
    table = applied.codings.set_index([s.SEGMENT_ID, s.CODE_ID])
    assert table.loc[gap, s.STATUS] == "accepted"
    assert table.loc[housing, s.STATUS] == "rejected"
    added = table.loc[(budget, "employment_training")]
    assert (added[s.STATUS], added[s.METHOD], added[s.CODER]) == (
        "human-added", "human", "reviewer:Ann")
    assert added[s.EVIDENCE].startswith("Our budget was cut")  # no passage given: the segment
    assert applied.problems == []
    assert applied.counts() == {"accepted": 1, "human-added": 1,
                                "machine": len(codings) - 2, "rejected": 1}
    assert len(standing(applied.codings)) == len(codings)  # one rejected, one added
    # applying the same log to the result gives the same table: nothing is added twice
    again = apply_decisions(applied.codings, segments, log)
    pd.testing.assert_frame_equal(again.codings, applied.codings)
    # both are held to publish: the statused table holds the given one's strings, not copies
    assert all(a is b for a, b in zip(again.codings[s.SEGMENT_ID],
                                      applied.codings[s.SEGMENT_ID], strict=True))
    untouched = apply_decisions(codings, segments, log.iloc[:0])
    pd.testing.assert_frame_equal(untouched.codings, s.conform(codings.assign(
        **{s.STATUS: s.STATUS_MACHINE}), s.CODINGS), check_exact=True)
    assert all(a is b for a, b in zip(untouched.codings[s.EVIDENCE], codings[s.EVIDENCE],
                                      strict=True))


def test_a_first_runs_codings_under_an_empty_log_are_kept_as_they_are(waves_dir, mini_codebook):
    from pipeline.coding import RuleCoder
    from pipeline.coding.stream import combine_chunks, document_chunks, segment_and_code
    from pipeline.ingest import ingest_wave

    documents = ingest_wave(waves_dir / "mini-wave").documents
    coded = combine_chunks([segment_and_code(chunk, RuleCoder(mini_codebook))
                            for chunk in document_chunks(documents, 2)])
    empty = s.empty(s.STORED_REVIEW_LOG)
    applied = apply_decisions(coded.codings, coded.segments, empty)
    assert applied.codings is coded.codings  # no second copy held to publish
    assert applied.counts() == {"machine": len(coded.codings)} and len(coded.codings) >= 10
    # the same table as the full path gives: machine status, schema order and types
    pd.testing.assert_frame_equal(applied.codings, s.conform(coded.codings.assign(
        **{s.STATUS: s.STATUS_MACHINE}), s.CODINGS), check_exact=True)
    # codings that carry earlier decisions are not: their statuses go back to the machine's
    reviewed = coded.codings.assign(**{s.STATUS: ["accepted"] + [s.STATUS_MACHINE] * (
        len(coded.codings) - 1)})
    reset = apply_decisions(reviewed, coded.segments, empty).codings
    assert reset is not reviewed and set(reset[s.STATUS]) == {s.STATUS_MACHINE}


def test_the_latest_decision_stands_and_a_reviewer_can_change_their_mind(mini_outputs_template):
    out = mini_outputs_template
    housing = coding(out, "Most needs are met", "housing")
    log = _log(decisions([(*housing, "rejected", "Ann", "2024-03-01T10:00:00"),
                          (*housing, "accepted", "Bob", "2024-03-02T10:00:00"),
                          (*housing, "rejected", "Ann", "2024-03-03T10:00:00")]))
    per_reviewer = latest_decisions(log, per_reviewer=True)
    assert sorted(zip(per_reviewer[s.REVIEWER], per_reviewer[s.DECISION], strict=False)) == [
        ("Ann", "rejected"), ("Bob", "accepted")]
    applied = apply_decisions(pd.read_parquet(out / "codings.parquet"),
                              pd.read_parquet(out / "segments.parquet"), log)
    assert applied.codings.set_index([s.SEGMENT_ID, s.CODE_ID]).loc[housing, s.STATUS] == \
        "rejected"


def test_decisions_this_run_cannot_place_are_reported_not_dropped(mini_outputs_template):
    out = mini_outputs_template
    log = _log(decisions([("gone-segment", "housing", "accepted"),
                          (segment(out, "Our budget was cut"), "housing", "rejected")]))
    applied = apply_decisions(pd.read_parquet(out / "codings.parquet"),
                              pd.read_parquet(out / "segments.parquet"), log)
    assert len(applied.problems) == 2
    assert "no such segment" in applied.problems[0] and "gone-segment" in applied.problems[0]
    assert "no longer makes this coding" in applied.problems[1]
    assert set(applied.codings[s.STATUS]) == {"machine"}


def test_standing_shares_the_codings_when_none_is_rejected(mini_outputs_template):
    codings = pd.read_parquet(mini_outputs_template / "codings.parquet")
    kept = standing(codings)
    pd.testing.assert_frame_equal(kept, codings, check_exact=True)
    assert kept is not codings  # a column set on one does not reach the other
    assert np.shares_memory(kept[s.START].to_numpy(), codings[s.START].to_numpy())  # no copy
    kept["extra"] = 1
    assert "extra" not in codings.columns
    rejected = codings.assign(**{s.STATUS: [s.STATUS_REJECTED] + [None] * (len(codings) - 1)})
    left = standing(rejected)
    assert len(left) == len(codings) - 1 and list(left.index) == list(range(len(left)))
    pd.testing.assert_frame_equal(left, rejected.iloc[1:].reset_index(drop=True))
