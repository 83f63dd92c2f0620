"""Measuring coders by group: sessions kept whole, repeats merged, the split recorded."""

from __future__ import annotations

from pipeline.quality.gold import load_gold
from pipeline.quality.measure import known_of, measure


def test_grouped_measurement_merges_repeats_and_says_how_it_split(data_dir, mini_codebook):
    gold = load_gold(data_dir / "gold" / "taguette-sessions.csv", mini_codebook)
    assert "document" not in known_of(gold).columns  # the session is never a feature
    grouped, rules = measure(gold, mini_codebook, ["baseline", "rules"], n_folds=3,
                             min_support=5, n_boot=0, group="document")
    assert grouped.evaluation.summary["grouped_by"] == "document"
    assert grouped.evaluation.summary["n_groups"] == 6
    assert grouped.evaluation.summary["n_texts"] == 39 == rules.evaluation.summary["n_texts"]
    assert rules.evaluation.summary["grouped_by"] is None
    (plain,) = measure(gold, mini_codebook, ["baseline"], n_folds=3, min_support=5, n_boot=0)
    assert plain.evaluation.summary["grouped_by"] is None
    assert plain.evaluation.summary["n_texts"] == 40
