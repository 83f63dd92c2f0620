"""The fine-tuned MiniLM coder against the linear coder, on the same folds: F1 and time.

    .venv/bin/python benchmarks/bench_finetuned.py \
        [--gold ../shared/gold/nhs-patient-experience/dev.csv] \
        [--codebook models/codebooks/nhs-patient-experience.yaml] \
        [--folds 5] [--budget 540] [--variant finetuned --variant linear \
         --variant linear+finetuned] [--full-fit]

The folds are ``wavecoder evaluate``'s (5 multilabel-stratified folds, seed 42); ``--folds N``
runs only the first N of them (a partial figure, labelled so). Scores are ``evaluate``'s: codes
with at least 10 examples in the whole gold file (a child counting for its parents), on the
texts of the folds run. Variants: ``finetuned`` (the fine-tuned coder), ``linear`` (the
default linear coder, stock MiniLM embeddings) and ``linear+finetuned`` (the linear coder with
the fold's fine-tuned encoder as its sentence embeddings). ``--full-fit`` also times the
fine-tuned coder trained on every text. Not a test: the numbers vary by machine.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from nhs_gold import add_gold_arguments

from pipeline.coding.finetune import Settings
from pipeline.coding.finetuned import FinetunedCoder
from pipeline.coding.linear import LinearCoder
from pipeline.config import load_codebook
from pipeline.quality.evaluate import DEFAULT_MIN_SUPPORT, folds, score
from pipeline.quality.gold import load_gold
from pipeline.quality.measure import known_of, uses_hierarchy, with_ancestors

VARIANTS = ("finetuned", "linear", "linear+finetuned")


class FinetunedEmbedder:
    """A fine-tuned coder's encoder as sentence embeddings (mean-pooled, unit length)."""

    name = "minilm:all-MiniLM-L6-v2"  # what the linear coder expects of its embedder

    def __init__(self, coder: FinetunedCoder) -> None:
        self.coder = coder

    def embed(self, texts):
        """Embed ``texts`` with the fine-tuned encoder."""
        return self.coder.network.embed(list(texts))


def main() -> None:
    """Run the variants fold by fold; print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    parser.add_argument("--folds", type=int, default=5, help="how many of the 5 folds to run")
    parser.add_argument("--budget", type=float, default=540.0,
                        help="fine-tuning wall clock per fit, seconds")
    parser.add_argument("--variant", action="append", choices=VARIANTS, default=None)
    parser.add_argument("--full-fit", action="store_true",
                        help="also time the fine-tuned coder trained on every text")
    args = parser.parse_args()
    variants = args.variant or list(VARIANTS)
    book = load_codebook(args.codebook)
    gold = load_gold(args.gold, book)
    tag = f"{book.id}@{book.version}"
    splits = folds(gold.labels, 5, 42)[:args.folds]
    preds = {v: np.zeros_like(gold.labels) for v in variants}
    seconds: dict[str, list[float]] = {v: [] for v in variants}
    for k, (train, test) in enumerate(splits, 1):
        tr, te = gold.subset(train), gold.subset(test)
        tuned = None
        if "finetuned" in variants or "linear+finetuned" in variants:
            started = time.perf_counter()
            tuned = FinetunedCoder(codebook=tag, settings=Settings(budget_s=args.budget)).fit(
                tr.texts, tr.labels, tr.code_ids, known_of(tr))
            seconds["finetuned"] = seconds.get("finetuned", []) + [time.perf_counter() - started]
            preds.setdefault("finetuned", np.zeros_like(gold.labels))[test] = tuned.predict(
                te.texts, known_of(te))
            print(f"fold {k} finetuned: {seconds['finetuned'][-1]:.0f} s, "
                  f"{tuned.history.to_json()}", flush=True)
        for variant in ("linear", "linear+finetuned"):
            if variant not in variants:
                continue
            started = time.perf_counter()
            coder = LinearCoder(codebook=tag)
            if variant == "linear+finetuned":
                coder.embedder = FinetunedEmbedder(tuned)
            coder.fit(tr.texts, tr.labels, tr.code_ids, known_of(tr))
            seconds[variant].append(time.perf_counter() - started)
            preds[variant][test] = coder.predict(te.texts, known_of(te))
            print(f"fold {k} {variant}: {seconds[variant][-1]:.0f} s", flush=True)
    rows_run = np.concatenate([test for _, test in splits])
    roll_up = uses_hierarchy(gold, book)
    truth, codes = (with_ancestors(gold.labels, gold.code_ids, book) if roll_up
                    else (gold.labels, list(gold.code_ids)))
    scored = [j for j in range(len(codes)) if truth[:, j].sum() >= DEFAULT_MIN_SUPPORT]
    rows = []
    for variant in variants:
        pred = preds[variant]
        if roll_up:
            pred, _ = with_ancestors(pred, gold.code_ids, book)
        summary = score(truth[rows_run][:, scored], pred[rows_run][:, scored],
                        [codes[j] for j in scored], n_boot=0).summary
        rows.append({"coder": variant, "folds": f"{len(splits)}/5",
                     "macro_f1": summary["macro_f1"], "micro_f1": summary["micro_f1"],
                     "codes_scored": len(scored),
                     "fit_s_per_fold": round(float(np.mean(seconds[variant])), 1)})
    if args.full_fit:
        started = time.perf_counter()
        full = FinetunedCoder(codebook=tag, settings=Settings(budget_s=args.budget)).fit(
            gold.texts, gold.labels, gold.code_ids, known_of(gold))
        print(f"full fit: {time.perf_counter() - started:.0f} s, {full.history.to_json()}")
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
