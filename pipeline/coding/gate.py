"""Agreement-gated coding: codes that agree poorly with human coders are routed to review.

A code whose measured Cohen's kappa (from a model card or an evaluation of the coder against a
gold set) is below the gate is not silently asserted: its codings keep their evidence and
confidence but carry ``needs_review = True``. Codes never measured are left as they are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline import schema as s
from pipeline.coding.base import Coder

DEFAULT_MIN_KAPPA = 0.6


class AgreementGate:
    """Wraps a coder; ``code(segments)`` marks codings of low-agreement codes ``needs_review``."""

    def __init__(self, coder: Coder, kappa: dict[str, float],
                 min_kappa: float = DEFAULT_MIN_KAPPA) -> None:
        self.coder, self.kappa, self.min_kappa = coder, kappa, min_kappa
        self.name = coder.name
        self.gated = sorted(c for c, k in kappa.items() if k < min_kappa)

    def code(self, segments: pd.DataFrame) -> pd.DataFrame:
        """The wrapped coder's codings, with ``needs_review`` set for gated codes."""
        codings = self.coder.code(segments)
        if len(codings) and self.gated:
            codings[s.NEEDS_REVIEW] = codings[s.NEEDS_REVIEW] | codings[s.CODE_ID].isin(
                self.gated)
        return codings


def kappa_from_evaluation(path: Path) -> dict[str, float]:
    """Per-code kappa from an evaluation JSON written by ``wavecoder evaluate --out``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    evaluation = data["coders"][0] if "coders" in data else data
    return {row["code_id"]: float(row["kappa"]) for row in evaluation["per_code"]}
