"""How well the stance rules read hand-coded passages: stance and direction accuracy.

    .venv/bin/python -m pipeline.quality.stance_accuracy tests/data/stance/gold.csv ...

A gold file has one coded passage per row: ``text``, ``code_id``, ``evidence_start`` and
``evidence_end`` (offsets into the text), ``other_codings`` ("code:start:end;..." for the
passage's other codes), and the ``stance`` and ``direction`` a person read there.
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from pipeline import schema as s
from pipeline.stance import stances


def gold_tables(gold: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segments and codings rebuilt from a hand-coded file (one segment per row).

    ``gold`` has ``text``, ``code_id``, ``evidence_start``/``evidence_end`` (offsets into the
    text) and ``other_codings`` ("code:start:end;..." for the segment's other codes). Codings of
    the coded row come first, one per row of ``gold``, then the other codings.
    """
    ids = [f"gold-{i}" for i in range(len(gold))]
    segments = pd.DataFrame({s.SEGMENT_ID: ids, s.START: 0, s.TEXT: gold[s.TEXT].to_numpy()})
    rows = list(zip(ids, gold[s.CODE_ID], gold["evidence_start"], gold["evidence_end"],
                    strict=True))
    for segment_id, others in zip(ids, gold["other_codings"].fillna(""), strict=True):
        for other in filter(None, str(others).split(";")):
            code_id, start, end = other.rsplit(":", 2)
            rows.append((segment_id, code_id, int(start), int(end)))
    codings = pd.DataFrame(rows, columns=[s.SEGMENT_ID, s.CODE_ID, s.START, s.END])
    return segments, codings


def accuracy(gold: pd.DataFrame, *, parents: Mapping[str, str | None] | None = None
             ) -> dict[str, float]:
    """Share of ``gold`` rows whose stance, and whose direction, the rules get right."""
    segments, codings = gold_tables(gold)
    found = stances(segments, codings, parents=parents).head(len(gold))
    def agree(column: str) -> float:
        got = found[column].fillna("").to_numpy()
        return float((got == gold[column].fillna("").to_numpy()).mean())
    return {"n": float(len(gold)), s.STANCE: agree(s.STANCE), s.DIRECTION: agree(s.DIRECTION)}


if __name__ == "__main__":
    import sys

    from pipeline.config import DEFAULT_CODEBOOK, load_codebook

    book = load_codebook(DEFAULT_CODEBOOK)
    for name in sys.argv[1:]:
        frame = pd.read_csv(name, keep_default_na=False)
        result = accuracy(frame, parents=book.parents())
        print(f"{name}: {int(result['n'])} codings, stance {result[s.STANCE]:.3f}, "
              f"direction {result[s.DIRECTION]:.3f}")
