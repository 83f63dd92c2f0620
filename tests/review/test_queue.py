"""The review queue on the mini wave's real codings."""

from __future__ import annotations

import pandas as pd

from pipeline import schema as s
from pipeline.review.queue import review_queue


def _wave(out):
    return pd.read_parquet(out / "codings.parquet"), pd.read_parquet(out / "segments.parquet")


def test_gated_then_poor_agreement_then_low_confidence_then_a_sample(mini_outputs_template):
    codings, segments = _wave(mini_outputs_template)
    codings.loc[codings[s.CODE_ID] == "mental_health_threshold", s.NEEDS_REVIEW] = True
    queue = review_queue(codings, segments, poor_agreement=["employment_training"],
                         low_confidence=0.85, sample_min=1, sample_share=0.0)
    reasons = queue[s.QUEUE_REASON].tolist()
    gated = (codings[s.CODE_ID] == "mental_health_threshold").sum()
    ete = (codings[s.CODE_ID] == "employment_training").sum()
    rest = codings[~codings[s.CODE_ID].isin(["mental_health_threshold", "employment_training"])]
    low = (rest[s.CONFIDENCE] < 0.85).sum()
    assert reasons == (["needs-review"] * gated + ["poor-agreement"] * ete
                       + ["low-confidence"] * low + ["quality-sample"])
    assert queue[s.PRIORITY].tolist() == list(range(1, len(queue) + 1))
    assert set(queue.loc[queue[s.QUEUE_REASON] == "needs-review", s.CODE_ID]) == {
        "mental_health_threshold"}
    sampled = queue[queue[s.QUEUE_REASON] == "quality-sample"].iloc[0]
    assert sampled[s.CONFIDENCE] >= 0.85
    assert sampled[s.TEXT] == segments.set_index(s.SEGMENT_ID).at[sampled[s.SEGMENT_ID], s.TEXT]


def test_decided_codings_leave_the_queue_and_the_sample_is_seeded(mini_outputs_template):
    codings, segments = _wave(mini_outputs_template)
    first = review_queue(codings, segments, sample_min=3)
    assert first.equals(review_queue(codings, segments, sample_min=3))
    decided = codings.assign(**{s.STATUS: "accepted"})
    assert review_queue(decided, segments).empty


def test_the_queue_holds_the_codings_and_segments_own_strings(mini_outputs_template):
    # The queue lives until publish beside the codings: its ids, evidence and passage texts
    # are those tables' objects, not copies (a million answers queue hundreds of thousands).
    codings, segments = _wave(mini_outputs_template)
    queue = review_queue(codings, segments, sample_min=3)
    first = queue.iloc[0]
    row = codings[(codings[s.SEGMENT_ID] == first[s.SEGMENT_ID])
                  & (codings[s.CODE_ID] == first[s.CODE_ID])].iloc[0]
    passage = segments.loc[segments[s.SEGMENT_ID] == first[s.SEGMENT_ID], s.TEXT].iloc[0]
    assert first[s.EVIDENCE] == row[s.EVIDENCE] and first[s.TEXT] == passage
    assert first[s.SEGMENT_ID] is row[s.SEGMENT_ID] and first[s.CODE_ID] is row[s.CODE_ID]
    assert first[s.EVIDENCE] is row[s.EVIDENCE] and first[s.TEXT] is passage


def test_made_in_blocks_the_queue_equals_one_made_whole_and_keeps_the_strings(
        mini_outputs_template):
    from pipeline.review.queue import _conformed

    codings, segments = _wave(mini_outputs_template)
    queue = review_queue(codings, segments, low_confidence=1.1)  # every coding queued
    unconformed = queue.astype(object)
    unconformed.loc[unconformed.index[1], s.NEEDS_REVIEW] = None  # one block holds a gap
    unconformed.loc[unconformed.index[2], s.EVIDENCE] = float("nan")
    whole = s.conform(unconformed, s.REVIEW_QUEUE)
    blocks = _conformed(unconformed, block_rows=2)
    assert len(queue) > 4  # several blocks
    pd.testing.assert_frame_equal(blocks, whole, check_exact=True)
    assert blocks.loc[2, s.EVIDENCE] is None and blocks.loc[1, s.NEEDS_REVIEW] is None
    last = len(queue) - 1  # the last block's strings are the frame's own too
    assert blocks.loc[last, s.TEXT] is unconformed.loc[unconformed.index[last], s.TEXT]
    assert blocks.loc[last, s.SEGMENT_ID] is unconformed.loc[unconformed.index[last],
                                                                s.SEGMENT_ID]
