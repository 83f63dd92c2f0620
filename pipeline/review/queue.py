"""The review queue: which undecided machine codings a reviewer should look at first.

In order: codings of codes whose measured agreement is below the gate (``needs_review``); codings
of codes reviewers have since disagreed with the machine on (poor agreement in the review
agreement table); low-confidence codings; then a seeded random sample of the confident rest, so
the codings nobody is steered to are checked too. Within a group, least confident first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import schema as s

LOW_CONFIDENCE = 0.7
SAMPLE_SHARE = 0.05  # of the confident codings left, at least SAMPLE_MIN of them
SAMPLE_MIN = 10


def review_queue(codings: pd.DataFrame, segments: pd.DataFrame, *,
                 poor_agreement: list[str] = (), low_confidence: float = LOW_CONFIDENCE,
                 sample_share: float = SAMPLE_SHARE, sample_min: int = SAMPLE_MIN,
                 seed: int = 0) -> pd.DataFrame:
    """Rank the codings still awaiting a decision (``status == machine``).

    Args:
        codings: the wave's codings with statuses.
        segments: the wave's segments (for the passage text).
        poor_agreement: codes reviewers disagreed with the machine on.
        low_confidence: codings below this confidence are queued as low-confidence.
        sample_share: share of the confident codings drawn for quality control.
        sample_min: draw at least this many (or all there are).
        seed: the sample's seed (the same queue on every run).

    Returns:
        schema.REVIEW_QUEUE rows, priority 1 first; confident codings outside the sample are
        not queued.
    """
    waiting = codings[codings[s.STATUS].fillna(s.STATUS_MACHINE) == s.STATUS_MACHINE].copy()
    if waiting.empty:
        return s.empty(s.REVIEW_QUEUE)
    poor = waiting[s.CODE_ID].isin(list(poor_agreement))
    low = waiting[s.CONFIDENCE].fillna(0) < low_confidence
    needs = waiting[s.NEEDS_REVIEW].fillna(False).astype(bool)
    waiting[s.QUEUE_REASON] = np.select(
        [needs, poor, low], [s.QUEUE_NEEDS_REVIEW, s.QUEUE_POOR_AGREEMENT,
                             s.QUEUE_LOW_CONFIDENCE], default="")
    rest = waiting[waiting[s.QUEUE_REASON] == ""]
    size = min(len(rest), max(sample_min, int(round(len(rest) * sample_share))))
    sample = rest.sample(n=size, random_state=seed).index if size else []
    waiting.loc[sample, s.QUEUE_REASON] = s.QUEUE_QUALITY_SAMPLE
    queued = waiting[waiting[s.QUEUE_REASON] != ""].copy()
    order = {reason: i for i, reason in enumerate(
        (s.QUEUE_NEEDS_REVIEW, s.QUEUE_POOR_AGREEMENT, s.QUEUE_LOW_CONFIDENCE,
         s.QUEUE_QUALITY_SAMPLE))}
    queued["_group"] = queued[s.QUEUE_REASON].map(order)
    queued = queued.sort_values(["_group", s.CONFIDENCE, s.SEGMENT_ID, s.CODE_ID], kind="stable")
    queued[s.PRIORITY] = range(1, len(queued) + 1)
    text = segments.set_index(s.SEGMENT_ID)[s.TEXT]
    queued[s.TEXT] = queued[s.SEGMENT_ID].map(text)
    return s.conform(queued, s.REVIEW_QUEUE)
