"""Benchmark redaction on the seeded corpus: recall per type, distractors, precision, speed.

    .venv/bin/python benchmarks/bench_redaction.py [--n 600] [--seed 7] [--all]

Generates answers with planted identifiers (benchmarks/redaction_corpus.py), finds identifiers
with the default configuration (``--all``: every configuration compared), and prints recall per
identifier type (target >= 0.95 each), the share of distractors kept, precision of the findings,
throughput after the model is loaded, the model's load time and the process's peak RSS. Then
redacts the same answers as a documents table and counts planted identifiers left in the text.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.redaction_corpus import (  # noqa: E402
    KINDS,
    documents_frame,
    generate,
    leaked,
    score,
)
from pipeline import schema as s  # noqa: E402
from pipeline.redact import (  # noqa: E402
    RedactConfig,
    build_analyzer,
    find_identifiers,
    redact_documents,
)

CONFIGS = {
    "patterns only": RedactConfig(names="patterns", propagate=False),
    "patterns + propagate": RedactConfig(names="patterns"),
    "NER, 0.5": RedactConfig(proper_nouns=False, propagate=False),
    "NER + propagate, 0.5": RedactConfig(proper_nouns=False),
    "NER + proper nouns, 0.35": RedactConfig(threshold=0.35, propagate=False),
    "NER + proper nouns + propagate, 0.35 (default)": RedactConfig(),
    "NER + proper nouns + propagate, 0.5": RedactConfig(threshold=0.5),
    "NER + proper nouns + propagate, 0.7": RedactConfig(threshold=0.7),
}


def _peak_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _row(name: str, answers: list, config: RedactConfig) -> None:
    started = time.perf_counter()
    build_analyzer(config.names, config.model)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    findings = find_identifiers([a.text for a in answers], config)
    seconds = time.perf_counter() - started
    result = score(answers, [[(f.start, f.end) for f in found] for found in findings])
    recall = "  ".join(f"{result['recall'][k]:.3f}" for k in KINDS)
    print(f"{name:<44} {recall}  {result['distractors_kept']:.3f}  {result['precision']:.3f}"
          f"  {len(answers) / seconds:7.0f}/s  load {loaded:4.1f}s")
    groups = ", ".join(f"{g} {k:.2f}" for g, k in result["kept_by_group"].items())
    print(f"{'':<44} distractors kept by kind: {groups}")


def main() -> None:
    """Print the figures for the default (or every) configuration."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--all", action="store_true", help="compare every configuration")
    args = parser.parse_args()
    answers = generate(args.n, seed=args.seed)
    counts = score(answers, [[] for _ in answers])
    print(f"{args.n} answers (seed {args.seed}); planted {counts['planted']}, "
          f"{counts['distractors']} distractors")
    print(f"{'configuration':<44} " + "  ".join(f"{k[:5]:>5}" for k in KINDS)
          + "  kept   prec  answers/s")
    configs = CONFIGS if args.all else {"default": RedactConfig()}
    for name, config in configs.items():
        _row(name, answers, config)
    started = time.perf_counter()
    redacted = redact_documents(documents_frame(answers), wave="bench")
    seconds = time.perf_counter() - started
    leaks = leaked(answers, list(redacted.documents[s.TEXT]))
    print(f"redact_documents: {len(answers) / seconds:.0f} answers/s, "
          f"{len(redacted.mapping)} mapping rows, replacements {redacted.counts}")
    print(f"planted identifiers left in redacted text: {len(leaks)} "
          f"{sorted({kind for _, kind in leaks})}")
    print(f"peak RSS: {_peak_mib()} MiB")


if __name__ == "__main__":
    main()
