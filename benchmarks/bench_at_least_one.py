"""At least one code per text: out-of-fold scores before and after filling empty predictions.

    flock /tmp/wavecoder-heavy.lock .venv/bin/python benchmarks/bench_at_least_one.py \
        [--coder hybrid-static] [--gold ... --codebook ...]      # the NHS split by default
    flock /tmp/wavecoder-heavy.lock .venv/bin/python benchmarks/bench_at_least_one.py \
        --serdif --coder linear                                   # by session, guide prompt

pxtextmining gives a comment with no code over its threshold its most probable code
(``fix_no_labels``); every gold text here carries a code. Each text is coded out of fold on
``evaluate``'s folds (seed 42; SERDIF by session, as ``--group document``), then the texts with
no code get (a) the code of highest probability, or (b) of highest probability over its
threshold; the three are scored as ``evaluate`` scores. Measured and not adopted (docs/coders.md).
"""

from __future__ import annotations

import argparse

import numpy as np
from nhs_gold import add_gold_arguments, add_serdif_argument, benchmark_gold

from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.registry import new_coder
from pipeline.quality.evaluate import folds
from pipeline.quality.measure import known_of, score_predictions, uses_hierarchy


def out_of_fold(name, gold, book, splits):
    """Decisions, probabilities and thresholds of ``name`` for every text, out of fold."""
    pred = np.zeros_like(gold.labels)
    proba, cuts = np.zeros(gold.labels.shape), np.zeros(gold.labels.shape)
    for train_rows, test_rows in splits:
        train, test = gold.subset(train_rows), gold.subset(test_rows)
        coder = new_coder(name, book)
        coder.fit(train.texts, train.labels, train.code_ids, known_of(train))
        model = coder.model if isinstance(coder, HybridCoder) else coder  # its probabilities
        pred[test_rows] = coder.predict(test.texts, known_of(test))
        proba[test_rows] = model.predict_proba(test.texts, known_of(test))
        cuts[test_rows] = model.threshold_vector()
    return pred, proba, cuts


def main() -> None:
    """Print macro/micro-F1 as coded, and with the empty predictions filled both ways."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    parser.add_argument("--coder", default="hybrid-static")
    add_serdif_argument(parser)
    args = parser.parse_args()
    book, gold, groups = benchmark_gold(args)
    pred, proba, cuts = out_of_fold(args.coder, gold, book, folds(gold.labels, 5, 42, groups))
    empty = np.flatnonzero(pred.sum(axis=1) == 0)
    print(f"{args.coder}: {len(empty)} of {len(pred)} texts without a code "
          f"({int((gold.labels.sum(axis=1) == 0).sum())} in the gold)")
    roll_up = uses_hierarchy(gold, book)
    for how, score in (("as coded", None), ("highest probability", proba),
                       ("highest over threshold", proba / np.maximum(cuts, 1e-9))):
        filled = pred.copy()
        if score is not None:
            filled[empty, score[empty].argmax(axis=1)] = 1
        summary = score_predictions(gold, filled, book, args.coder, roll_up=roll_up,
                                    n_boot=0).summary
        print(f"  {how:24s} macro-F1 {summary['macro_f1']:.4f}  micro-F1 "
              f"{summary['micro_f1']:.4f}")


if __name__ == "__main__":
    main()
