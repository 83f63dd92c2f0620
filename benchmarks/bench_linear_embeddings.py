"""The linear coder with each sentence embedding: cross-validated F1, training time, coding speed.

    .venv/bin/python benchmarks/bench_linear_embeddings.py \
        [--gold ../shared/gold/nhs-patient-experience/dev.csv] \
        [--codebook models/codebooks/nhs-patient-experience.yaml] \
        [--embedding static --embedding minilm --embedding none] [--full-fit] \
        [--static-model FOLDER]

The folds are ``wavecoder evaluate``'s (5 multilabel-stratified folds, seed 42) and the scores
its own (codes with at least 10 gold examples, a child counting for its parents). Per fold it
times ``fit`` on the other four folds and ``code(segments)`` on the held-out one (evidence
included; MiniLM with an empty vector cache, as a new wave would meet it). ``--full-fit``
also times one fit on every text. Not a test: the numbers vary by machine.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from nhs_gold import add_gold_arguments

from benchmarks.bench_coders import as_segments
from pipeline.coding.linear import LinearCoder
from pipeline.config import load_codebook
from pipeline.embeddings import MiniLMEmbedder
from pipeline.quality.evaluate import DEFAULT_MIN_SUPPORT, cross_validate, folds
from pipeline.quality.gold import GoldSet, load_gold
from pipeline.quality.measure import known_of, score_predictions, uses_hierarchy
from pipeline.static_embeddings import StaticEmbedder

ROOT = Path(__file__).resolve().parents[1]


def new_linear(tag: str, embedding: str, static_model: Path | None = None) -> LinearCoder:
    """A linear coder with ``embedding`` (``none`` for no embeddings).

    ``static_model`` is another static model folder to read instead of the shipped one (a
    candidate from ``scripts/distill_static.py --out``), for ``static`` only.
    """
    embedder = (StaticEmbedder(static_model) if embedding == "static" and static_model
                else None)
    return LinearCoder(codebook=tag, embedding=None if embedding == "none" else embedding,
                       embedder=embedder)


def run(gold: GoldSet, book, embedding: str, full_fit: bool,
        static_model: Path | None = None) -> dict[str, object]:
    """Cross-validate one variant; its scores and timings."""
    tag, fit_s, code_rates = f"{book.id}@{book.version}", [], []

    def predict(train: GoldSet, test: GoldSet) -> tuple[np.ndarray, None]:
        coder = new_linear(tag, embedding, static_model)
        started = time.perf_counter()
        coder.fit(train.texts, train.labels, train.code_ids, known_of(train))
        fit_s.append(time.perf_counter() - started)
        pred = coder.predict(test.texts, known_of(test))
        if embedding == "minilm":  # a new wave's texts are not in the cache
            coder.embedder = MiniLMEmbedder(shared_cache=False)
        segments = as_segments(test.texts, known_of(test))
        started = time.perf_counter()
        coder.code(segments)
        code_rates.append(len(segments) / (time.perf_counter() - started))
        print(f"{embedding}: fold {len(fit_s)} fit {fit_s[-1]:.1f} s, "
              f"code {code_rates[-1]:.0f} segments/s", flush=True)
        return pred, None

    pred, _ = cross_validate(predict, gold, folds(gold.labels, 5, 42))
    summary = score_predictions(gold, pred, book, f"linear[{embedding}]",
                                roll_up=uses_hierarchy(gold, book),
                                min_support=DEFAULT_MIN_SUPPORT, n_boot=0).summary
    row = {"embedding": embedding, "macro_f1": round(summary["macro_f1"], 4),
           "micro_f1": round(summary["micro_f1"], 4), "codes_scored": summary["n_codes"],
           "fit_s_per_fold": round(float(np.mean(fit_s)), 1),
           "segments_per_s": round(float(np.median(code_rates)))}
    if full_fit:
        started = time.perf_counter()
        new_linear(tag, embedding, static_model).fit(gold.texts, gold.labels, gold.code_ids,
                                                     known_of(gold))
        row["fit_s_all_texts"] = round(time.perf_counter() - started, 1)
    return row


def main() -> None:
    """Run each variant; print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    parser.add_argument("--embedding", action="append", default=None,
                        choices=("static", "minilm", "none"))
    parser.add_argument("--full-fit", action="store_true", help="also time a fit on every text")
    parser.add_argument("--static-model", type=Path, default=None,
                        help="a static model folder to measure instead of the shipped one")
    args = parser.parse_args()
    book = load_codebook(args.codebook)
    gold = load_gold(args.gold, book)
    rows = []
    for embedding in args.embedding or ("static", "minilm", "none"):
        rows.append(run(gold, book, embedding, args.full_fit, args.static_model))
        print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
