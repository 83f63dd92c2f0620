"""Review: researchers' decisions on machine codings, from their QDA tool or a workbook.

Every importer returns a :class:`ReviewImport`: decisions in the ``review_log`` table contract
(schema.REVIEW_LOG) and the problems found, one message per file row or selection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class ReviewImport:
    """Decisions read from one review file, and what could not be read (with where and why)."""

    decisions: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth saying, not wrong (rows left blank)
    sample: list[str] | None = None  # a random sample's segment ids (export-review --sample)
