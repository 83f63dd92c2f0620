"""Ensembles of linear models: the weighted mean of their probabilities, measured.

    .venv/bin/python benchmarks/bench_ensemble.py --coder hybrid --attribute "Service type 1" \
        --encoders ENCODERS_A --encoders ENCODERS_B --stock --combo 1,0,0 --combo 1,1,1
    .venv/bin/python benchmarks/bench_ensemble.py --serdif --coder linear --vote 0 \
        --encoders ENCODERS_A --stock --combo 1,0 --combo 1,1

Each member is the linear coder on one set of fine-tuned encoders saved by
``bench_tuned_inputs.py --keep`` (``--encoders``, the fold's encoder read back, the answer
embedded, the nearest texts' vote at ``--vote``), or on stock MiniLM (``--stock``, no vote).
Members are fitted once per fold; every ``--combo`` (one weight per member, in the order given,
encoders first) is then an ensemble whose probability is the weighted mean of the members',
with thresholds, relative cut and (``--coder hybrid``) the per-code choice against the rules
learned on the mean of the members' held-out probabilities, as a single linear coder learns
them on its own. The members' inner folds are the same (same seed, same texts), so their
held-out probabilities are of the same texts. A combo with one member weighted scores that
member as the product builds it. Folds are ``evaluate``'s (seed 42; SERDIF by session).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from bench_knn_blend import CachedTuned
from bench_tuned_inputs import STOCK, tuned_for
from nhs_gold import (
    add_gold_arguments,
    add_serdif_argument,
    benchmark_gold,
    fold_decisions,
    print_scores,
)

from pipeline.coding.disk import codebook_tag
from pipeline.coding.finetune import Settings
from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.linear import MIN_EXAMPLES, LinearCoder
from pipeline.coding.thresholds import best_relative_cut, best_thresholds, decide
from pipeline.quality.evaluate import folds
from pipeline.quality.measure import known_of


class KeepsHeldOut:
    """Keeps the held-out probabilities a linear coder learns its thresholds on (after any vote)."""

    held_out_probability: np.ndarray

    def held_out_proba(self, features, target) -> np.ndarray:
        """The inner folds' probabilities, kept."""
        self.held_out_probability = super().held_out_proba(features, target)
        return self.held_out_probability

    def _with_vote(self, proba, target) -> np.ndarray:
        self.held_out_probability = super()._with_vote(proba, target)
        return self.held_out_probability


class StockMember(KeepsHeldOut, LinearCoder):
    """The linear coder on stock MiniLM."""


class TunedMember(KeepsHeldOut, CachedTuned):
    """The linear coder on a fold's fine-tuned encoder."""


class Ensemble(LinearCoder):
    """The weighted mean of fitted members' probabilities, decided as one linear coder.

    ``test_proba`` maps each member (by ``id``) to its probabilities on the texts to be
    predicted: the members are scored once per fold, not once per combo.
    """

    def __init__(self, members: list, weights, test_proba: dict, **settings) -> None:
        super().__init__(embedding=None, **settings)
        self.members, self.test_proba = members, test_proba
        self.weights = np.asarray(weights, dtype=float) / float(np.sum(weights))

    def _mean(self, probabilities) -> np.ndarray:
        return sum(w * p for w, p in zip(self.weights, probabilities, strict=True))

    def fit(self, texts, labels, code_ids, context=None) -> "Ensemble":
        """Thresholds, cut and held-out decisions from the members' mean held-out probability."""
        labels = np.asarray(labels, dtype=int)
        self._columns = self.choose_codes(labels, code_ids, MIN_EXAMPLES)
        self.held_out = np.zeros(labels.shape, dtype=int)
        target = labels[:, self._columns]
        proba = self._mean([m.held_out_probability for m in self.members])
        cuts = best_thresholds(target, proba, shrink=self.shrink)
        self.thresholds = dict(zip(self.learned, cuts.tolist(), strict=True))
        self.relative_cut = best_relative_cut(target, proba, cuts) if self.relative else 0.0
        self.held_out[:, self._columns] = decide(proba, cuts, self.relative_cut)
        return self

    def predict_proba(self, texts, context=None) -> np.ndarray:
        """The members' mean probability on the fold's test texts."""
        return self._mean([self.test_proba[id(m)] for m in self.members])


def combo_of(text: str) -> tuple[float, ...]:
    """A ``--combo`` value: comma-separated weights, none negative, not all zero."""
    weights = tuple(float(part) for part in text.split(","))
    if min(weights) < 0 or not sum(weights):
        raise argparse.ArgumentTypeError(f"{text}: weights of 0 or more, not all 0")
    return weights


def main() -> None:
    """Print macro/micro-F1 per combination of members."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    add_serdif_argument(parser)
    parser.add_argument("--coder", choices=("linear", "hybrid"), default="hybrid")
    parser.add_argument("--encoders", type=Path, action="append", default=[],
                        help="a set of each fold's fine-tuned encoder (fold1 ...): a member")
    parser.add_argument("--stock", action="store_true", help="stock MiniLM as the last member")
    parser.add_argument("--vote", type=float, default=0.3,
                        help="the fine-tuned members' neighbours weight (the product's 0.3)")
    parser.add_argument("--attribute", action="append", default=[],
                        help="a gold column the linear models read as a one-hot feature")
    parser.add_argument("--combo", type=combo_of, action="append", required=True,
                        help="one weight per member, comma separated")
    args = parser.parse_args()
    members_given = len(args.encoders) + args.stock
    if any(len(combo) != members_given for combo in args.combo):
        parser.error(f"each --combo needs {members_given} weights, one per member")
    book, gold, groups = benchmark_gold(args)
    out = {combo: np.zeros_like(gold.labels) for combo in args.combo}
    for fold, (train_rows, test_rows) in enumerate(folds(gold.labels, 5, 42, groups), start=1):
        started = time.perf_counter()
        train, test = gold.subset(train_rows), gold.subset(test_rows)
        known_train, known_test = known_of(train, args.attribute), known_of(test, args.attribute)
        settings = {"codebook": codebook_tag(book), "attributes": args.attribute,
                    "rules": book if args.coder == "hybrid" else None}
        members: list = []
        for encoders in args.encoders:
            member = TunedMember("answer", neighbours=args.vote, **settings)
            member.tuned = tuned_for(train, book, Settings(), fold, None, encoders)
            member.cache = {}
            members.append(member)
        if args.stock:
            members.append(StockMember(embedder=STOCK, **settings))
        test_proba = {}
        for member in members:
            if args.coder == "hybrid":
                HybridCoder(book, member)  # its rule features from the hybrid's rule coder
            member.fit(train.texts, train.labels, train.code_ids, known_train)
            test_proba[id(member)] = member.predict_proba(test.texts, known_test)
        for combo in args.combo:
            ensemble = Ensemble(members, combo, test_proba, **settings)
            coder = HybridCoder(book, ensemble) if args.coder == "hybrid" else ensemble
            out[combo][test_rows] = fold_decisions(coder, train, test, known_train, known_test)
        print(f"  fold {fold}: {len(members)} members fitted and combined in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    print_scores(gold, book, args.coder, out,
                 lambda combo: f"{args.coder} weights {','.join(f'{w:g}' for w in combo)}")


if __name__ == "__main__":
    main()
