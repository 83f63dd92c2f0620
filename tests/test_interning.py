"""Equal strings held once: the values, dtypes and missing values stay exactly as they were."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.interning import share_strings


def fresh(values):
    """Each string a new object, as a table built through Arrow holds them."""
    return ["".join(list(v)) if isinstance(v, str) else v for v in values]


def test_each_string_becomes_the_reference_object_and_the_table_is_unchanged():
    reference = pd.DataFrame({s.SEGMENT_ID: fresh(["seg-a", "seg-b", "seg-c"])})
    frame = pd.DataFrame({s.SEGMENT_ID: fresh(["seg-b", "seg-x", None, "seg-a", "seg-b"]),
                          s.CODE_ID: fresh(["housing", "jobs", "jobs", None, "housing"]),
                          s.START: [1, 2, 3, 4, 5]})
    before = frame.copy(deep=True)
    assert frame[s.SEGMENT_ID].iloc[0] is not reference[s.SEGMENT_ID].iloc[1]
    out = share_strings(frame, reference, {s.SEGMENT_ID: s.SEGMENT_ID, s.CODE_ID: s.SEGMENT_ID})
    assert out is frame
    pd.testing.assert_frame_equal(frame, before, check_exact=True)
    ids = frame[s.SEGMENT_ID].tolist()
    assert ids[0] is reference[s.SEGMENT_ID].iloc[1] and ids[4] is ids[0]
    assert ids[3] is reference[s.SEGMENT_ID].iloc[0]
    assert ids[1] == "seg-x" and ids[2] is None  # not in the reference; missing stays None
    assert frame[s.CODE_ID].tolist() == ["housing", "jobs", "jobs", None, "housing"]


def test_missing_values_and_non_string_columns_stay_as_they_were():
    reference = pd.DataFrame({"a": ["x", "y"], "n": [1, 2], "m": ["1", "2"]})
    frame = pd.DataFrame({"a": ["x", np.nan, "y", None], "n": [1, 2, 2, 1],
                          "m": [1, "1", 2.0, None]})  # mixed: left alone
    before = frame.copy(deep=True)
    share_strings(frame, reference, {"a": "a", "n": "n", "m": "m", "absent": "a"})
    pd.testing.assert_frame_equal(frame, before, check_exact=True)
    assert frame["a"].iloc[0] is reference["a"].iloc[0] and frame["a"].iloc[2] is reference[
        "a"].iloc[1]
    assert isinstance(frame["a"].iloc[1], float) and frame["a"].iloc[3] is None
    assert frame["m"].tolist() == [1, "1", 2.0, None] and frame["n"].dtype == np.int64
    empty = frame.iloc[:0].copy()
    pd.testing.assert_frame_equal(share_strings(empty, reference, {"a": "a"}), frame.iloc[:0])


def test_a_column_already_holding_the_reference_objects_is_left_as_it_is():
    reference = pd.DataFrame({s.SEGMENT_ID: fresh(["seg-a", "seg-b", None, "seg-a"])})
    frame = pd.DataFrame({s.SEGMENT_ID: reference[s.SEGMENT_ID].to_numpy().copy()})
    held = frame[s.SEGMENT_ID].to_numpy()
    share_strings(frame, reference, {s.SEGMENT_ID: s.SEGMENT_ID})
    assert np.shares_memory(frame[s.SEGMENT_ID].to_numpy(), held)  # not rebuilt
    # one row its own copy: the column is rebuilt, every string the reference's object
    frame.loc[3, s.SEGMENT_ID] = "".join(["seg-", "a"])
    share_strings(frame, reference, {s.SEGMENT_ID: s.SEGMENT_ID})
    ids = frame[s.SEGMENT_ID].tolist()
    assert ids[3] is reference[s.SEGMENT_ID].iloc[0] and ids[2] is None
    assert ids == ["seg-a", "seg-b", None, "seg-a"]
