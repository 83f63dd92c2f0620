"""The relative cut: out-of-fold scores of one coder with and without the cut it learned.

    flock /tmp/wavecoder-heavy.lock .venv/bin/python benchmarks/bench_relative_cut.py \
        --serdif [--coder linear]                     # SERDIF by session, with the guide prompt
    flock /tmp/wavecoder-heavy.lock .venv/bin/python benchmarks/bench_relative_cut.py \
        --coder hybrid-static [--gold ... --codebook ...]         # the NHS split by default

A linear coder learns on its training texts' held-out probabilities whether to drop a text's
codes that fall far below its most probable one (``pipeline.coding.thresholds.
best_relative_cut``). Each fold's model is fitted once; its test texts are then decided twice,
with the cut it learned and with thresholds alone, so the two rows differ only in that. Folds
are ``evaluate``'s (seed 42; SERDIF by session, as ``--group document``); scores with 95 %
bootstrap intervals as ``evaluate`` gives them.
"""

from __future__ import annotations

import argparse

import numpy as np
from nhs_gold import add_gold_arguments, add_serdif_argument, benchmark_gold

from pipeline.coding import linear_tuned
from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.registry import new_coder
from pipeline.quality.evaluate import folds
from pipeline.quality.measure import known_of, score_predictions, uses_hierarchy


def decided_both_ways(name, gold, book, splits):
    """Out-of-fold decisions with each fold's learned cut and without it; the cuts."""
    with_cut, without = np.zeros_like(gold.labels), np.zeros_like(gold.labels)
    cuts = []
    for train_rows, test_rows in splits:
        train, test = gold.subset(train_rows), gold.subset(test_rows)
        coder = new_coder(name, book)
        coder.fit(train.texts, train.labels, train.code_ids, known_of(train))
        model = coder.model if isinstance(coder, HybridCoder) else coder  # holds the cut
        with_cut[test_rows] = coder.predict(test.texts, known_of(test))
        cuts.append(model.relative_cut)
        model.relative_cut = 0.0
        without[test_rows] = coder.predict(test.texts, known_of(test))
        print(f"  fold {len(cuts)}: cut {cuts[-1]}", flush=True)
    return with_cut, without, cuts


def main() -> None:
    """Print macro/micro-F1 with the learned cut and with thresholds alone."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    parser.add_argument("--coder", default="linear")
    add_serdif_argument(parser)
    parser.add_argument("--budget", type=float,
                        help="linear-finetuned: fine-tuning seconds per fold")
    args = parser.parse_args()
    if args.budget:  # read when the registry builds the coder, for each fold
        linear_tuned.DEFAULT_BUDGET_S = args.budget
    book, gold, groups = benchmark_gold(args)
    print(f"{args.coder}: {len(gold.texts)} texts, {len(gold.code_ids)} codes")
    with_cut, without, cuts = decided_both_ways(args.coder, gold, book,
                                                folds(gold.labels, 5, 42, groups))
    roll_up = uses_hierarchy(gold, book)
    for how, pred in (("thresholds alone", without), ("learned cut", with_cut)):
        summary = score_predictions(gold, pred, book, args.coder, roll_up=roll_up).summary
        print(f"  {how:18s} macro-F1 {summary['macro_f1']:.4f} {summary['macro_f1_ci']}  "
              f"micro-F1 {summary['micro_f1']:.4f}  codes given {int(pred.sum())}")
    print(f"  cuts per fold: {cuts}")


if __name__ == "__main__":
    main()
