"""The linear coder's probabilities blended with a vote of each text's nearest training texts.

    flock /tmp/wavecoder-heavy.lock .venv/bin/python benchmarks/bench_knn_blend.py \
        [--coder hybrid] [--weight 0 --weight 0.3] [--k 15] [--reuse ENCODERS]

The linear model learns one weight vector per code; a code whose texts say it in several
unrelated ways (or with few examples) may be found better by the texts nearest a new one. Each
text's neighbours are the ``k`` training texts whose sentence vectors (the vectors the linear
model reads: stock MiniLM, or with ``--reuse`` each fold's fine-tuned encoder saved by
``bench_tuned_inputs.py --keep``) are most like its own; a code's vote is the
similarity-weighted share of them carrying it. The coder's probability becomes ``(1 - w)`` ×
its own + ``w`` × the vote, on the held-out training texts (where thresholds, cut and the
hybrid's per-code choice are learned; a training text's neighbours exclude itself) and on new
texts alike. ``--weight 0`` is the coder as the product builds it. Folds are ``evaluate``'s
(seed 42), the NHS split by default.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from bench_tuned_inputs import STOCK, PreTuned, tuned_for
from nhs_gold import add_gold_arguments, add_serdif_argument, benchmark_gold

from pipeline.coding.disk import codebook_tag
from pipeline.coding.finetune import Settings
from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.linear import LinearCoder
from pipeline.quality.evaluate import folds
from pipeline.quality.measure import known_of, score_predictions, uses_hierarchy


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def vote(similarity: np.ndarray, target: np.ndarray, k: int) -> np.ndarray:
    """Per row of ``similarity`` (texts × training texts): each code's weighted neighbour share."""
    k = min(k, similarity.shape[1])
    nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    weights = np.clip(np.take_along_axis(similarity, nearest, axis=1), 0, None)
    weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
    return np.einsum("nk,nkc->nc", weights, target[nearest])


class KnnBlend:
    """Mixin for a linear coder: its probabilities blended with the neighbours' vote."""

    weight: float = 0.0
    k: int = 15
    cache: dict | None = None  # text -> vector, shared by a fold's models (one encoder)

    def _embed(self, texts):
        if self.cache is None:
            vectors = super()._embed(texts)  # type: ignore[misc]
        else:
            missing = [text for text in dict.fromkeys(texts) if text not in self.cache]
            if missing:
                found = super()._embed(missing)  # type: ignore[misc]
                self.cache.update(zip(missing, found, strict=True))
            vectors = np.stack([self.cache[text] for text in texts])
        self._last_vectors = _unit(np.asarray(vectors, dtype=np.float64))
        return vectors

    def held_out_proba(self, features, target):
        """The coder's held-out probabilities blended with each training text's vote."""
        proba = super().held_out_proba(features, target)  # type: ignore[misc]
        self._train_vectors, self._train_target = self._last_vectors, target
        if not self.weight:
            return proba
        similarity = self._train_vectors @ self._train_vectors.T
        np.fill_diagonal(similarity, -np.inf)  # a text is not its own neighbour
        return (1 - self.weight) * proba + self.weight * vote(similarity, target, self.k)

    def predict_proba(self, texts, context=None):
        """The coder's probabilities blended with each text's vote."""
        proba = super().predict_proba(texts, context)  # type: ignore[misc]
        if not self.weight or not len(proba) or not self._columns:
            return proba
        similarity = self._last_vectors @ self._train_vectors.T
        proba[:, self._columns] = ((1 - self.weight) * proba[:, self._columns] + self.weight
                                   * vote(similarity, self._train_target, self.k))
        return proba


class StockBlend(KnnBlend, LinearCoder):
    """The linear coder on stock MiniLM, blended."""


class TunedBlend(KnnBlend, PreTuned):
    """The linear coder on a fold's fine-tuned encoder (answer alone), blended."""


def main() -> None:
    """Print macro/micro-F1 per blend weight."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    add_serdif_argument(parser)
    parser.add_argument("--coder", choices=("linear", "hybrid"), default="hybrid")
    parser.add_argument("--weight", type=float, action="append")
    parser.add_argument("--k", type=int, default=15)
    parser.add_argument("--reuse", type=Path, help="each fold's fine-tuned encoder (fold1 ...)")
    parser.add_argument("--attribute", action="append", default=[],
                        help="a gold column the linear model reads as a one-hot feature")
    args = parser.parse_args()
    weights = args.weight or [0.0, 0.3]
    book, gold, groups = benchmark_gold(args)
    splits = folds(gold.labels, 5, 42, groups)
    out = {w: np.zeros_like(gold.labels) for w in weights}
    for fold, (train_rows, test_rows) in enumerate(splits, start=1):
        train, test = gold.subset(train_rows), gold.subset(test_rows)
        tuned = (tuned_for(train, book, Settings(), fold, None, args.reuse)
                 if args.reuse else None)
        cache: dict = {}
        known_train, known_test = known_of(train, args.attribute), known_of(test, args.attribute)
        for weight in weights:
            rules = book if args.coder == "hybrid" else None
            if tuned is None:
                model = StockBlend(codebook=codebook_tag(book), rules=rules, embedder=STOCK,
                                   attributes=args.attribute)
            else:
                model = TunedBlend("answer", codebook=codebook_tag(book), rules=rules,
                                   attributes=args.attribute)
                model.tuned, model.cache = tuned, cache
            model.weight, model.k = weight, args.k
            coder = HybridCoder(book, model) if args.coder == "hybrid" else model
            coder.fit(train.texts, train.labels, train.code_ids, known_train)
            out[weight][test_rows] = coder.predict(test.texts, known_test)
            print(f"  fold {fold}: weight {weight}: cut {model.relative_cut}", flush=True)
    roll_up = uses_hierarchy(gold, book)
    for weight, pred in out.items():
        summary = score_predictions(gold, pred, book, args.coder, roll_up=roll_up).summary
        print(f"  {args.coder} {args.attribute} k {args.k} weight {weight:.2f}: "
              f"macro-F1 {summary['macro_f1']:.4f} "
              f"{summary['macro_f1_ci']}  micro-F1 {summary['micro_f1']:.4f}", flush=True)


if __name__ == "__main__":
    main()
