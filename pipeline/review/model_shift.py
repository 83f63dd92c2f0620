"""What a retrained coder would change in the wave it learned from, on a sample of its segments.

A review round's decisions are not a sample of the wave: the queue puts first what would
teach the coder most, often short answers of a few kinds. A model trained on them alone can
give a code far more often, or far less, than the wave's coder did, and its cross-validated
score on those same decisions cannot show it (the NHS comments as a wave, one round of 300
decisions: a retrained hybrid gave *labelling not possible* to most answers, where the wave's
rules gave it to a fifth). So ``wavecoder retrain`` codes a seeded sample of the wave's
segments with the new model, beside the codes the wave has, and names the codes that moved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.coding.base import Coder
from pipeline.coding.stream import codable
from pipeline.config import Codebook
from pipeline.outputs import WaveOutputs
from pipeline.text import some_of

SAMPLE_SEGMENTS = 2000  # a share of 0.2 is known to ±0.02 at 95 %; coded in seconds
SHIFT_FACTOR = 2.0  # at least doubled or halved ...
SHIFT_POINTS = 0.05  # ... by at least 5 points of the sampled segments ...
SHIFT_SEGMENTS = 10  # ... and 10 of them: in a small wave one segment is many points
SHOWN_SHIFTS = 5


def sampled_segments(wave: WaveOutputs, *, size: int = SAMPLE_SEGMENTS, seed: int = 0
                     ) -> pd.DataFrame:
    """A seeded sample of the segments the wave's coder coded, in the wave's order.

    Each segment carries its document's attribute columns, which a model trained with
    ``--attribute`` reads, as in a run.
    """
    segments = wave.segments[codable(wave.segments).to_numpy()]
    if len(segments) > size:
        rows = np.sort(np.random.default_rng(seed).choice(len(segments), size, replace=False))
        segments = segments.iloc[rows]
    attributes = [c for c in wave.documents.columns if c not in s.DOCUMENTS.names]
    if attributes:
        segments = segments.merge(wave.documents[[s.DOCUMENT_ID, *attributes]],
                                  on=s.DOCUMENT_ID, how="left")
    return segments.reset_index(drop=True)


def model_shift(wave: WaveOutputs, coder: Coder, codebook: Codebook, *,
                size: int = SAMPLE_SEGMENTS, seed: int = 0) -> pd.DataFrame:
    """Each code's share of a sample of ``wave``'s segments: the wave's coder's, then ``coder``'s.

    Returns a table (schema.MODEL_SHIFT), the codebook's codes in its order, one row for each
    code either coder gives in the sample. The wave's codes are the machine's as the run made
    them (a reviewer's rejection does not remove one, nor does an addition count), so the two
    coders are compared alike.
    """
    segments = sampled_segments(wave, size=size, seed=seed)
    sampled = set(segments[s.SEGMENT_ID])
    machine = wave.codings[wave.codings[s.STATUS] != s.STATUS_HUMAN_ADDED]
    before = _shares(machine[machine[s.SEGMENT_ID].isin(sampled)], len(segments))
    after = _shares(coder.code(segments), len(segments)) if len(segments) else {}
    labels = codebook.labels()
    rows = [{s.WAVE: wave.wave, s.CODE_ID: code_id, s.LABEL: labels.get(code_id, code_id),
             s.SAMPLED: len(segments), s.BEFORE_SHARE: before.get(code_id, 0.0),
             s.AFTER_SHARE: after.get(code_id, 0.0)}
            for code_id in codebook.code_ids() if code_id in before or code_id in after]
    table = pd.DataFrame(rows, columns=[n for n in s.MODEL_SHIFT.names if n != s.SHIFTED])
    table[s.SHIFTED] = [_shifted(b, a, len(segments)) for b, a in
                        zip(table[s.BEFORE_SHARE], table[s.AFTER_SHARE], strict=True)]
    return s.conform(table, s.MODEL_SHIFT)


def shift_warning(shift: pd.DataFrame) -> str | None:
    """One line naming the codes whose share moved most, or None when none moved much."""
    moved = shift[shift[s.SHIFTED]]
    if moved.empty:
        return None
    moved = moved.assign(change=(moved[s.AFTER_SHARE] - moved[s.BEFORE_SHARE]).abs())
    moved = moved.sort_values("change", ascending=False, kind="stable")
    named = some_of([f"{row[s.CODE_ID]} {row[s.BEFORE_SHARE]:.0%} → {row[s.AFTER_SHARE]:.0%}"
                     for _, row in moved.iterrows()], SHOWN_SHIFTS, sep="; ")
    return (f"the new model codes {len(moved)} code(s) at a very different rate from the "
            f"wave's coder, on {int(shift[s.SAMPLED].iloc[0]):,} of the wave's segments: "
            f"{named}. That may be what the review taught it, or the segments the review "
            "happened to decide (a review queue is not a sample of the wave): check the model "
            "on a random sample before coding with it (wavecoder evaluate --model on a gold "
            "file, or export-review --sample of a wave it coded)")


def _shares(codings: pd.DataFrame, sampled: int) -> dict[str, float]:
    """Share of the ``sampled`` segments carrying each code (a segment counted once a code)."""
    if not sampled or codings.empty:
        return {}
    counts = codings.drop_duplicates([s.SEGMENT_ID, s.CODE_ID])[s.CODE_ID].value_counts()
    return {str(code_id): round(int(n) / sampled, 4) for code_id, n in counts.items()}


def _shifted(before: float, after: float, sampled: int) -> bool:
    """Doubled or halved (or from or to nothing), by enough of the ``sampled`` segments.

    Enough: :data:`SHIFT_POINTS` of them and :data:`SHIFT_SEGMENTS` at least.
    """
    change = abs(after - before)
    if change < SHIFT_POINTS or round(change * sampled) < SHIFT_SEGMENTS:
        return False
    low, high = sorted((before, after))
    return high >= SHIFT_FACTOR * low
