"""The review queue: which undecided machine codings a reviewer should look at first.

In order: codings of codes whose measured agreement is below the gate (``needs_review``); codings
of codes reviewers have since disagreed with the machine on (poor agreement in the review
agreement table); low-confidence codings; then a seeded random sample of the confident rest, so
the codings nobody is steered to are checked too. Within a group, least confident first.

Ordered for learning (``active``: what a trained model and the rules say, see
:mod:`pipeline.review.active_queue`), codings the model and the rules disagree on form their own
group after the two agreement groups, and within every group the codings that would teach the
model most come first (disputed, then uncertain, one embedding cluster after another) instead
of the least confident. The groups, and so what the gate and the reviewers' disagreement put
first, stay as they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.interning import share_strings
from pipeline.review.active_queue import CoderSignals, active_order, disputed

LOW_CONFIDENCE = 0.7
SAMPLE_SHARE = 0.05  # of the confident codings left, at least SAMPLE_MIN of them
SAMPLE_MIN = 10


def review_queue(codings: pd.DataFrame, segments: pd.DataFrame, *,
                 poor_agreement: list[str] = (), low_confidence: float = LOW_CONFIDENCE,
                 sample_share: float = SAMPLE_SHARE, sample_min: int = SAMPLE_MIN,
                 seed: int = 0, active: CoderSignals | None = None) -> pd.DataFrame:
    """Rank the codings still awaiting a decision (``status == machine``).

    Args:
        codings: the wave's codings with statuses.
        segments: the wave's segments (for the passage text).
        poor_agreement: codes reviewers disagreed with the machine on.
        low_confidence: codings below this confidence are queued as low-confidence.
        sample_share: share of the confident codings drawn for quality control.
        sample_min: draw at least this many (or all there are).
        seed: the sample's seed (the same queue on every run).
        active: a trained model's and the rules' view of the codings
            (:func:`pipeline.review.active_queue.coder_signals`): order for learning.

    Returns:
        schema.REVIEW_QUEUE rows, priority 1 first; confident codings outside the sample are
        not queued.
    """
    # The reasons are worked out on the columns they read, and only queued rows are copied
    # whole: on a first run every coding waits, and copies of them all were a large wave's
    # review peak.
    at = np.flatnonzero(codings[s.STATUS].fillna(s.STATUS_MACHINE) == s.STATUS_MACHINE)
    if not len(at):
        return s.empty(s.REVIEW_QUEUE)
    waiting = codings[[s.SEGMENT_ID, s.CODE_ID, s.CONFIDENCE, s.NEEDS_REVIEW]].iloc[at]
    poor = waiting[s.CODE_ID].isin(list(poor_agreement))
    low = waiting[s.CONFIDENCE].fillna(0) < low_confidence
    needs = waiting[s.NEEDS_REVIEW].fillna(False).astype(bool)
    split = disputed(waiting, active) if active is not None else np.zeros(len(waiting), bool)
    reasons = pd.Series(np.select(
        [needs, poor, split, low], [s.QUEUE_NEEDS_REVIEW, s.QUEUE_POOR_AGREEMENT,
                                    s.QUEUE_CODERS_DISAGREE, s.QUEUE_LOW_CONFIDENCE],
        default=""), index=at, dtype=object)  # indexed by row position
    del waiting
    rest = reasons[reasons == ""]
    size = min(len(rest), max(sample_min, int(round(len(rest) * sample_share))))
    sample = rest.sample(n=size, random_state=seed).index if size else []
    reasons.loc[sample] = s.QUEUE_QUALITY_SAMPLE
    reasons = reasons[reasons != ""]
    # Only the columns the queue shows: the queue is held to publish beside the codings.
    shown = [codings.columns.get_loc(c) for c in s.REVIEW_QUEUE.names if c in codings.columns]
    queued = codings.iloc[reasons.index.to_numpy(), shown].copy()
    queued[s.QUEUE_REASON] = reasons.to_numpy()
    order = {reason: i for i, reason in enumerate(
        (s.QUEUE_NEEDS_REVIEW, s.QUEUE_POOR_AGREEMENT, s.QUEUE_CODERS_DISAGREE,
         s.QUEUE_LOW_CONFIDENCE, s.QUEUE_QUALITY_SAMPLE))}
    queued["_group"] = queued[s.QUEUE_REASON].map(order)
    queued = queued.sort_values(["_group", s.CONFIDENCE, s.SEGMENT_ID, s.CODE_ID], kind="stable")
    if active is not None:  # within each group, what teaches the model most first
        queued = pd.concat([group.iloc[active_order(group, active)]
                            for _, group in queued.groupby("_group", sort=True)])
    queued[s.PRIORITY] = range(1, len(queued) + 1)
    # The queued segments' texts, looked up among those segments only: an index over every
    # segment took 176 MB at a million answers.
    wanted = segments[s.SEGMENT_ID].isin(queued[s.SEGMENT_ID]).to_numpy()
    text = segments.loc[wanted, [s.SEGMENT_ID, s.TEXT]].set_index(s.SEGMENT_ID)[s.TEXT]
    queued[s.TEXT] = queued[s.SEGMENT_ID].map(text)
    # conform makes each string anew through Arrow; the queue keeps the codings' and the
    # segments' own instead of copies of them
    return share_strings(s.conform(queued, s.REVIEW_QUEUE), queued,
                         {column: column for column in (s.SEGMENT_ID, s.CODE_ID, s.TEXT,
                                                        s.EVIDENCE, s.QUEUE_REASON)})
