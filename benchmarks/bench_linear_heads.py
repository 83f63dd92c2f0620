"""Other heads for the linear coder: stacking over every code, one softmax, or both mixed.

    cd benchmarks && PYTHONPATH=.. ../.venv/bin/python bench_linear_heads.py \
        [--serdif --coder linear] [--reuse ENCODERS] [--weight 0.3] \
        [--head plain --head stacked --head multinomial --head unbalanced --head mix:0.5]

The linear coder fits one logistic regression per code (one-vs-rest). Each head here is that
coder with one part changed, on the same folds (``evaluate``'s, seed 42; SERDIF by session)
and, with ``--reuse``, on each fold's fine-tuned encoder kept by ``bench_tuned_inputs.py
--keep``:

* ``stacked``: a second logistic regression per code over every code's held-out logit, so a
  code can lean on the codes it comes with (fitted on the inner folds' probabilities, its own
  held-out probabilities from 5 folds of those);
* ``multinomial``: one softmax over the codes instead of a model per code (a text with two
  codes is a row for each; ``unbalanced`` without class weights);
* ``mix:W``: the one-vs-rest probabilities and the softmax's, weighted W for the softmax.

Thresholds, the relative cut and the hybrid's per-code choice are learned on each head's own
held-out probabilities, as the product learns them. ``plain`` is the product's coder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from bench_knn_blend import CachedTuned, fold_inputs
from bench_tuned_inputs import STOCK
from nhs_gold import (
    add_gold_arguments,
    add_serdif_argument,
    benchmark_gold,
    fold_decisions,
    print_scores,
)
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from pipeline.coding.disk import codebook_tag
from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.linear import LinearCoder
from pipeline.coding.linear_scores import model_positive_proba


def _logits(proba: np.ndarray) -> np.ndarray:
    proba = np.clip(proba, 1e-4, 1 - 1e-4)
    return np.log(proba / (1 - proba))


class Stacker:
    """A logistic regression per code over every code's logit."""

    def fit(self, proba: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Fit on held-out ``proba``; return the stacker's own held-out probabilities."""
        features, held_out, self.models = _logits(proba), np.zeros_like(proba), []
        for j in range(target.shape[1]):
            for train, test in KFold(5, shuffle=True, random_state=0).split(features):
                model = self._model().fit(features[train], target[train, j])
                held_out[test, j] = model.predict_proba(features[test])[:, 1]
            self.models.append(self._model().fit(features, target[:, j]))
        return held_out

    def apply(self, proba: np.ndarray) -> np.ndarray:
        """The stacked probabilities of new texts' ``proba``."""
        features = _logits(proba)
        return np.column_stack([m.predict_proba(features)[:, 1] for m in self.models])

    @staticmethod
    def _model() -> LogisticRegression:
        return LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)


class Softmax:
    """One multinomial logistic regression over the codes (and "none" for uncoded texts)."""

    def __init__(self, c: float, balanced: bool) -> None:
        self.c, self.balanced = c, balanced

    def fit(self, features, target: np.ndarray) -> "Softmax":
        """A row per (text, code); a text without a code is a row of class "none"."""
        self.codes = target.shape[1]
        rows, labels = np.nonzero(target)
        empty = np.flatnonzero(target.sum(axis=1) == 0)
        rows = np.r_[rows, empty]
        labels = np.r_[labels, np.full(len(empty), self.codes)]
        self.model = LogisticRegression(C=self.c, max_iter=3000, class_weight=(
            "balanced" if self.balanced else None)).fit(features[rows], labels)
        return self

    def predict_proba(self, features) -> np.ndarray:
        """P(code) per text × code ("none" left out)."""
        proba, out = self.model.predict_proba(features), np.zeros((features.shape[0], self.codes))
        known = self.model.classes_ < self.codes
        out[:, self.model.classes_[known]] = proba[:, known]
        return out


class Mixed:
    """The one-vs-rest model's probabilities and the softmax's, ``weight`` for the softmax."""

    def __init__(self, one_vs_rest, softmax: Softmax, weight: float) -> None:
        self.one_vs_rest, self.softmax, self.weight = one_vs_rest, softmax, weight

    def fit(self, features, target: np.ndarray) -> "Mixed":
        """Fit both."""
        self.one_vs_rest.fit(features, target)
        self.softmax.fit(features, target)
        return self

    def predict_proba(self, features) -> np.ndarray:
        """The weighted mean of the two."""
        first = model_positive_proba(self.one_vs_rest, features, self.softmax.codes)
        return (1 - self.weight) * first + self.weight * self.softmax.predict_proba(features)


class _Unstacked:
    """Stands for the stacked weights: the fast scorer declines, scikit-learn answers."""

    def __init__(self, model) -> None:
        self.model = model


class HeadMixin:
    """The linear coder with ``head`` in place of its one-vs-rest model."""

    head = "plain"

    def _model(self):
        if self.head in ("multinomial", "unbalanced"):
            return Softmax(self.c, self.head == "multinomial")
        if self.head.startswith("mix:"):
            return Mixed(LinearCoder._model(self), Softmax(self.c, True),
                         float(self.head[4:]))
        return super()._model()

    def _weights(self):
        return super()._weights() if self.head in ("plain", "stacked") else _Unstacked(
            self.model)

    def held_out_proba(self, features, target) -> np.ndarray:
        """The inner folds' probabilities, stacked when the head is ``stacked``."""
        proba = super().held_out_proba(features, target)
        if self.head != "stacked":
            return proba
        self.stacker = Stacker()
        return self.stacker.fit(proba, target)

    def predict_proba(self, texts, context=None) -> np.ndarray:
        """Probabilities per code, through the stacker when the head is ``stacked``."""
        proba = super().predict_proba(texts, context)
        if self.head == "stacked" and len(proba) and self._columns:
            proba[:, self._columns] = self.stacker.apply(proba[:, self._columns])
        return proba


class HeadLinear(HeadMixin, LinearCoder):
    """On stock MiniLM."""


class HeadTuned(HeadMixin, CachedTuned):
    """On a fold's fine-tuned encoder."""


def main() -> None:
    """Print macro/micro-F1 per head."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    add_serdif_argument(parser)
    parser.add_argument("--coder", choices=("linear", "hybrid"), default="hybrid")
    parser.add_argument("--head", action="append")
    parser.add_argument("--weight", type=float, default=0.0, help="the nearest texts' vote")
    parser.add_argument("--reuse", type=Path, help="each fold's fine-tuned encoder (fold1 ...)")
    parser.add_argument("--attribute", action="append", default=[])
    args = parser.parse_args()
    heads = args.head or ["plain", "stacked"]
    book, gold, groups = benchmark_gold(args)
    out = {head: np.zeros_like(gold.labels) for head in heads}
    for fold, test_rows, train, test, tuned, cache, known_train, known_test in fold_inputs(
            args, book, gold, groups):
        for head in heads:
            settings = {"codebook": codebook_tag(book), "attributes": args.attribute,
                        "rules": book if args.coder == "hybrid" else None,
                        "neighbours": args.weight}
            if tuned is None:
                model = HeadLinear(embedder=STOCK, **settings)
            else:
                model = HeadTuned("answer", **settings)
                model.tuned, model.cache = tuned, cache
            model.head = head
            coder = HybridCoder(book, model) if args.coder == "hybrid" else model
            out[head][test_rows] = fold_decisions(coder, train, test, known_train, known_test)
            print(f"  fold {fold}: {head}: cut {model.relative_cut}", flush=True)
    print_scores(gold, book, args.coder, out, lambda head: f"{args.coder} {head}")


if __name__ == "__main__":
    main()
