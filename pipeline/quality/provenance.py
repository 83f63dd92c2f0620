"""Where a gold file comes from, declared in a sidecar, and whether it may choose a coder.

A gold file ``gold.csv`` may have ``gold.provenance.yaml`` beside it (or one given with
``--provenance``)::

    texts: real            # real: written by respondents or authors; generated: by a program
    coding: human          # human, machine (e.g. reviewed machine codes), or mixed
    coders: [A. Researcher, B. Researcher]
    coded: 2025-03-01
    source: NHS Friends and Family Test comments, framework v6

Scores on gold the project generated say nothing about real text (the sample waves' sentences
come from the banks the patterns were written for), so only *real, human-coded* gold, scored on
codes with at least :data:`MIN_EXAMPLES` examples, may let ``--coder auto`` pick a coder. A gold
file without a sidecar is of unknown origin and chooses nothing either.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from pipeline.config import _validate, read_yaml

SUFFIX = ".provenance.yaml"
MIN_EXAMPLES = 10  # a code with fewer gold examples is too thin to choose a coder by


class GoldProvenance(BaseModel):
    """What a gold file is: real or generated texts, who coded them, when, from where."""

    model_config = ConfigDict(extra="forbid")

    texts: Literal["real", "generated"]
    coding: Literal["human", "machine", "mixed"]
    coders: list[str] = []
    coded: dt.date | None = None
    source: str = ""
    notes: str = ""

    def is_real_gold(self) -> bool:
        """Real texts coded by people: the only gold that is evidence of validity."""
        return self.texts == "real" and self.coding == "human"


def provenance_path(gold_file: Path) -> Path:
    """The sidecar of ``gold_file``: ``gold.csv`` → ``gold.provenance.yaml`` beside it."""
    path = Path(gold_file)
    return path.with_name(path.stem + SUFFIX)


def read_provenance(gold_file: Path, sidecar: Path | None = None) -> GoldProvenance | None:
    """The provenance of ``gold_file`` from ``sidecar`` or the file beside it; None if neither.

    ConfigError names the sidecar and the field when it is not valid.
    """
    path = Path(sidecar) if sidecar is not None else provenance_path(gold_file)
    if sidecar is None and not path.is_file():
        return None
    return _validate(GoldProvenance, read_yaml(path), path)


def drives_auto(summary: dict[str, Any]) -> tuple[bool, str]:
    """Whether a recorded evaluation (its summary or card scores) may choose a coder, and why.

    It must name real, human-coded gold in ``gold_provenance`` and have scored only codes with
    at least :data:`MIN_EXAMPLES` examples (``min_support``).
    """
    gold = summary.get("gold") or "the gold file"
    recorded = summary.get("gold_provenance")
    if not recorded:
        return False, f"{gold} declares no provenance (no {SUFFIX} sidecar)"
    provenance = GoldProvenance.model_validate(recorded)
    if not provenance.is_real_gold():
        return False, (f"{gold} is {provenance.texts} text with {provenance.coding} coding, "
                       "not real human-coded data")
    if int(summary.get("min_support") or 0) < MIN_EXAMPLES:
        return False, (f"scored on codes with fewer than {MIN_EXAMPLES} examples in {gold} "
                       f"(--min-support {summary.get('min_support')})")
    return True, f"real human-coded gold ({gold})"
