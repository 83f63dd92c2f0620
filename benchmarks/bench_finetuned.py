"""The fine-tuned MiniLM coder against the linear coder, on the same folds: F1 and time.

    .venv/bin/python benchmarks/bench_finetuned.py \
        [--gold ../shared/gold/nhs-patient-experience/dev.csv] \
        [--codebook models/codebooks/nhs-patient-experience.yaml] \
        [--fold 1 --fold 2 ...] [--budget 540] [--variant finetuned --variant linear \
         --variant linear+finetuned] [--preds /tmp/you/finetuned-folds.npz] [--full-fit]

The folds are ``wavecoder evaluate``'s (5 multilabel-stratified folds, seed 42); ``--fold``
runs only some of them (the table names the folds behind each figure), and ``--preds`` keeps
each fold's decisions so a later run adds folds to an earlier one. Scores are ``evaluate``'s: codes
with at least 10 examples in the whole gold file (a child counting for its parents), on the
texts of the folds run. Variants: ``finetuned`` (the fine-tuned coder), ``linear`` (the
default linear coder, stock MiniLM embeddings) and ``linear+finetuned`` (the linear coder with
the fold's fine-tuned encoder as its sentence embeddings: the ``linear-finetuned`` coder, here
with the same fine-tuning budget as ``finetuned``) and ``hybrid+finetuned`` (that linear coder
with rule features, combined with the rules per code as ``hybrid`` does). ``--full-fit``
also times the fine-tuned coder trained on every text. Not a test: the numbers vary by machine.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from nhs_gold import add_gold_arguments

from pipeline.coding.finetune import Settings
from pipeline.coding.finetuned import FinetunedCoder
from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.linear import LinearCoder
from pipeline.coding.linear_tuned import TunedEmbedder
from pipeline.config import load_codebook
from pipeline.quality.evaluate import DEFAULT_MIN_SUPPORT, folds, score
from pipeline.quality.gold import load_gold
from pipeline.quality.measure import known_of, uses_hierarchy, with_ancestors

VARIANTS = ("finetuned", "linear", "linear+finetuned", "hybrid+finetuned")


def load_state(path: Path | None, shape: tuple[int, int]) -> dict[str, dict]:
    """Predictions, folds done and fit times per variant, from an earlier run's ``--preds``."""
    state: dict[str, dict] = {v: {"pred": np.zeros(shape, dtype=int), "done": [],
                                  "seconds": []} for v in VARIANTS}
    if path is not None and path.is_file():
        with np.load(path, allow_pickle=False) as data:
            for v in VARIANTS:
                if f"{v}:pred" in data:
                    state[v] = {"pred": data[f"{v}:pred"], "done": data[f"{v}:done"].tolist(),
                                "seconds": data[f"{v}:seconds"].tolist()}
    return state


def save_state(path: Path | None, state: dict[str, dict]) -> None:
    """Write ``state`` to ``path`` (after every fold, so an interrupted run keeps its folds)."""
    if path is not None:
        np.savez(path, **{f"{v}:{key}": np.asarray(part[key]) for v, part in state.items()
                          for key in ("pred", "done", "seconds")})


def table(gold, book, state: dict[str, dict], variants: list[str], splits) -> pd.DataFrame:
    """Macro and micro F1 per variant, on the texts of the folds it has run."""
    roll_up = uses_hierarchy(gold, book)
    truth, codes = (with_ancestors(gold.labels, gold.code_ids, book) if roll_up
                    else (gold.labels, list(gold.code_ids)))
    scored = [j for j in range(len(codes)) if truth[:, j].sum() >= DEFAULT_MIN_SUPPORT]
    rows = []
    for variant in variants:
        done = state[variant]["done"]
        if not done:
            continue
        rows_run = np.concatenate([splits[k - 1][1] for k in done])
        pred = state[variant]["pred"]
        if roll_up:
            pred, _ = with_ancestors(pred, gold.code_ids, book)
        summary = score(truth[rows_run][:, scored], pred[rows_run][:, scored],
                        [codes[j] for j in scored], n_boot=0).summary
        rows.append({"coder": variant, "folds": ",".join(map(str, sorted(done))),
                     "macro_f1": summary["macro_f1"], "micro_f1": summary["micro_f1"],
                     "codes_scored": len(scored),
                     "fit_s_per_fold": round(float(np.mean(state[variant]["seconds"])), 1)})
    return pd.DataFrame(rows)


