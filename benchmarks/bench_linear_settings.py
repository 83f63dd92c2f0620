"""The linear coder's settings on NHS cross-validation: C, the embedding block's weight, shrink.

    .venv/bin/python benchmarks/bench_linear_settings.py --config 4,1,0.5 --config 8,1,0.5 ...

Each ``--config C,WEIGHT,SHRINK`` is scored on ``wavecoder evaluate``'s folds (5
multilabel-stratified folds, seed 42; codes with at least 10 gold examples, a child counting for
its parents): ``C`` the logistic regressions' inverse regularisation (the product's 4), WEIGHT
a factor on the MiniLM sentence vectors before they join the TF-IDF blocks (1: as the product
has them), SHRINK how far each validated threshold is pulled back to 0.5 (the product's 0.5).
The MiniLM vectors are computed once for every config. Prints one line per config. Not a test:
the seconds vary by machine.
"""

from __future__ import annotations

import argparse
import time

from nhs_gold import add_gold_arguments

from pipeline.coding.linear import LinearCoder
from pipeline.config import load_codebook
from pipeline.embeddings import MiniLMEmbedder
from pipeline.quality.evaluate import DEFAULT_MIN_SUPPORT, cross_validate, folds
from pipeline.quality.gold import load_gold
from pipeline.quality.measure import known_of, score_predictions, uses_hierarchy


class WeightedLinear(LinearCoder):
    """The linear coder with its sentence vectors scaled by ``weight``."""

    weight = 1.0

    def _embed(self, texts):
        return super()._embed(texts) * self.weight


def main() -> None:
    """Score each config; print macro- and micro-F1 and seconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    parser.add_argument("--config", action="append", required=True, help="C,WEIGHT,SHRINK")
    args = parser.parse_args()
    book = load_codebook(args.codebook)
    gold = load_gold(args.gold, book)
    tag, embedder = f"{book.id}@{book.version}", MiniLMEmbedder()
    for config in args.config:
        c, weight, shrink = (float(part) for part in config.split(","))
        started = time.perf_counter()

        def predict(train, test, c=c, weight=weight, shrink=shrink):
            coder = WeightedLinear(codebook=tag, c=c, shrink=shrink, embedder=embedder)
            coder.weight = weight
            coder.fit(train.texts, train.labels, train.code_ids, known_of(train))
            return coder.predict(test.texts, known_of(test)), None

        pred, _ = cross_validate(predict, gold, folds(gold.labels, 5, 42))
        summary = score_predictions(gold, pred, book, "linear", roll_up=uses_hierarchy(gold, book),
                                    min_support=DEFAULT_MIN_SUPPORT, n_boot=0).summary
        print(f"C={c:g} weight={weight:g} shrink={shrink:g}: macro {summary['macro_f1']:.4f} "
              f"micro {summary['micro_f1']:.4f} ({time.perf_counter() - started:.0f} s)",
              flush=True)


if __name__ == "__main__":
    main()
