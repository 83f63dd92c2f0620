"""Few-shot coders on a gold file: 10 labelled comments per code, scored on all the others.

    PYTHONPATH=. /work/main/.venv/bin/python benchmarks/bench_few_shot.py \
        [--gold ../shared/gold/nhs-patient-experience/dev.csv] \
        [--codebook models/codebooks/nhs-patient-experience.yaml] \
        [--draws 5] [--per-code 10] [--seed 0] [--cache /tmp/wavecoder-fewshot]

How a draw is made: the codes with at least ``--min-support`` (10) gold examples are taken
from the rarest to the most common; each is topped up to ``--per-code`` labelled comments by
drawing, at random (seeded: ``seed + draw``), comments that carry it and are not drawn yet. A
comment keeps all its labels, so a comment drawn for one code also counts towards every other
code it carries (a common code often has more than ``--per-code`` examples in a draw; a code
with exactly ``--per-code`` examples in the file has all of them drawn). A draw is a few
hundred comments; the coders learn from those alone (their labels for every code) and are
scored on every other comment of the file, never on a drawn one.

Scored with the project's scorer (:func:`pipeline.quality.measure.score_predictions`) on the
comments left, codes with at least ``--min-support`` examples among them (the rule the other
NHS benchmarks use, applied to what is scored), so the rarest codes, mostly drawn, drop out;
the rules are scored on the same comments as the baseline to beat. Table: macro-F1 mean ± sd
over the draws, micro-F1 mean, codes scored, macro-F1 over the codes with enough examples in
the whole file (those with any example left; a second view, as the rarest codes are most of
what the first drops), seconds (all draws, after the shared embedding).

Texts and their clauses are embedded once with MiniLM (float32) and cached by text hash under
``--cache``; the rule decisions on every text are computed once and looked up.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from nhs_gold import add_gold_arguments

from pipeline import schema as s
from pipeline.coding.clauses import split_clauses
from pipeline.coding.features import rule_matrix
from pipeline.coding.few_shot import FewShotCoder, with_examples
from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.linear import LinearCoder
from pipeline.coding.rules import RuleCoder
from pipeline.coding.semantic import SemanticCoder
from pipeline.config import Codebook, load_codebook
from pipeline.embeddings import MiniLMEmbedder
from pipeline.quality.evaluate import score
from pipeline.quality.gold import GoldSet, load_gold
from pipeline.quality.measure import known_of, score_predictions, uses_hierarchy


class CachedEmbedder:
    """MiniLM (float32) with its vectors kept on disk by text hash between runs."""

    name = MiniLMEmbedder.name

    def __init__(self, path: Path) -> None:
        self.path = path
        self.inner = MiniLMEmbedder(shared_cache=False)
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            stored = np.load(path)
            self.vectors = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    def embed(self, texts) -> np.ndarray:
        """Stored vectors where there are any; MiniLM for the rest."""
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self.vectors}
        if missing:
            vectors = self.inner.embed(list(missing.values()))
            self.vectors.update(zip(missing, vectors, strict=True))
        if not keys:
            return np.zeros((0, 384), dtype=np.float32)
        return np.vstack([self.vectors[k] for k in keys])

    def save(self) -> None:
        """Write every vector seen so far."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(self.path, keys=np.array(list(self.vectors)),
                 vectors=np.vstack(list(self.vectors.values())))


class KnownRules:
    """The rule coder's codings worked out once per text, then looked up: same output."""

    def __init__(self, rules: RuleCoder, texts: list[str]) -> None:
        self.name, self.rules = rules.name, rules
        self.by_text: dict[str, pd.DataFrame] = {}
        self._learn(texts)

    def _learn(self, texts: list[str]) -> None:
        """Code the texts not seen yet (e.g. the codebook's examples) and keep their codings."""
        unique = [t for t in dict.fromkeys(texts) if t not in self.by_text]
        if not unique:
            return
        segments = pd.DataFrame({s.SEGMENT_ID: [str(i) for i in range(len(unique))],
                                 s.START: 0, s.TEXT: unique, s.CONTEXT: None})
        codings = self.rules.code(segments)
        self.by_text.update({t: codings.iloc[:0] for t in unique})
        for segment_id, part in codings.groupby(s.SEGMENT_ID, sort=False):
            self.by_text[unique[int(segment_id)]] = part

    def code(self, segments: pd.DataFrame) -> pd.DataFrame:
        """Codings of each segment (its text coded from offset 0, shifted to its start)."""
        self._learn(segments[s.TEXT].tolist())
        frames = []
        for segment_id, start, text in segments[[s.SEGMENT_ID, s.START, s.TEXT]].itertuples(
                index=False):
            part = self.by_text[text]
            if len(part):
                part = part.copy()
                part[s.SEGMENT_ID] = segment_id
                part[s.START] += int(start)
                part[s.END] += int(start)
                frames.append(part)
        return s.conform(pd.concat(frames, ignore_index=True), s.CODINGS) if frames else (
            s.empty(s.CODINGS))