def run_fold(gold, book, split, k: int, variants: list[str], state: dict[str, dict],
             budget: float) -> None:
    """Fit each variant not yet run on fold ``k``; record its held-out decisions and time."""
    train, test = split
    tag = f"{book.id}@{book.version}"
    tr, te = gold.subset(train), gold.subset(test)
    todo = [v for v in variants if k not in state[v]["done"]]
    tuned = None
    if {"finetuned", "linear+finetuned", "hybrid+finetuned"} & set(todo):
        started = time.perf_counter()
        tuned = FinetunedCoder(codebook=tag, settings=Settings(budget_s=budget)).fit(
            tr.texts, tr.labels, tr.code_ids, known_of(tr))
        elapsed = time.perf_counter() - started
        print(f"fold {k} finetuned: {elapsed:.0f} s, {tuned.history.to_json()}", flush=True)
        if "finetuned" in todo:
            state["finetuned"]["pred"][test] = tuned.predict(te.texts, known_of(te))
            state["finetuned"]["done"].append(k)
            state["finetuned"]["seconds"].append(elapsed)
    for variant in ("linear", "linear+finetuned", "hybrid+finetuned"):
        if variant not in todo:
            continue
        started = time.perf_counter()
        linear = LinearCoder(codebook=tag, rules=book if variant.startswith("hybrid") else None)
        if variant.endswith("+finetuned"):
            linear.embedder = TunedEmbedder(tuned.network)
        coder = HybridCoder(book, linear) if variant.startswith("hybrid") else linear
        coder.fit(tr.texts, tr.labels, tr.code_ids, known_of(tr))
        state[variant]["seconds"].append(time.perf_counter() - started)
        state[variant]["pred"][test] = coder.predict(te.texts, known_of(te))
        state[variant]["done"].append(k)
        print(f"fold {k} {variant}: {state[variant]['seconds'][-1]:.0f} s", flush=True)


def main() -> None:
    """Run the variants fold by fold; print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    parser.add_argument("--fold", type=int, action="append", choices=range(1, 6),
                        help="run this fold (1-5; repeat; default all five)")
    parser.add_argument("--budget", type=float, default=540.0,
                        help="fine-tuning wall clock per fit, seconds")
    parser.add_argument("--variant", action="append", choices=VARIANTS, default=None)
    parser.add_argument("--preds", type=Path, default=None,
                        help="npz keeping each fold's decisions: folds already in it are "
                             "not run again, and the table covers every fold it holds")
    parser.add_argument("--full-fit", action="store_true",
                        help="also time the fine-tuned coder trained on every text")
    args = parser.parse_args()
    variants = args.variant or list(VARIANTS)
    book = load_codebook(args.codebook)
    gold = load_gold(args.gold, book)
    tag = f"{book.id}@{book.version}"
    splits = folds(gold.labels, 5, 42)
    state = load_state(args.preds, gold.labels.shape)
    for k in args.fold or range(1, 6):
        run_fold(gold, book, splits[k - 1], k, variants, state, args.budget)
        save_state(args.preds, state)
        print(table(gold, book, state, variants, splits).to_string(index=False), flush=True)
    if args.full_fit:
        started = time.perf_counter()
        full = FinetunedCoder(codebook=tag, settings=Settings(budget_s=args.budget)).fit(
            gold.texts, gold.labels, gold.code_ids, known_of(gold))
        print(f"full fit: {time.perf_counter() - started:.0f} s, {full.history.to_json()}")
    print(table(gold, book, state, variants, splits).to_string(index=False))


if __name__ == "__main__":
    main()
