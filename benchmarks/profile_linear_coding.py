"""Where the linear coder's ``code()`` spends its time, stage by stage (prints a table).

    .venv/bin/python benchmarks/profile_linear_coding.py [--model saved-coder-folder] \
        [--gold ../shared/gold/nhs-patient-experience/dev.csv] \
        [--codebook models/codebooks/nhs-patient-experience.yaml] [--rounds 10]

Without ``--model`` a ``linear-static`` coder is fitted on ``bench_coders.py``'s seeded 80 % and
saved to a temporary folder. Each round loads a fresh coder from the folder (every cache cold,
as a new process meets a wave) and times each stage on the other 20 % in CPU time, which other
work on shared cores moves least, then ``code()`` whole; medians are printed, and the wall-time
rate of ``code()``. Not a test: the numbers vary by machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_coders import as_segments, seeded_split
from nhs_gold import add_gold_arguments
from scipy import sparse

from pipeline import schema as s
from pipeline.coding.char_grams import char_wb_transform
from pipeline.coding.features import context_table
from pipeline.coding.linear_scores import positive_proba
from pipeline.coding.registry import load_coder, new_coder
from pipeline.coding.word_grams import word_transform
from pipeline.config import load_codebook
from pipeline.quality.gold import load_gold
from pipeline.quality.measure import known_of


def stages(coder, segments) -> dict[str, float]:
    """CPU seconds of each stage of ``coder.code(segments)``, done as it does them."""
    texts, clock, spent = segments[s.TEXT].tolist(), time.process_time, {}
    start = clock()

    def tick(name: str, since: float) -> float:
        now = clock()
        spent[name] = now - since
        return now

    table = context_table(coder.context_of(segments), len(texts), coder.attributes)
    at = tick("context table", start)
    words = word_transform(coder.words, texts)
    at = tick("words tf-idf", at)
    chars = char_wb_transform(coder.chars, texts, coder._word_grams)
    at = tick("chars tf-idf", at)
    context = coder.context_encoder.transform(table)
    at = tick("one-hot question", at)
    coder._recent = {text: (i, words, chars) for i, text in enumerate(texts)}
    blocks = [words, chars, context]
    if coder.embedding:
        blocks.append(sparse.csr_matrix(coder._embed(texts)))
    at = tick("sentence embedding", at)
    features = sparse.hstack(blocks, format="csr", dtype=coder._dtype)
    at = tick("hstack", at)
    proba = np.zeros((len(texts), len(coder.code_ids)))
    proba[:, coder._columns] = positive_proba(coder._weights(), features)
    at = tick("scores", at)
    rows, columns = np.nonzero(proba >= coder.threshold_vector())
    coder.evidence_spans(texts, rows, columns)
    tick("evidence", at)
    spent["all stages"] = clock() - start
    return spent


def main() -> None:
    """Fit (or load) a coder, profile its stages over fresh copies; print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_gold_arguments(parser)
    parser.add_argument("--model", type=Path, help="a saved linear coder (else one is fitted)")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    book = load_codebook(args.codebook)
    train, test = seeded_split(load_gold(args.gold, book))
    segments = as_segments(test.texts, known_of(test))
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.model
        if folder is None:
            folder = Path(scratch)
            coder = new_coder("linear-static", book)
            coder.fit(train.texts, train.labels, train.code_ids, known_of(train))
            coder.to_disk(folder)
        load_coder(folder, book).code(segments.head(2))  # the embedding model, loaded once
        split, whole, wall = [], [], []
        for _ in range(args.rounds):
            split.append(stages(load_coder(folder, book), segments))
            coder = load_coder(folder, book)
            cpu, started = time.process_time(), time.perf_counter()
            coder.code(segments)
            wall.append(time.perf_counter() - started)
            whole.append(time.process_time() - cpu)
    n = len(segments)
    print(f"{n} segments, median of {args.rounds} fresh coders, CPU µs per segment:")
    for name in split[0]:
        print(f"  {name:20s} {np.median([r[name] for r in split]) / n * 1e6:7.1f}")
    print(f"  {'code() end to end':20s} {np.median(whole) / n * 1e6:7.1f}")
    print(f"code(): {n / np.median(wall):,.0f} segments/s wall time (median)")


if __name__ == "__main__":
    main()
