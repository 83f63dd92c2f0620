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
