"""The digest of a wave's published codings: what a sign-off is bound to.

Computed from what a coding *is* (segment, code, offsets, negation, review status), not from
how a file stores it, so the codings held in memory at publish and the same codings read back
from ``codings.parquet`` give the same digest. Any change a reviewer could see (a coding added,
rejected, accepted, recoded) changes it.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from pipeline import schema as s

DIGEST_COLUMNS = (s.SEGMENT_ID, s.CODE_ID, s.START, s.END, s.NEGATED, s.STATUS)


def codings_digest(codings: pd.DataFrame) -> str:
    """sha256 (hex) of ``codings``: their identifying columns, rows in a fixed order."""
    present = [c for c in DIGEST_COLUMNS if c in codings.columns]
    rows = sorted(
        "\t".join(_canonical(value) for value in row)
        for row in codings[present].itertuples(index=False, name=None))
    body = "\t".join(present) + "\n" + "\n".join(rows)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _canonical(value: object) -> str:
    # numpy and Python scalars, bools, and missing values written one way each
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
