"""Training time and coding throughput of each coder on a gold file (prints figures).

    .venv/bin/python benchmarks/bench_coders.py \
        [--gold ../shared/gold/nhs-patient-experience/dev.csv] \
        [--codebook models/codebooks/nhs-patient-experience.yaml] [--coder linear ...]

Each trained coder is fitted on a seeded 80% of the texts; throughput is ``code(segments)`` on
the other 20% (evidence included), in segments per second. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
from nhs_gold import add_gold_arguments

from pipeline import schema as s
from pipeline.coding.base import TrainableCoder
from pipeline.coding.registry import CODERS, new_coder
from pipeline.config import load_codebook
from pipeline.quality.gold import load_gold
from pipeline.quality.measure import known_of

ROOT = Path(__file__).resolve().parents[1]


def as_segments(texts: list[str], known: pd.DataFrame) -> pd.DataFrame:
    """Gold texts as a segments table (each text its own document), with what is known."""
    frame = known.reset_index(drop=True).copy()
    frame[s.SEGMENT_ID] = [f"t{i}" for i in range(len(texts))]
    frame[s.START], frame[s.TEXT] = 0, texts
    return frame


def seeded_split(gold):
    """The gold set cut 80 % / 20 % in a seeded order: (train, test)."""
    order = np.random.default_rng(0).permutation(len(gold.texts))
    cut = int(len(order) * 0.8)
    return gold.subset(order[:cut]), gold.subset(order[cut:])


def main() -> None:
    """Fit and time each coder; print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    parser.add_argument("--coder", action="append",
                        default=None, help=", ".join(CODERS))
    parser.add_argument("--attribute", action="append", default=[],
                        help="gold column the linear and hybrid coders may use as a feature")
    args = parser.parse_args()
    book = load_codebook(args.codebook)
    train, test = seeded_split(load_gold(args.gold, book))
    segments = as_segments(test.texts, known_of(test, args.attribute))
    rows = []
    for name in args.coder or CODERS:
        started = time.perf_counter()
        coder = new_coder(name, book, attributes=args.attribute)
        if isinstance(coder, TrainableCoder):
            coder.fit(train.texts, train.labels, train.code_ids, known_of(train, args.attribute))
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
