"""Equal strings held once: a table's strings swapped for the equal objects another table holds.

A wave's tables repeat each other's strings: every coding names its segment, and so do the
reviewed codings and the stances; every segment names its document, and a one-sentence
answer's segment is its document's whole text. Each table is built afresh through Arrow
(:func:`pipeline.schema.conform`), so each repeat is a Python string of its own, held from
coding to publish. Swapping a value for the equal object another table already holds changes
no value, dtype or order, so nothing written changes: only how many copies sit in memory.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def share_strings(frame: pd.DataFrame, reference: pd.DataFrame,
                  columns: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` with each string of ``columns`` replaced by the equal string ``reference`` holds.

    Args:
        frame: the table whose strings are swapped, in place (its columns are replaced).
        reference: the table whose string objects are kept.
        columns: {column of ``frame``: column of ``reference``} holding equal values; a pair
            where either side is missing or not all strings is left as it is.

    Returns:
        ``frame``: the same values, dtypes and missing values (None or NaN as they were), with
        every string that ``reference``'s column also holds now that very object.
    """
    for column, source in columns.items():
        if column not in frame.columns or source not in reference.columns or not len(frame):
            continue
        if _same_objects(frame[column], reference[source]):
            continue  # already held once (row for row, e.g. a chunk's codings and stances)
        if not (_all_strings(frame[column]) and _all_strings(reference[source])):
            continue
        frame[column] = _shared(frame[column].to_numpy(dtype=object),
                                reference[source].to_numpy(dtype=object))
    return frame


def _all_strings(column: pd.Series) -> bool:
    """Whether ``column`` is an object column of strings and missing values only."""
    return column.dtype == object and pd.api.types.infer_dtype(
        column, skipna=True) in ("string", "empty")


def _same_objects(column: pd.Series, pool: pd.Series) -> bool:
    """Whether ``column`` holds, row for row, the very objects ``pool`` holds.

    Stops at the first row that differs, so tables that do not line up cost next to nothing.
    """
    if column.dtype != object or pool.dtype != object or len(column) != len(pool):
        return False
    return all(a is b for a, b in zip(column.to_numpy(), pool.to_numpy(), strict=True))


def _shared(values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """``values`` (a new array) with each string equal to one in ``pool`` that pool object."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)  # missing values: -1
    kept = pd.unique(pool[pd.notna(pool)])
    found = pd.Index(kept).get_indexer(distinct)
    canonical = np.asarray(distinct, dtype=object).copy()
    canonical[found >= 0] = kept[found[found >= 0]]
    out = values.copy()
    present = codes >= 0  # a missing value stays the very None or NaN it was
    out[present] = canonical[codes[present]]
    return out
