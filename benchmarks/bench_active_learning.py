"""Active learning against random sampling, simulated on a gold file (table, CSV and chart).

    .venv/bin/python benchmarks/bench_active_learning.py \
        [--gold ../shared/gold/nhs-patient-experience/dev.csv] \
        [--codebook models/codebooks/nhs-patient-experience.yaml] \
        [--start 200] [--step 100] [--rounds 12|all] [--inner-folds 3] [--out docs] \
        [--name active-learning] [--strategy queue|random] [--rarity-weight W]
        [--shortlist CANDIDATES]
    .venv/bin/python benchmarks/bench_active_learning.py --combine A.csv B.csv [--out docs]

A multilabel-stratified 30% of the gold texts is held out for scoring only. From the rest
(the pool) a seeded 200 start labelled; each round the linear coder is retrained on the
labelled texts, scored on the held-out part (macro and micro F1 on codes with at least 10
examples there, children counted for parents as ``evaluate`` does), and 100 more pool texts
are labelled (``--rounds all``: until the pool is used up, the last round taking what is
left, so both strategies end on the same texts), chosen (a) by
:func:`pipeline.quality.active.review_order` (uncertainty, the trained coder versus rules and
rules ∪ semantic, the rarity of the codes a text likely holds given the labelled positives so
far, round-robin over k-means clusters of the MiniLM embeddings) or (b) at random. Texts are
embedded once (float32) and the embeddings and the rule and rules ∪ semantic decisions are
cached under ``--cache``.
Writes ``<name>.csv`` and ``<name>.png`` into ``--out`` (``--name``: ``active-learning``).
The strategies do not depend on each other, so each can run in its own process
(``--strategy``, its own ``--out``) and ``--combine`` merges their CSVs into the table, the
chart and the labels the queue saved.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import numpy as np
import pandas as pd
from nhs_gold import add_gold_arguments

from pipeline.coding.features import rule_matrix
from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.linear import LinearCoder
from pipeline.coding.rules import RuleCoder
from pipeline.coding.union import RulesSemanticCoder
from pipeline.config import Codebook, load_codebook
from pipeline.embeddings import MiniLMEmbedder
from pipeline.quality.active import RARITY_WEIGHT, SHORTLIST, rarity, review_order
from pipeline.quality.evaluate import folds
from pipeline.quality.gold import GoldSet, load_gold
from pipeline.quality.measure import known_of, score_predictions, uses_hierarchy

ROOT = Path(__file__).resolve().parents[1]
MIN_SUPPORT = 10
STRATEGIES = ("queue", "random")


class Precomputed:
    """Vectors looked up by text (embedded once); anything else goes to MiniLM."""

    name = MiniLMEmbedder.name

    def __init__(self, texts: list[str], vectors: np.ndarray) -> None:
        self.vectors = dict(zip(texts, vectors, strict=True))
        self.fallback = MiniLMEmbedder()

    def embed(self, texts) -> np.ndarray:
        """Stored vectors where there are any, MiniLM (float32) for the rest."""
        texts = list(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.fallback.embed(missing), strict=True))
        return np.vstack([self.vectors[t] for t in texts]).astype(np.float32)


def decisions_of(coder, texts: list[str], code_ids: list[str]) -> np.ndarray:
    """0/1 decisions (texts × codes) of a coder that codes a segments table."""
    return rule_matrix(coder, texts, code_ids)


def cached_inputs(gold: GoldSet, book: Codebook, cache: Path) -> tuple[np.ndarray, dict]:
    """Embeddings of every gold text and the rule and rules ∪ semantic decisions, cached."""
    key = hashlib.sha256(("\n".join(gold.texts) + book.id + book.version).encode()).hexdigest()
    path = cache / f"active-{key[:16]}.npz"
    if path.exists():
        stored = np.load(path)
        return stored["embeddings"], {"rules": stored["rules"],
                                      "rules+semantic": stored["rules_semantic"]}
    started = time.perf_counter()
    vectors = MiniLMEmbedder(progress=True).embed(gold.texts)
    embedder = Precomputed(gold.texts, vectors)
    print(f"embedded {len(gold.texts)} texts in {time.perf_counter() - started:.0f} s")
    rules = decisions_of(RuleCoder(book), gold.texts, gold.code_ids)
    both = decisions_of(RulesSemanticCoder(book, embedder), gold.texts, gold.code_ids)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, embeddings=vectors, rules=rules, rules_semantic=both)
    return vectors, {"rules": rules, "rules+semantic": both}


def held_out_split(gold: GoldSet, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(pool, test) positions: 3 of 10 multilabel-stratified folds are the test part."""
    parts = folds(gold.labels, 10, seed)
    test = np.sort(np.concatenate([parts[k][1] for k in range(3)]))
    pool = np.setdiff1d(np.arange(len(gold.texts)), test)
    return pool, test


