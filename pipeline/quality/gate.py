"""Agreement-gated coding: codes that agree poorly with human coders are routed to review.

A code whose measured Cohen's kappa (from a model card or an evaluation of the coder against a
gold set) is below the gate is not silently asserted: its codings keep their evidence and
confidence but carry ``needs_review = True``. Codes never measured are left as they are, and so
are codes whose kappa was undefined (NaN, ``null`` in JSON: both sides gave one same value
throughout), by the convention of :mod:`pipeline.quality.agreement`.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path

import pandas as pd

from pipeline import schema as s
from pipeline.coding.base import Coder, keeping_docs
from pipeline.nlp import ParsedSegments
from pipeline.quality.agreement import below

DEFAULT_MIN_KAPPA = 0.6


class AgreementGate:
    """Wraps a coder; ``code(segments)`` marks codings of low-agreement codes ``needs_review``."""

    def __init__(self, coder: Coder, kappa: dict[str, float],
                 min_kappa: float = DEFAULT_MIN_KAPPA) -> None:
        self.coder, self.kappa, self.min_kappa = coder, kappa, min_kappa
        self.name = coder.name
        self.gated = sorted(c for c, k in kappa.items() if below(k, min_kappa))

    def keeping_docs(self) -> AbstractContextManager[ParsedSegments | None]:
        """The wrapped coder's docs (:func:`pipeline.coding.base.keeping_docs`)."""
        return keeping_docs(self.coder)

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
    return kappa_per_code(evaluation["per_code"])


def kappa_per_code(rows: list[dict]) -> dict[str, float]:
    """Per-code kappa from per-code score rows; an undefined kappa (``None``) becomes NaN."""
    return {row["code_id"]: float("nan") if row["kappa"] is None else float(row["kappa"])
            for row in rows}
