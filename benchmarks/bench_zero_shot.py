"""Zero-shot coders on a gold file: the codebook only, the gold labels used only to score.

    PYTHONPATH=. /work/main/.venv/bin/python benchmarks/bench_zero_shot.py \
        [--gold ../shared/gold/nhs-patient-experience/dev.csv] \
        [--codebook models/codebooks/nhs-patient-experience.yaml]

Scored as ``wavecoder evaluate`` scores the rule coder (every text, codes with at least
``--min-support`` gold examples, macro- and micro-F1). Besides the registered coders it scores
the simplest semantic route for comparison: each text's whole-comment vector goes to its
single most similar code (one vector per code from its label and definition) above a global
cosine, which is the assignment BERTopic's zero-shot topic modelling makes with the codebook's
definitions as ``zeroshot_topic_list``. Embeddings are cached within the run only.

``--self-trained EMBEDDING`` (``static``, ``minilm`` or ``none``; repeatable) also scores
self-training: the linear coder trained on the rules' own matches over the same texts, its
out-of-fold decisions (5 folds: no text is decided by a model that saw its rule labels), and
their union with the rules. The gold labels still only score.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Sequence

import numpy as np
from nhs_gold import add_gold_arguments

from pipeline.coding.features import codebook_examples, rule_matrix
from pipeline.coding.linear import LinearCoder
from pipeline.coding.registry import new_coder
from pipeline.coding.rules import RuleCoder
from pipeline.config import load_codebook
from pipeline.embeddings import MiniLMEmbedder
from pipeline.quality.gold import load_gold
from pipeline.quality.measure import known_of, score_predictions, uses_hierarchy

ROOT = Path(__file__).resolve().parents[1]
ZERO_SHOT_MIN_SIMILARITY = (0.3, 0.4, 0.5)


def zero_shot_topics(book, texts: list[str], code_ids: list[str], floor: float) -> np.ndarray:
    """Nearest code by whole-text cosine to ``label: definition``, kept above ``floor``."""
    codes = [c for c, _ in book.walk() if c.id in code_ids]
    embedder = MiniLMEmbedder()
    topics = embedder.embed([f"{c.label}: {c.definition}" for c in codes])
    similarity = embedder.embed([t if t.strip() else " " for t in texts]) @ topics.T
    best = similarity.argmax(axis=1)
    pred = np.zeros((len(texts), len(code_ids)), dtype=int)
    column = {c: j for j, c in enumerate(code_ids)}
    for i, k in enumerate(best):
        if similarity[i, k] >= floor:
            pred[i, column[codes[k].id]] = 1
    return pred


def self_trained(gold, rules: np.ndarray, embedding: str,
                 examples: Sequence[tuple[str, str]] = ()) -> np.ndarray:
    """Out-of-fold decisions of a linear coder trained on the rules' matches (``rules``).

    ``examples`` (the codebook's) join the training rows; only the texts' rows are returned.
    """
    coder = LinearCoder(codebook="self-trained", threshold_folds=5,
                        embedding=None if embedding == "none" else embedding,
                        examples=examples)
    coder.fit(gold.texts, rules, gold.code_ids, known_of(gold))
    return coder.held_out[:len(gold.texts)]


def main() -> None:
    """Score each zero-shot coder on the gold file; print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    parser.add_argument("--min-support", type=int, default=10)
    parser.add_argument("--self-trained", action="append", default=[],
                        choices=("static", "minilm", "none"),
                        help="also score the linear coder trained on the rules' matches")
    parser.add_argument("--codebook-examples", action="store_true",
                        help="self-training: the codebook's examples join the rules' matches")
    parser.add_argument("--only-self-trained", action="store_true",
                        help="score the rules and the self-trained coders only")
    args = parser.parse_args()
    book = load_codebook(args.codebook)
    gold = load_gold(args.gold, book)
    roll_up = uses_hierarchy(gold, book)
    runs = [(name, lambda n=name: rule_matrix(new_coder(n, book), gold.texts, gold.code_ids))
            for name in ("rules", "semantic", "rules+semantic")]
    rules = rule_matrix(RuleCoder(book), gold.texts, gold.code_ids)
    if args.only_self_trained:
        runs = runs[:1]
    for floor in () if args.only_self_trained else ZERO_SHOT_MIN_SIMILARITY:
        runs.append((f"zero-shot topics @{floor}",
                     lambda f=floor: zero_shot_topics(book, gold.texts, gold.code_ids, f)))
        runs.append((f"rules ∪ zero-shot topics @{floor}", lambda f=floor: np.maximum(
            rules, zero_shot_topics(book, gold.texts, gold.code_ids, f))))
    examples = codebook_examples(book) if args.codebook_examples else []
    for embedding in args.self_trained:
        runs.append((f"rules ∪ self-trained ({embedding})", lambda e=embedding: np.maximum(
            rules, self_trained(gold, rules, e, examples))))
    print(f"{'coder':36s} {'macro-F1':>8s} {'micro-F1':>8s} {'seconds':>8s}")
    for name, predict in runs:
        started = time.perf_counter()
        pred = predict()
        seconds = time.perf_counter() - started
        summary = score_predictions(gold, pred, book, name, roll_up=roll_up,
                                    min_support=args.min_support, n_boot=0).summary
        print(f"{name:36s} {summary['macro_f1']:8.3f} {summary['micro_f1']:8.3f} "
              f"{seconds:8.1f}")


if __name__ == "__main__":
    main()
