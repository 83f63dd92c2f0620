"""The linear coder's ``neighbours`` setting: the vote of the nearest training texts, measured.

    flock /tmp/wavecoder-heavy.lock .venv/bin/python benchmarks/bench_knn_blend.py \
        [--coder hybrid] [--weight 0 --weight 0.3 --weight auto] [--k 15] [--reuse ENCODERS]

The linear coder's probabilities blended with the similarity-weighted vote of each text's
``k`` nearest training texts (:mod:`pipeline.coding.neighbours`), by the vectors the linear
model reads: stock MiniLM, or with ``--reuse`` each fold's fine-tuned encoder saved by
``bench_tuned_inputs.py --keep`` (so the weights are compared on the same encoders, fine-tuned
once). Each weight is the product's coder with ``neighbours=w``; ``--weight 0`` is the coder
without the vote, ``--weight auto`` chooses it per fold on held-out training texts (the
encoder's held-out tenth with ``--reuse``). Folds are ``evaluate``'s (seed 42), the NHS split
by default. ``--codebook-examples`` gives the linear model the codebook's own examples as
training texts too, as the product's coders have since 5 December (without it, the coder as
the figures before then were measured).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from bench_tuned_inputs import STOCK, PreTuned, tuned_for
from nhs_gold import (
    add_gold_arguments,
    add_serdif_argument,
    benchmark_gold,
    fold_decisions,
    print_scores,
)

from pipeline.coding import neighbours
from pipeline.coding.disk import codebook_tag
from pipeline.coding.features import codebook_examples
from pipeline.coding.finetune import Settings
from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.linear import LinearCoder
from pipeline.coding.linear_tuned import TunedEmbedder
from pipeline.coding.neighbours import AUTO
from pipeline.quality.evaluate import folds
from pipeline.quality.measure import known_of


def weight_of(text: str) -> float | str:
    """A ``--weight`` value: a number, or ``auto``."""
    return AUTO if text == AUTO else float(text)


class CachedEmbedder:
    """An embedder's vectors kept by text: a fold's models for each weight embed once."""

    def __init__(self, embedder, cache: dict) -> None:
        self.embedder, self.cache = embedder, cache
        self.name = embedder.name

    def embed(self, texts) -> np.ndarray:
        """The vectors of ``texts``, embedding only those not seen before."""
        missing = [text for text in dict.fromkeys(texts) if text not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.embedder.embed(missing), strict=True))
        return np.stack([self.cache[text] for text in texts])


class CachedTuned(PreTuned):
    """The linear coder on a fold's fine-tuned encoder (answer alone), its vectors cached."""

    cache: dict

    def _fit(self, texts, labels, code_ids, context=None) -> "CachedTuned":
        self.embedder = CachedEmbedder(TunedEmbedder(self.tuned.network), self.cache)
        return LinearCoder.fit(self, texts, labels, code_ids, context)


def fold_inputs(args, book, gold, groups):
    """Each of ``evaluate``'s folds (seed 42) as the benchmarks fit it.

    Yields (fold number, test rows, training gold, test gold, the fold's fine-tuned coder from
    ``args.reuse`` or None, an embedding cache for the fold, the training and test texts'
    ``args.attribute`` columns).
    """
    for fold, (train_rows, test_rows) in enumerate(folds(gold.labels, 5, 42, groups), start=1):
        train, test = gold.subset(train_rows), gold.subset(test_rows)
        tuned = (tuned_for(train, book, Settings(), fold, None, args.reuse)
                 if args.reuse else None)
        yield (fold, test_rows, train, test, tuned, {}, known_of(train, args.attribute),
               known_of(test, args.attribute))


def main() -> None:
    """Print macro/micro-F1 per blend weight."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    add_serdif_argument(parser)
    parser.add_argument("--coder", choices=("linear", "hybrid"), default="hybrid")
    parser.add_argument("--weight", type=weight_of, action="append")
    parser.add_argument("--k", type=int, default=15)
    parser.add_argument("--confidence", type=float, default=neighbours.CONFIDENCE,
                        help="share of bootstrap resamples a weight must win to replace the "
                             "coder's prior, with --weight auto")
    parser.add_argument("--reuse", type=Path, help="each fold's fine-tuned encoder (fold1 ...)")
    parser.add_argument("--attribute", action="append", default=[],
                        help="a gold column the linear model reads as a one-hot feature")
    parser.add_argument("--codebook-examples", action="store_true",
                        help="the codebook's examples join the training texts (the product)")
    parser.add_argument("--threshold-folds", type=int, default=3,
                        help="inner folds the thresholds, cut and choice are learned on")
    args = parser.parse_args()
    neighbours.CONFIDENCE = args.confidence
    weights = args.weight or [0.0, 0.3]
    book, gold, groups = benchmark_gold(args)
    out = {w: np.zeros_like(gold.labels) for w in weights}
    for fold, test_rows, train, test, tuned, cache, known_train, known_test in fold_inputs(
            args, book, gold, groups):
        for weight in weights:
            settings = {"codebook": codebook_tag(book), "attributes": args.attribute,
                        "rules": book if args.coder == "hybrid" else None,
                        "neighbours": weight, "k": args.k,
                        "examples": codebook_examples(book) if args.codebook_examples else (),
                        "threshold_folds": args.threshold_folds}
            if tuned is None:
                model = LinearCoder(embedder=STOCK, **settings)
            else:
                model = CachedTuned("answer", **settings)
                model.tuned, model.cache = tuned, cache
            coder = HybridCoder(book, model) if args.coder == "hybrid" else model
            out[weight][test_rows] = fold_decisions(coder, train, test, known_train, known_test)
            print(f"  fold {fold}: weight {weight}: cut {model.relative_cut}, vote weight "
                  f"{model.neighbour_weight} {model.weight_scores or ''}", flush=True)
    print_scores(gold, book, args.coder, out,
                 lambda weight: f"{args.coder} {args.attribute} k {args.k} weight {weight}"
                 f"{' + codebook examples' if args.codebook_examples else ''}"
                 f"{f', {args.threshold_folds} inner folds' if args.threshold_folds != 3 else ''}")


if __name__ == "__main__":
    main()
