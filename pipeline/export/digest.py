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
import pyarrow as pa
import pyarrow.compute as pc

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
    order = _row_order([ranks for _, ranks in ranked])
    columns = [pa.array(values, type=pa.large_string()) for values, _ in ranked]
    for start in range(0, len(order), DIGEST_SLICE):
        rows = order[start:start + DIGEST_SLICE]
        # each row "\n" + its values joined by tabs, as UTF-8, joined by Arrow
        values = [column.take(ranks[rows]) for column, (_, ranks) in zip(columns, ranked,
                                                                           strict=True)]
        lines = pc.binary_join_element_wise(
            _LARGE[""], pc.binary_join_element_wise(*values, _LARGE["\t"]), _LARGE["\n"])
        digest.update(_joined_bytes(lines))
    return digest.hexdigest()


DIGEST_SLICE = 100_000  # rows made strings at a time
# Arrow joins large strings only with large-string separators (whose lengths need no bound)
_LARGE = {text: pa.scalar(text, type=pa.large_string()) for text in ("", "\t", "\n")}
_BEFORE_TAB = re.compile(r"[\x00-\t]")


def _ranked(column: pd.Series) -> tuple[np.ndarray | None, np.ndarray]:
    """The distinct canonical values of ``column`` in order, and each row's rank among them.

    None for the values when one holds a tab or a character before it: then rows joined by
    tabs do not sort as tuples of their values, and the rows are sorted as strings instead.
    """
    codes, _ = column.factorize(use_na_sentinel=False)
    some_row = np.empty(codes.max(initial=-1) + 1, dtype=np.int64)
    some_row[codes] = np.arange(len(codes))  # a row of each distinct value, in code order
    canonical = _canonical_column(column.iloc[some_row])
    if _BEFORE_TAB.search("".join(canonical)):  # one search over every value at once
        return None, codes
    order = _string_order(canonical)
    in_order = canonical[order]
    new = np.ones(len(in_order), dtype=bool)  # distinct values may write the same (1, 1.0)
    new[1:] = in_order[1:] != in_order[:-1]
    ranks_of_codes = np.empty(len(order), dtype=np.int32)
    ranks_of_codes[order] = np.cumsum(new) - 1
    return in_order[new], ranks_of_codes[codes]


def _row_order(ranks: list[np.ndarray]) -> np.ndarray:
    """Row positions sorted by the first column's rank, then the next's, and so on.

    The ranks packed into one integer where they fit in 63 bits (a million-answer wave's
    codings need about 55): one sort instead of numpy's lexsort, a pass per column.
    """
    widths = [int(r.max(initial=0)).bit_length() for r in ranks]
    if sum(widths) > 63:
        return np.lexsort(ranks[::-1])
    key = np.zeros(len(ranks[0]), dtype=np.int64)
    for r, width in zip(ranks, widths, strict=True):
        key <<= width
        key |= r
    return np.argsort(key, kind="stable")


def _string_order(values: np.ndarray) -> np.ndarray:
    """Positions of ``values`` (strings) in Python's sort order of them.

    Arrow sorts UTF-8 bytes, which order as the code points Python compares (Python's own sort
    of a million ids took a second; numpy's five times as long).
    """
    return pc.sort_indices(pa.array(values, type=pa.large_string())).to_numpy().astype(np.int64)


def _joined_bytes(strings: pa.Array) -> memoryview:
    """The UTF-8 bytes of ``strings`` (no nulls) one after another, without a copy."""
    _, offsets, data = strings.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int64 if pa.types.is_large_string(strings.type)
                           else np.int32)[strings.offset:strings.offset + len(strings) + 1]
    return memoryview(data)[bounds[0]:bounds[-1]]


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
