"""The digest of a wave's published codings: what a sign-off is bound to.

Computed from what a coding *is* (segment, code, offsets, negation, review status), not from
how a file stores it, so the codings held in memory at publish and the same codings read back
from ``codings.parquet`` give the same digest. Any change a reviewer could see (a coding added,
rejected, accepted, recoded) changes it.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd

from pipeline import schema as s

DIGEST_COLUMNS = (s.SEGMENT_ID, s.CODE_ID, s.START, s.END, s.NEGATED, s.STATUS)


def codings_digest(codings: pd.DataFrame) -> str:
    """sha256 (hex) of ``codings``: their identifying columns, rows in a fixed order.

    The body hashed is the column names joined by tabs, then each row's values (as
    :func:`_canonical` writes them) joined by tabs, rows sorted, each after a line end.
    """
    present = [c for c in DIGEST_COLUMNS if c in codings.columns]
    digest = hashlib.sha256("\t".join(present).encode("utf-8"))
    if codings.empty or not present:  # no rows (a frame of no columns gives none either)
        digest.update(b"\n")
        return digest.hexdigest()
    ranked = [_ranked(codings[c]) for c in present]
    if any(values is None for values, _ in ranked):
        _update_by_rows(digest, [_canonical_column(codings[c]) for c in present])
        return digest.hexdigest()
    # Rows sorted as tuples of their values' ranks are the rows' strings sorted, as no value
    # holds a tab or a character before it; only a slice of rows is ever made a string.
    order = np.lexsort([ranks for _, ranks in reversed(ranked)])
    for start in range(0, len(order), DIGEST_SLICE):
        rows = order[start:start + DIGEST_SLICE]
        columns = [values[ranks[rows]] for values, ranks in ranked]
        digest.update(("\n" + "\n".join("\t".join(row) for row in zip(*columns, strict=True))
                       ).encode("utf-8"))
    return digest.hexdigest()


DIGEST_SLICE = 100_000  # rows made strings at a time
_BEFORE_TAB = re.compile(r"[\x00-\t]")


def _ranked(column: pd.Series) -> tuple[np.ndarray | None, np.ndarray]:
    """The distinct canonical values of ``column`` in order, and each row's rank among them.

    None for the values when one holds a tab or a character before it: then rows joined by
    tabs do not sort as tuples of their values, and the rows are sorted as strings instead.
    """
    codes, _ = column.factorize(use_na_sentinel=False)
    _, first = np.unique(codes, return_index=True)  # a row of each distinct value, in code order
    canonical = _canonical_column(column.iloc[first])
    if any(_BEFORE_TAB.search(value) for value in canonical):
        return None, codes
    # Python's sort, not np.unique: numpy sorted these strings five times as slowly
    listed = canonical.tolist()
    order = np.array(sorted(range(len(listed)), key=listed.__getitem__), dtype=np.int64)
    in_order = canonical[order]
    new = np.ones(len(in_order), dtype=bool)  # distinct values may write the same (1, 1.0)
    new[1:] = in_order[1:] != in_order[:-1]
    ranks_of_codes = np.empty(len(order), dtype=np.int32)
    ranks_of_codes[order] = np.cumsum(new) - 1
    return in_order[new], ranks_of_codes[codes]


def _update_by_rows(digest, columns: list[np.ndarray]) -> None:
    """Add the rows to ``digest`` sorted as strings (every row a string at once)."""
    # one string per row, joined at once: joining column by column on object arrays made
    # two arrays of new strings per column, a large wave's publish peak
    rows = ["\t".join(values) for values in zip(*columns, strict=True)]
    del columns
    rows.sort()
    for start in range(0, len(rows), DIGEST_SLICE):  # the same bytes as one string
        digest.update(("\n" + "\n".join(rows[start:start + DIGEST_SLICE])).encode("utf-8"))


def _canonical_column(column: pd.Series) -> np.ndarray:
    """:func:`_canonical` of every value of ``column`` (an object array), by dtype at once."""
    values = column.to_numpy()
    missing = pd.isna(column).to_numpy()
    if isinstance(column.dtype, pd.BooleanDtype):  # its values arrive as numpy bools, which
        # _canonical has always written as Python writes them ("True"); kept, so digests hold
        out = np.where(column.fillna(False).to_numpy(dtype=bool), "True", "False").astype(object)
    elif pd.api.types.is_bool_dtype(column.dtype):
        out = np.where(column.to_numpy(dtype=bool), "1", "0").astype(object)
    elif pd.api.types.is_integer_dtype(column.dtype):
        out = column.astype("string").fillna("").to_numpy(dtype=object)
    elif pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        out = values.astype(object)
    else:  # floats, mixed objects: the rare case, value by value
        return np.array([_canonical(v) for v in column.tolist()], dtype=object)
    out[missing] = ""
    return out


def _canonical(value: object) -> str:
    # numpy and Python scalars, bools, and missing values written one way each
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
