"""Reviewed codes as gold data: what people decided, in the long gold format training reads.

A segment is gold once a reviewer has decided every machine coding on it (or added a code to
it): its codes are those accepted or added, and a segment whose codings were all rejected is
gold for "none of these codes" (a blank ``code_id``), as is a passage without codings on which
a reviewer wrote ``none``. Segments a reviewer only partly decided are left out, and counted,
because their undecided codings are not a human judgement.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline import schema as s
from pipeline.review.status import latest_decisions, machine_codings


@dataclass
class ReviewedGold:
    """The gold rows, and how many reviewed segments were left out as partly decided."""

    rows: pd.DataFrame  # segment_id, text, context, code_id
    segments: int
    partly_decided: int


def reviewed_gold(codings: pd.DataFrame, segments: pd.DataFrame,
                  log: pd.DataFrame) -> ReviewedGold:
    """Gold rows (long format: ``segment_id``, ``text``, ``context``, ``code_id``) from the log.

    ``codings`` are the wave's codings; ``log`` its review log. Codes follow the decision that
    stands for each coding (the latest, whoever made it).
    """
    columns = [s.SEGMENT_ID, s.TEXT, s.CONTEXT, s.CODE_ID]
    final = latest_decisions(log, per_reviewer=False)
    if final.empty:
        return ReviewedGold(pd.DataFrame(columns=columns), 0, 0)
    machine = machine_codings(codings)
    decided = set(zip(final[s.SEGMENT_ID], final[s.CODE_ID], strict=False))
    reviewed = set(final[s.SEGMENT_ID])
    partly = {sid for sid, cid in zip(machine[s.SEGMENT_ID], machine[s.CODE_ID], strict=True)
              if sid in reviewed and (sid, cid) not in decided}
    keep = final[final[s.DECISION].isin([s.DECISION_ACCEPTED, s.DECISION_ADDED])
                 & ~final[s.SEGMENT_ID].isin(partly)]
    text = segments.set_index(s.SEGMENT_ID)
    rows = []
    for segment_id in sorted(reviewed):
        if segment_id in partly or segment_id not in text.index:
            continue
        codes = sorted(set(keep.loc[keep[s.SEGMENT_ID] == segment_id, s.CODE_ID])) or [""]
        for code_id in codes:
            rows.append({s.SEGMENT_ID: segment_id, s.TEXT: text.at[segment_id, s.TEXT],
                         s.CONTEXT: text.at[segment_id, s.CONTEXT], s.CODE_ID: code_id})
    frame = pd.DataFrame(rows, columns=columns)
    return ReviewedGold(frame, frame[s.SEGMENT_ID].nunique(), len(partly))
