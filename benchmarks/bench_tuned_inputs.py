"""What the fine-tuned encoder embeds for the linear coder: the answer alone, or with its question.

    flock /tmp/wavecoder-heavy.lock .venv/bin/python benchmarks/bench_tuned_inputs.py \
        --serdif --budget 900 [--keep DIR | --reuse DIR]      # SERDIF by session, guide prompt
    flock /tmp/wavecoder-heavy.lock .venv/bin/python benchmarks/bench_tuned_inputs.py \
        --coder hybrid-finetuned --budget 420 [--keep DIR]    # the NHS split

``linear-finetuned`` fine-tunes MiniLM on ``question: answer`` (``FinetunedCoder.inputs``) and
then gives the linear coder that encoder's vectors of the answer alone. Each fold's encoder is
fine-tuned once here; the linear coder (or the hybrid on it) is then fitted on it once per
``--variant``: embedding the answer, ``question: answer``, or the answer by the fine-tuned
encoder and by stock MiniLM side by side. Each decides the fold's test texts with its learned
cut and with thresholds alone. Folds are ``evaluate``'s (seed 42; SERDIF by session).
``--keep DIR`` saves each fold's fine-tuned coder, ``--reuse DIR`` reads them instead of
fine-tuning again (the same gold, folds and seed only). ``--attribute COLUMN`` gives the linear
model a gold column as a one-hot feature, as ``wavecoder evaluate --attribute`` does (the
encoder is fine-tuned without it, as the product's is). ``--lr``, ``--loss``, ``--contrast``
and ``--seed`` change the fine-tuning itself (``--contrast W`` adds the pair term,
``finetune.pair_loss``, at weight W).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from nhs_gold import add_gold_arguments, add_serdif_argument, benchmark_gold

from pipeline.coding.disk import codebook_tag
from pipeline.coding.features import codebook_examples
from pipeline.coding.finetune import LOSSES, Settings
from pipeline.coding.finetuned import FinetunedCoder
from pipeline.coding.hybrid import HybridCoder
from pipeline.coding.linear import LinearCoder
from pipeline.coding.linear_tuned import DEFAULT_EPOCHS, TunedEmbedder, TunedLinearCoder
from pipeline.coding.thresholds import best_relative_cut, best_thresholds, decide
from pipeline.embeddings import MiniLMEmbedder
from pipeline.quality.evaluate import folds
from pipeline.quality.measure import known_of, score_predictions, uses_hierarchy

VARIANTS = ("answer", "question: answer", "answer, and stock MiniLM")
STOCK = MiniLMEmbedder()  # one cache for every fold


class ScaledEmbedder:
    """The fine-tuned encoder's vectors times a factor: their weight against the n-grams."""

    def __init__(self, tuned: TunedEmbedder, factor: float) -> None:
        self.tuned, self.factor = tuned, factor

    def embed(self, texts) -> np.ndarray:
        """The scaled vectors."""
        return self.factor * self.tuned.embed(texts)


class BothEmbedder:
    """The fine-tuned encoder's vector of a text beside stock MiniLM's."""

    def __init__(self, tuned: TunedEmbedder) -> None:
        self.tuned = tuned

    def embed(self, texts) -> np.ndarray:
        """Both vectors of each text, side by side."""
        return np.hstack([self.tuned.embed(texts), STOCK.embed(texts)])