def draw(labels: np.ndarray, columns: list[int], per_code: int, seed: int) -> np.ndarray:
    """Positions of the drawn comments: each code in ``columns`` topped up to ``per_code``."""
    rng = np.random.default_rng(seed)
    chosen: list[int] = []
    taken = np.zeros(len(labels), dtype=bool)
    for j in sorted(columns, key=lambda j: (labels[:, j].sum(), j)):
        need = per_code - int(labels[taken, j].sum())
        pool = np.flatnonzero((labels[:, j] == 1) & ~taken)
        if need > 0 and len(pool):
            picked = rng.choice(pool, min(need, len(pool)), replace=False)
            taken[picked] = True
            chosen.extend(int(i) for i in picked)
    return np.array(sorted(chosen))


Candidate = Callable[["Draw"], np.ndarray]


class Draw:
    """One draw: the labelled comments, the comments scored, and what the coders share."""

    def __init__(self, gold: GoldSet, drawn: np.ndarray, book: Codebook, rules: KnownRules,
                 rule_decisions: np.ndarray, embedder: CachedEmbedder) -> None:
        rest = np.setdiff1d(np.arange(len(gold.texts)), drawn)
        self.train, self.test = gold.subset(drawn), gold.subset(rest)
        self.book, self.rules, self.embedder = book, rules, embedder
        self.rules_train, self.rules_test = rule_decisions[drawn], rule_decisions[rest]

    def semantic(self, book: Codebook) -> np.ndarray:
        """The semantic coder of ``book`` on the scored comments."""
        return rule_matrix(SemanticCoder(book, self.embedder), self.test.texts,
                           self.test.code_ids)

    def few_shot(self, **settings) -> FewShotCoder:
        """A few-shot coder fitted on the drawn comments."""
        coder = FewShotCoder(self.book, self.embedder, **settings)
        coder.use_rule_coder(self.rules)
        return coder.fit(self.train.texts, self.train.labels, self.train.code_ids)


def linear(d: Draw) -> np.ndarray:
    """The linear coder trained on the drawn comments."""
    coder = LinearCoder(codebook=f"{d.book.id}@{d.book.version}", embedder=d.embedder)
    coder.fit(d.train.texts, d.train.labels, d.train.code_ids, known_of(d.train))
    return coder.predict(d.test.texts, known_of(d.test))


def hybrid(d: Draw) -> np.ndarray:
    """Rules and the linear coder (with rule features), combined per code on held-out F1."""
    model = LinearCoder(codebook=f"{d.book.id}@{d.book.version}", rules=d.book,
                        embedder=d.embedder)
    coder = HybridCoder(d.book, model)
    coder.rules = d.rules
    model.use_rule_coder(d.rules)
    coder.fit(d.train.texts, d.train.labels, d.train.code_ids, known_of(d.train))
    return coder.predict(d.test.texts, known_of(d.test))


def semantic_examples(d: Draw) -> np.ndarray:
    """The semantic coder with the drawn comments as each code's examples."""
    return d.semantic(with_examples(d.book, d.train.texts, d.train.labels, d.train.code_ids))


def few_shot(**settings) -> Candidate:
    """The few-shot coder with ``settings``, fitted on the draw, on the scored comments."""
    return lambda d: d.few_shot(**settings).predict(d.test.texts)


