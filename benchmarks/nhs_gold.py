"""The benchmarks' shared arguments: a gold file and its codebook, the NHS split by default."""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NHS_GOLD = ROOT.parent / "shared/gold/nhs-patient-experience/dev.csv"
NHS_CODEBOOK = ROOT / "models/codebooks/nhs-patient-experience.yaml"


def add_gold_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--gold`` and ``--codebook`` to ``parser``, defaulting to the NHS split."""
    parser.add_argument("--gold", type=Path, default=NHS_GOLD)
    parser.add_argument("--codebook", type=Path, default=NHS_CODEBOOK)


def add_serdif_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--serdif``: the SERDIF highlights by session instead of ``--gold``."""
    parser.add_argument("--serdif", action="store_true",
                        help="the SERDIF highlights by session, with the guide prompt")


def benchmark_gold(args: argparse.Namespace):
    """(codebook, gold, fold groups) that the arguments name.

    ``--gold`` with ``--codebook`` (groups None), or with ``--serdif`` the study's highlights,
    repeats merged, with their sessions as the fold groups.
    """
    import tempfile

    from pipeline.config import load_codebook
    from pipeline.quality.gold import load_gold
    from pipeline.quality.groups import group_values, merge_repeats

    if not args.serdif:
        book = load_codebook(args.codebook)
        return book, load_gold(args.gold, book), None
    from bench_serdif_coding import build  # the study's codebook and gold, built as there

    with tempfile.TemporaryDirectory(prefix="serdif-") as folder:
        codebook, gold_file = build(Path(folder), "wave")
        book = load_codebook(codebook)
        gold = merge_repeats(load_gold(gold_file, book), "document")
    return book, gold, group_values(gold, "document", 5)


def print_scores(gold, book, coder: str, decided: dict, label) -> None:
    """Print macro-F1 (with its bootstrap interval) and micro-F1 of each set of decisions.

    ``decided`` maps a key to out-of-fold 0/1 decisions over all of ``gold``; ``label(key)``
    says what each line is.
    """
    from pipeline.quality.measure import score_predictions, uses_hierarchy

    roll_up = uses_hierarchy(gold, book)
    for key, pred in decided.items():
        summary = score_predictions(gold, pred, book, coder, roll_up=roll_up).summary
        print(f"  {label(key)}: macro-F1 {summary['macro_f1']:.4f} {summary['macro_f1_ci']}  "
              f"micro-F1 {summary['micro_f1']:.4f}", flush=True)


def fold_decisions(coder, train, test, known_train, known_test):
    """``coder`` fitted on a fold's training gold; its 0/1 decisions on the fold's test gold."""
    coder.fit(train.texts, train.labels, train.code_ids, known_train)
    return coder.predict(test.texts, known_test)
