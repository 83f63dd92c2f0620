"""Training time and coding throughput of each coder on a gold file (prints figures).

    .venv/bin/python benchmarks/bench_coders.py \
        [--gold ../shared/gold/nhs-patient-experience/dev.csv] \
        [--codebook models/codebooks/nhs-patient-experience.yaml] [--coder linear ...]

Each trained coder is fitted on a seeded 80% of the texts; throughput is ``code(segments)`` on
the other 20% (evidence included), in segments per second. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import time
import resource
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.coding.rules import RuleCoder
from pipeline.config import load_codebook
from pipeline.gold import load_gold
from pipeline.quality import context_of, new_coder

ROOT = Path(__file__).resolve().parents[1]


def as_segments(texts: list[str], context: list | None) -> pd.DataFrame:
    """Gold texts as a segments table (each text its own document)."""
    return pd.DataFrame({s.SEGMENT_ID: [f"t{i}" for i in range(len(texts))], s.START: 0,
                         s.TEXT: texts, s.CONTEXT: context or [None] * len(texts)})


def main() -> None:
    """Fit and time each coder; print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path,
                        default=ROOT.parent / "shared/gold/nhs-patient-experience/dev.csv")
    parser.add_argument("--codebook", type=Path,
                        default=ROOT / "models/codebooks/nhs-patient-experience.yaml")
    parser.add_argument("--coder", action="append",
                        default=None, help="rules, baseline, linear, textcat, hybrid")
    args = parser.parse_args()
    book = load_codebook(args.codebook)
    gold = load_gold(args.gold, book)
    order = np.random.default_rng(0).permutation(len(gold.texts))
    cut = int(len(order) * 0.8)
    train, test = gold.subset(order[:cut]), gold.subset(order[cut:])
    segments = as_segments(test.texts, context_of(test))
    rows = []
    for name in args.coder or ["rules", "baseline", "linear", "textcat", "hybrid"]:
        started = time.perf_counter()
        if name == "rules":
            coder = RuleCoder(book)
        else:
            coder = new_coder(name, book).fit(train.texts, train.labels, train.code_ids,
                                              context_of(train))
        fit_seconds = time.perf_counter() - started
        started = time.perf_counter()
        codings = coder.code(segments)
        code_seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        rows.append({"coder": name, "train_texts": len(train.texts),
                     "train_s": round(fit_seconds, 1), "coded_segments": len(segments),
                     "code_s": round(code_seconds, 2),
                     "segments_per_s": round(len(segments) / code_seconds, 1),
                     "codings": len(codings), "peak_rss_MiB_so_far": round(peak)})
        print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