class PreTuned(TunedLinearCoder):
    """A ``linear-finetuned`` coder given an encoder already fine-tuned on its training texts."""

    def __init__(self, variant: str, scale: float = 1.0, dev_thresholds: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.variant, self.scale, self.dev_thresholds = variant, scale, dev_thresholds

    def held_out_proba(self, features, target) -> np.ndarray:
        """The inner folds' probabilities (kept, with the dev rows' choice if asked).

        With ``dev_thresholds`` the thresholds and cut come only from the rows the encoder
        never trained on (its held-out tenth): the others' vectors were fitted to them.
        """
        proba = self._proba = super().held_out_proba(features, target)
        if not self.dev_thresholds:
            return proba
        settings = self.tuned.settings
        order = np.random.default_rng(settings.seed).permutation(len(target))
        dev = order[:max(1, int(round(len(target) * self.tuned.dev_share)))]
        cuts = best_thresholds(target[dev], proba[dev], shrink=self.shrink)
        self._dev_choice = cuts, best_relative_cut(target[dev], proba[dev], cuts)
        return proba

    def fit(self, texts, labels, code_ids, context=None) -> "PreTuned":
        """Fit as the linear coder does; then, if asked, thresholds from the dev rows."""
        self._dev_choice = None
        self._fit(texts, labels, code_ids, context)
        if self._dev_choice is not None:
            cuts, self.relative_cut = self._dev_choice
            self.thresholds = dict(zip(self.learned, cuts.tolist(), strict=True))
            # the hybrid compares these held-out decisions with the rules
            self.held_out[:, self._columns] = decide(self._proba, cuts, self.relative_cut)
        return self

    def _fit(self, texts, labels, code_ids, context=None) -> "PreTuned":
        """Fit the linear coder on the given encoder's embeddings (no fine-tuning)."""
        self.embedder = TunedEmbedder(self.tuned.network)
        if self.scale != 1.0:
            self.embedder = ScaledEmbedder(self.embedder, self.scale)
        if self.variant == "answer, and stock MiniLM":
            self.embedder = BothEmbedder(self.embedder)
        return LinearCoder.fit(self, texts, labels, code_ids, context)

    def _embedding_inputs(self, texts: list[str], context) -> list[str]:
        # "question: answer" is what the encoder read while it was fine-tuned
        if self.variant == "question: answer":
            return self.tuned.inputs(texts, context)
        return texts


def tuned_for(train, book, settings: Settings, fold: int, keep: Path | None,
              reuse: Path | None, examples: bool = False) -> FinetunedCoder:
    """The fold's fine-tuned coder: read from ``reuse``, or fitted (and saved to ``keep``)."""
    if reuse is not None:
        return FinetunedCoder.from_disk(reuse / f"fold{fold}", book)
    started = time.perf_counter()
    tuned = FinetunedCoder(codebook=codebook_tag(book), settings=settings,
                           examples=codebook_examples(book) if examples else ())
    tuned.fit(train.texts, train.labels, train.code_ids, known_of(train))
    print(f"  fold {fold}: fine-tuned in {time.perf_counter() - started:.0f} s", flush=True)
    if keep is not None:
        tuned.to_disk(keep / f"fold{fold}")
    return tuned


def at_least_one(coder, decided: np.ndarray, test, attributes=()) -> np.ndarray:
    """``decided`` with the most probable code given to each text that got none."""
    filled = decided.copy()
    proba = coder.predict_proba(test.texts, known_of(test, attributes))
    empty = filled.sum(axis=1) == 0
    filled[np.flatnonzero(empty), proba[empty].argmax(axis=1)] = 1
    return filled


def decided(args, gold, book, splits) -> dict[tuple[str, str], np.ndarray]:
    """Out-of-fold decisions per (embedding input, cut or not)."""
    settings = Settings(budget_s=args.budget, epochs=args.epochs, lr=args.lr,
                        loss=args.loss, contrast=args.contrast, seed=args.seed)
    hows = ("learned cut", "thresholds alone") + (("cut, at least one",) if args.fill else ())
    out = {(v, how): np.zeros_like(gold.labels) for v in args.variant for how in hows}
    for fold, (train_rows, test_rows) in enumerate(splits, start=1):
        train, test = gold.subset(train_rows), gold.subset(test_rows)
        tuned = tuned_for(train, book, settings, fold, args.keep, args.reuse,
                          args.codebook_examples)
        for variant in args.variant:
            model = PreTuned(variant, args.scale, args.dev_thresholds, c=args.c,
                             codebook=codebook_tag(book), attributes=args.attribute,
                             rules=book if args.coder == "hybrid-finetuned" else None)
            model.tuned = tuned
            coder = HybridCoder(book, model) if args.coder == "hybrid-finetuned" else model
            known_train = known_of(train, args.attribute)
            known_test = known_of(test, args.attribute)
            coder.fit(train.texts, train.labels, train.code_ids, known_train)
            out[variant, "learned cut"][test_rows] = coder.predict(test.texts, known_test)
            if args.fill and args.coder == "linear-finetuned":
                out[variant, "cut, at least one"][test_rows] = at_least_one(
                    coder, out[variant, "learned cut"][test_rows], test, args.attribute)
            cut, model.relative_cut = model.relative_cut, 0.0
            out[variant, "thresholds alone"][test_rows] = coder.predict(test.texts, known_test)
            print(f"  fold {fold}: {variant}: cut {cut}", flush=True)
    return out


def main() -> None:
    """Print macro/micro-F1 for each embedding input, with and without the learned cut."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    add_serdif_argument(parser)
    parser.add_argument("--coder", choices=("linear-finetuned", "hybrid-finetuned"),
                        default="linear-finetuned")
    parser.add_argument("--budget", type=float, default=420.0,
                        help="fine-tuning seconds per fold")
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    parser.add_argument("--lr", type=float, default=Settings().lr,
                        help="the encoder's fine-tuning learning rate (the product's: 5e-5)")
    parser.add_argument("--loss", choices=LOSSES, default=Settings().loss,
                        help="fine-tuning loss: a sigmoid per code, or one softmax over codes")
    parser.add_argument("--contrast", type=float, default=Settings().contrast,
                        help="weight of the pair term (SetFit's cosine loss) in fine-tuning")
    parser.add_argument("--seed", type=int, default=Settings().seed,
                        help="fine-tuning's seed: its held-out tenth, batches and new layer")
    parser.add_argument("--variant", action="append", choices=VARIANTS,
                        help="what the linear coder embeds (default: the first two)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply the fine-tuned vectors by this before the linear fit")
    parser.add_argument("--c", type=float, default=4.0,
                        help="the linear model's regularisation C (the product's: 4)")
    parser.add_argument("--dev-thresholds", action="store_true",
                        help="thresholds and cut from the encoder's held-out tenth only")
    parser.add_argument("--fill", action="store_true",
                        help="linear-finetuned: also give each text without a code its most "
                        "probable one (pxtextmining's fix_no_labels)")
    parser.add_argument("--attribute", action="append", default=[],
                        help="a gold column the linear model reads as a one-hot feature (a "
                        "service, a rating); the encoder is fine-tuned without it")
    parser.add_argument("--codebook-examples", action="store_true",
                        help="fine-tune on the codebook's examples too (never held out)")
    parser.add_argument("--keep", type=Path, help="save each fold's fine-tuned coder here")
    parser.add_argument("--reuse", type=Path, help="read each fold's fine-tuned coder from here")
    args = parser.parse_args()
    args.variant = args.variant or list(VARIANTS[:2])
    book, gold, groups = benchmark_gold(args)
    print(f"{args.coder}: {len(gold.texts)} texts, {len(gold.code_ids)} codes")
    out = decided(args, gold, book, folds(gold.labels, 5, 42, groups))
    roll_up = uses_hierarchy(gold, book)
    for (variant, how), pred in out.items():
        summary = score_predictions(gold, pred, book, args.coder, roll_up=roll_up).summary
        print(f"  {variant:17s} {how:17s} macro-F1 {summary['macro_f1']:.4f} "
              f"{summary['macro_f1_ci']}  micro-F1 {summary['micro_f1']:.4f}")


if __name__ == "__main__":
    main()
