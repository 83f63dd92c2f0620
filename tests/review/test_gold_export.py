"""Reviewed codes as gold data that the gold loader reads back."""

from __future__ import annotations

import pandas as pd
from support_review import coding, decisions, segment

from pipeline import schema as s
from pipeline.quality.gold import load_gold
from pipeline.review.gold_export import reviewed_gold


def test_fully_decided_segments_become_gold(mini_outputs_template, mini_codebook, tmp_path):
    out = mini_outputs_template
    codings = pd.read_parquet(out / "codings.parquet")
    segments = pd.read_parquet(out / "segments.parquet")
    gap = coding(out, "Most needs are met", "housing_gap")
    housing = coding(out, "Most needs are met", "housing")
    ete = coding(out, "ETE support is not available", "employment_training")
    mh = coding(out, "Mental health services", "mental_health")  # its threshold undecided
    budget = segment(out, "Our budget was cut")
    log = decisions([(*gap, "accepted"), (*housing, "rejected"), (*ete, "rejected"),
                     (*mh, "accepted"), (budget, "employment_training", "added")])
    log = log.assign(**{s.IMPORTED_AT: "x", s.LOG_SEQ: range(1, len(log) + 1)})
    gold = reviewed_gold(codings, segments, log)
    assert (gold.segments, gold.partly_decided) == (3, 1)
    rows = set(zip(gold.rows[s.SEGMENT_ID], gold.rows[s.CODE_ID], strict=False))
    assert rows == {gap, (ete[0], ""), (budget, "employment_training")}
    path = tmp_path / "gold.csv"
    gold.rows.to_csv(path, index=False)
    loaded = load_gold(path, mini_codebook)
    assert len(loaded.texts) == 3
    assert loaded.support() == {"housing_gap": 1, "employment_training": 1}
