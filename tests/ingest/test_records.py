"""Rows kept as columns: the same table a DataFrame of the rows' dicts would be."""

from __future__ import annotations

import math

import pandas as pd
import pandas.testing as pdt

from pipeline.ingest.records import Rows

# Readers name different attribute columns per source: the second row lacks "sector", the
# third brings "region" that the first two never named.
ROWS = [
    {"document_id": "a#1", "text": "No supported housing left.", "sector": "statutory"},
    {"document_id": "a#2", "text": "Waiting lists doubled."},
    {"document_id": "b#1", "text": "Mutual aid grew.", "region": "North East", "sector": "third"},
]


def _rows(dicts) -> Rows:
    rows = Rows()
    for row in dicts:
        rows.append(row)
    return rows


def test_rows_make_the_frame_a_frame_of_dicts_makes():
    rows = _rows(ROWS)
    assert len(rows) == 3
    pdt.assert_frame_equal(rows.frame(), pd.DataFrame(ROWS))
    assert len(rows) == 0 and rows.columns == {}  # the values now live in the frame only


def test_iterating_gives_each_row_with_nan_where_it_named_no_column():
    second = list(_rows(ROWS))[1]
    assert second["text"] == "Waiting lists doubled."
    assert math.isnan(second["sector"]) and math.isnan(second["region"])


def test_adding_rows_keeps_order_and_fills_the_other_sides_columns():
    joined = _rows(ROWS[:2])
    joined += _rows(ROWS[2:])
    pdt.assert_frame_equal(joined.frame(), pd.DataFrame(ROWS))


def test_keep_drops_the_unflagged_rows_in_every_column():
    rows = _rows(ROWS)
    rows.keep([True, False, True])
    assert len(rows) == 2
    pdt.assert_frame_equal(rows.frame(), pd.DataFrame([ROWS[0], ROWS[2]]))