CANDIDATES: dict[str, Candidate] = {
    "rules": lambda d: d.rules_test,
    "linear": linear,
    "hybrid": hybrid,
    "semantic (codebook)": lambda d: d.semantic(d.book),
    "rules ∪ semantic (codebook)": lambda d: np.maximum(d.rules_test, d.semantic(d.book)),
    "semantic + drawn examples": semantic_examples,
    "rules ∪ semantic + drawn examples": lambda d: np.maximum(d.rules_test,
                                                              semantic_examples(d)),
    "few-shot LR (embedding only)": few_shot(rule_weight=0.0, threshold=0.5),
    "rules ∪ few-shot LR (embedding only)": lambda d: np.maximum(
        d.rules_test, few_shot(rule_weight=0.0, threshold=0.5)(d)),
    "few-shot LR + rule feature": few_shot(codebook_examples=False, threshold=0.5),
    "few-shot, threshold 0.6": few_shot(codebook_examples=False, threshold=0.6),
    "few-shot + codebook examples": few_shot(codebook_examples=True, threshold=0.5),
    "few-shot + codebook examples, threshold 0.55": few_shot(codebook_examples=True,
                                                             threshold=0.55),
    "few-shot + codebook examples, threshold 0.6": few_shot(codebook_examples=True,
                                                            threshold=0.6),
    "few-shot + codebook examples, threshold 0.65": few_shot(codebook_examples=True,
                                                             threshold=0.65),
    "few-shot + codebook examples, threshold 0.6, C 8": few_shot(codebook_examples=True,
                                                                 threshold=0.6, c=8.0),
    "few-shot (the kind's defaults)": few_shot(),
}


def split_codes_macro(test: GoldSet, pred: np.ndarray, columns: list[int]) -> float:
    """Macro-F1 over the codes with enough examples in the whole file that have any left."""
    kept = [j for j in columns if test.labels[:, j].any()]
    return float(score(test.labels[:, kept], pred[:, kept], [test.code_ids[j] for j in kept],
                       n_boot=0).summary["macro_f1"])


def main() -> None:
    """Score each candidate over the draws; print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--per-code", type=int, default=10)
    parser.add_argument("--min-support", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--candidate", action="append", choices=list(CANDIDATES), default=None)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/wavecoder-fewshot"))
    args = parser.parse_args()
    book = load_codebook(args.codebook)
    gold = load_gold(args.gold, book)
    roll_up = uses_hierarchy(gold, book)
    started = time.perf_counter()
    embedder = CachedEmbedder(args.cache / "minilm-float32.npz")
    clauses = [c.text for t in gold.texts for c in split_clauses(t)]
    embedder.embed(list(dict.fromkeys(gold.texts + clauses)))
    embedder.save()
    rules = KnownRules(RuleCoder(book), gold.texts)
    rule_decisions = rule_matrix(rules, gold.texts, gold.code_ids)
    print(f"embedded {len(gold.texts)} texts and {len(clauses)} clauses, coded them with the "
          f"rules: {time.perf_counter() - started:.0f} s", flush=True)
    columns = [j for j, n in enumerate(gold.labels.sum(axis=0)) if n >= args.min_support]
    draws = []
    for k in range(args.draws):
        drawn = draw(gold.labels, columns, args.per_code, args.seed + k)
        draws.append(Draw(gold, drawn, book, rules, rule_decisions, embedder))
        print(f"draw {k}: {len(drawn)} comments labelled", flush=True)
    print(f"{'coder':50s} {'macro-F1':>15s} {'micro-F1':>8s} {'codes':>5s} "
          f"{'macro (split codes)':>19s} {'seconds':>8s}")
    for name in args.candidate or CANDIDATES:
        scores: dict[str, list[float]] = {"macro": [], "micro": [], "codes": [], "split": []}
        begun = time.perf_counter()
        for d in draws:
            pred = CANDIDATES[name](d)
            summary = score_predictions(d.test, pred, book, name, roll_up=roll_up,
                                        min_support=args.min_support, n_boot=0).summary
            scores["macro"].append(summary["macro_f1"])
            scores["micro"].append(summary["micro_f1"])
            scores["codes"].append(summary["n_codes"])
            scores["split"].append(split_codes_macro(d.test, pred, columns))
        seconds = time.perf_counter() - begun
        print(f"{name:50s} {np.mean(scores['macro']):7.3f} ± {np.std(scores['macro'], ddof=1):.3f}"
              f" {np.mean(scores['micro']):8.3f} {np.mean(scores['codes']):5.1f} "
              f"{np.mean(scores['split']):19.3f} {seconds:8.1f}", flush=True)
    embedder.save()


if __name__ == "__main__":
    main()