def main() -> None:
    """Run both strategies round by round; print a table, write the CSV and the chart."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    parser.add_argument("--start", type=int, default=200)
    parser.add_argument("--step", type=int, default=100)
    parser.add_argument("--rounds", type=rounds_of, default=12,
                        help="rounds after the first model, or 'all': until the pool is used up")
    parser.add_argument("--name", default="active-learning",
                        help="the stem of the CSV and the chart written into --out")
    parser.add_argument("--inner-folds", type=int, default=3,
                        help="folds of the labelled texts that set the linear coder's thresholds")
    parser.add_argument("--strategy", action="append", choices=STRATEGIES, default=None,
                        help="run only these (the same seed gives the same curves either way)")
    parser.add_argument("--rarity-weight", type=float, default=RARITY_WEIGHT,
                        help="the queue's weight on texts likely to hold rarely labelled codes")
    parser.add_argument("--disagreement-weight", type=float, default=1.0)
    parser.add_argument("--shortlist", type=int, default=SHORTLIST[1], metavar="CANDIDATES",
                        help="spread each batch over the clusters from the CANDIDATES "
                             "highest-priority texts left (0: from the whole pool)")
    parser.add_argument("--combine", type=Path, nargs="+", default=None,
                        help="no simulation: merge these CSVs (e.g. one run per strategy) "
                             "into the table, CSV and chart")
    parser.add_argument("--coder", choices=("linear", "hybrid"), default="linear",
                        help="retrained each round: the linear coder, or hybrid (the linear "
                             "coder with rule features, combined with the rules per code)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/wavecoder-active"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    if args.combine:
        report(pd.concat([pd.read_csv(path) for path in args.combine]), args.out, args.name)
        return
    book = load_codebook(args.codebook)
    gold = load_gold(args.gold, book)
    roll_up = uses_hierarchy(gold, book)
    embeddings, others = cached_inputs(gold, book, args.cache)
    embedder = Precomputed(gold.texts, embeddings)
    pool, test = held_out_split(gold, args.seed)
    test_gold = gold.subset(test)
    start = np.random.default_rng(args.seed).choice(pool, args.start, replace=False)
    labelled = {"queue": list(start), "random": list(start)}
    rng = np.random.default_rng(args.seed + 1)
    rows: list[dict] = []
    shared: tuple[dict, object] | None = None  # round 0: both start from the same model
    last = -(-(len(pool) - args.start) // args.step) if args.rounds is None else args.rounds
    for round_ in range(last + 1):
        for strategy in args.strategy or STRATEGIES:
            chosen = labelled[strategy]
            if round_ == 0 and shared is not None:
                rows.append({**shared[0], "strategy": strategy})
                coder = shared[1]
            else:
                started = time.perf_counter()
                # sorted: a model depends on which texts are labelled, not on the order
                # they were picked in (the inner threshold folds are drawn by position)
                train = gold.subset(sorted(chosen))
                coder = LinearCoder(codebook=f"{book.id}@{book.version}", embedding="minilm",
                                    embedder=embedder, threshold_folds=args.inner_folds,
                                    seed=args.seed,
                                    rules=book if args.coder == "hybrid" else None)
                if args.coder == "hybrid":
                    coder = HybridCoder(book, coder)
                coder.fit(train.texts, train.labels, train.code_ids, known_of(train))
                pred = coder.predict(test_gold.texts, known_of(test_gold))
                summary = score_predictions(test_gold, pred, book, args.coder, roll_up=roll_up,
                                            min_support=MIN_SUPPORT, n_boot=0).summary
                rows.append({"strategy": strategy, "round": round_, "labels": len(chosen),
                             "macro_f1": summary["macro_f1"], "micro_f1": summary["micro_f1"],
                             "codes_scored": summary["n_codes"],
                             "train_s": round(time.perf_counter() - started, 1)})
                if round_ == 0:
                    shared = rows[-1], coder
            print(pd.DataFrame(rows[-1:]).to_string(index=False, header=len(rows) == 1),
                  flush=True)
            if round_ == last:
                continue
            unlabelled = np.setdiff1d(pool, chosen)
            if strategy == "random":
                picked = rng.choice(unlabelled, min(args.step, len(unlabelled)), replace=False)
            else:
                subset = gold.subset(unlabelled)
                model = coder.model if args.coder == "hybrid" else coder  # its probabilities
                proba = model.predict_proba(subset.texts, known_of(subset))
                cuts = model.threshold_vector()
                theirs = {k: v[unlabelled] for k, v in others.items()}
                rare = rarity(proba, cuts, gold.labels[chosen].sum(axis=0), theirs)
                order = review_order(proba, cuts, theirs, embeddings[unlabelled],
                                     seed=args.seed, rarity_scores=rare,
                                     rarity_weight=args.rarity_weight,
                                     disagreement_weight=args.disagreement_weight,
                                     shortlist=(args.step, args.shortlist) if args.shortlist
                                     else None)
                picked = unlabelled[order[:args.step]]
            labelled[strategy] = chosen + [int(i) for i in picked]
        write_results(pd.DataFrame(rows), args.out, args.name)  # a partial run counts
    report(pd.DataFrame(rows), args.out, args.name)


def rounds_of(value: str) -> int | None:
    """``--rounds``: a count of rounds, or None for 'all' (until the pool is used up)."""
    if value == "all":
        return None
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of rounds or 'all', got {value!r}")
    return int(value)


def report(table: pd.DataFrame, out: Path, name: str) -> None:
    """Write the CSV and chart; print F1 by labels and strategy, and the labels the queue saved."""
    write_results(table, out, name)
    print(table.pivot(index="labels", columns="strategy", values=["macro_f1", "micro_f1"]))
    if table.strategy.nunique() == len(STRATEGIES):
        print(reached(table))


def reached(table: pd.DataFrame) -> str:
    """How many labels the queue needed to reach random sampling's final macro-F1.

    Random's final point is at the largest number of labels both strategies ran to.
    """
    randoms = table[table.strategy == "random"].sort_values("labels")
    queue = table[table.strategy == "queue"].sort_values("labels")
    final = randoms[randoms.labels <= queue.labels.max()].iloc[-1]
    hit = queue[(queue.macro_f1 >= final.macro_f1) & (queue.labels <= final.labels)]
    if hit.empty:
        return (f"the queue did not reach random's final macro-F1 {final.macro_f1:.3f} "
                f"({int(final.labels)} labels) within {int(queue.labels.max())} labels")
    need = int(hit.labels.iloc[0])
    return (f"random: macro-F1 {final.macro_f1:.3f} with {int(final.labels)} labels; the queue "
            f"reached it with {need} labels ({need / final.labels:.0%} of random's)")


def write_results(table: pd.DataFrame, out: Path, name: str) -> None:
    """``<name>.csv`` and a chart, ``<name>.png``, of macro- and micro-F1 against labels used."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / f"{name}.csv", index=False)
    figure, axes = plt.subplots(figsize=(7, 4.2))
    for strategy, colour in (("queue", "#1f77b4"), ("random", "#ff7f0e")):
        part = table[table.strategy == strategy].sort_values("labels")
        label = "review queue" if strategy == "queue" else "random"
        axes.plot(part.labels, part.macro_f1, "o-", color=colour, label=f"{label}: macro-F1")
        axes.plot(part.labels, part.micro_f1, "s--", color=colour, alpha=0.6,
                  label=f"{label}: micro-F1")
    axes.set_xlabel("labelled comments")
    axes.set_ylabel(f"F1 on held-out comments (codes with ≥ {MIN_SUPPORT} examples)")
    axes.set_title("Active learning vs random sampling, linear coder, NHS development split",
                   fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out / f"{name}.png", dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    main()
