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
BLOCK_ROWS = 65_536  # queued rows made through Arrow at a time

# Queue reasons, in the order their groups come (reason code 1 = the first)
_REASONS = (s.QUEUE_NEEDS_REVIEW, s.QUEUE_POOR_AGREEMENT, s.QUEUE_CODERS_DISAGREE,
            s.QUEUE_LOW_CONFIDENCE, s.QUEUE_QUALITY_SAMPLE)


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
    # The reasons are worked out as arrays over the waiting codings' positions, and only queued
    # rows are copied whole: on a first run every coding waits, and frames of them all (a
    # reason string per coding, indexed by its position) were a large wave's review peak.
    status = codings[s.STATUS]
    at = np.flatnonzero(status.isna().to_numpy()
                        | (status.to_numpy(dtype=object) == s.STATUS_MACHINE))
    if not len(at):
        return s.empty(s.REVIEW_QUEUE)
    needs = codings[s.NEEDS_REVIEW].fillna(False).astype(bool).to_numpy()[at]
    poor = codings[s.CODE_ID].isin(list(poor_agreement)).to_numpy()[at]
    low = codings[s.CONFIDENCE].fillna(0).to_numpy()[at] < low_confidence
    split = (disputed(codings[[s.SEGMENT_ID, s.CODE_ID, s.CONFIDENCE, s.NEEDS_REVIEW]].iloc[at],
                      active) if active is not None else np.zeros(len(at), bool))
    reason = np.select([needs, poor, split, low], [1, 2, 3, 4], default=0).astype(np.int8)
    del needs, poor, low, split
    rest = np.flatnonzero(reason == 0)
    size = min(len(rest), max(sample_min, int(round(len(rest) * sample_share))))
    if size:  # the draw pandas makes from a series of that length: the same sample as ever
        reason[pd.Series(rest).sample(n=size, random_state=seed).to_numpy()] = 5
    del rest
    kept = np.flatnonzero(reason)
    # Only the columns the queue shows: the queue is held to publish beside the codings.
    shown = [codings.columns.get_loc(c) for c in s.REVIEW_QUEUE.names if c in codings.columns]
    queued = codings.iloc[at[kept], shown].copy()
    reasons = np.array([None, *_REASONS], dtype=object)
    queued[s.QUEUE_REASON] = reasons[reason[kept]]
    order = {reason: i for i, reason in enumerate(_REASONS)}
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
    return _conformed(queued)


def _conformed(queued: pd.DataFrame, *, block_rows: int = BLOCK_ROWS) -> pd.DataFrame:
    """``conform(queued, REVIEW_QUEUE)``, ``block_rows`` rows at a time, with queued's strings.

    conform makes each string anew through Arrow; each block takes back the codings' and the
    segments' own strings before the next is made, so only a block's copies are ever held.
    """
    shared = {column: column for column in (s.SEGMENT_ID, s.CODE_ID, s.TEXT, s.EVIDENCE,
                                            s.QUEUE_REASON)}
    parts = [share_strings(s.conform(block, s.REVIEW_QUEUE), block, shared)
             for block in (queued.iloc[start:start + block_rows]
                           for start in range(0, max(len(queued), 1), block_rows))]
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
