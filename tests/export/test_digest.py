"""The codings digest: one canonical body per set of codings, however the columns are typed."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from pipeline.export.digest import DIGEST_SLICE, _row_order, codings_digest

HEADER = "segment_id\tcode_id\tstart\tend\tnegated\tstatus"


def _sha(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _codings() -> pd.DataFrame:
    return pd.DataFrame({
        "segment_id": ["d2:0", "d1:1", "d1:0"], "code_id": ["housing", "housing", "jsna"],
        "start": [4, 0, 12], "end": [11, 7, 16], "negated": [False, True, False],
        "status": ["machine", None, "accepted"], "confidence": [0.5, 0.9, 1.0]})


def test_the_body_is_the_header_then_rows_sorted():
    expected = _sha(HEADER + "\n" + "\n".join([
        "d1:0\tjsna\t12\t16\t0\taccepted",
        "d1:1\thousing\t0\t7\t1\t",  # a missing status is written as nothing
        "d2:0\thousing\t4\t11\t0\tmachine"]))
    assert codings_digest(_codings()) == expected
    assert codings_digest(_codings().iloc[::-1]) == expected  # row order does not count


def test_typing_does_not_change_the_digest():
    plain = codings_digest(_codings())
    # offsets read back as floats (a missing one forced the column to float) write as integers
    floats = _codings().assign(start=lambda f: f["start"].astype(float))
    nullable = _codings().assign(start=lambda f: f["start"].astype("Int64"),
                                 code_id=lambda f: f["code_id"].astype("string"))
    assert codings_digest(floats) == codings_digest(nullable) == plain
    assert codings_digest(_codings().assign(negated=lambda f: f["negated"].astype(object))
                          ) == plain


def test_missing_values_and_empty_tables():
    gaps = _codings().assign(start=[np.nan, 0.0, 12.5])
    assert codings_digest(gaps) == _sha(HEADER + "\n" + "\n".join([
        "d1:0\tjsna\t12.5\t16\t0\taccepted", "d1:1\thousing\t0\t7\t1\t",
        "d2:0\thousing\t\t11\t0\tmachine"]))
    assert codings_digest(_codings().iloc[:0]) == _sha(HEADER + "\n")
    assert codings_digest(_codings()[["confidence"]]) == _sha("\n")


def _by_definition(frame: pd.DataFrame) -> str:
    """The digest as its docstring defines it: every row a string, the strings sorted."""
    rows = sorted("\t".join("" if pd.isna(v) else str(v) for v in row)
                  for row in frame.itertuples(index=False))
    return _sha("\t".join(frame.columns) + "\n" + "\n".join(rows))


def test_rows_sort_as_their_strings_when_ids_are_prefixes_or_not_ascii():
    ids = ["d1", "d1:0", "d1 x", "d10", "d1é", "d1\u00a0", "D1", "d1~", "é", "d1\n"]
    frame = pd.DataFrame({"segment_id": ids * 2, "code_id": ["a", "ab"] * len(ids),
                          "start": [9, 10] * len(ids), "end": [100, 99] * len(ids),
                          "negated": ["0", "1"] * len(ids), "status": ["machine", None] * len(ids)})
    assert codings_digest(frame) == _by_definition(frame)
    assert codings_digest(frame.sample(frac=1, random_state=3)) == _by_definition(frame)


def test_a_value_with_a_tab_or_a_character_before_it_sorts_rows_as_strings():
    # "d1\tz" and "d1\x01" sort differently as row strings than as values: the rows decide
    frame = pd.DataFrame({"segment_id": ["d1", "d1\tz", "d1\x01", "d1"],
                          "code_id": ["b", "a", "a", "a"], "start": [0, 0, 0, 5],
                          "end": [1, 1, 1, 6], "negated": ["0"] * 4, "status": ["machine"] * 4})
    assert codings_digest(frame) == _by_definition(frame)


def test_rows_are_ordered_by_ranks_packed_or_not():
    rng = np.random.default_rng(0)
    narrow = [rng.integers(0, 5, 200), rng.integers(0, 3, 200), rng.integers(0, 1000, 200)]
    # 41 + 31 bits do not fit in one 63-bit key: sorted column by column instead
    wide = [rng.integers(0, 3, 200) * 2**40, rng.integers(0, 3, 200) * 2**30, narrow[2]]
    for ranks in (narrow, wide):
        assert (_row_order(ranks) == np.lexsort(ranks[::-1])).all()


def test_a_large_table_digests_as_defined():
    # more rows than one slice of the body, ids of every width and some not ASCII
    rows = 2 * DIGEST_SLICE + 7
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "segment_id": [f"d{i % 9973}{'é' if i % 7 == 0 else ''}:{i % 13}" for i in range(rows)],
        "code_id": rng.choice(["housing", "jsna", "mental_health"], rows),
        "start": rng.integers(0, 500, rows), "end": rng.integers(500, 900, rows),
        "negated": rng.integers(0, 2, rows).astype(bool), "status": "machine"})
    expected = _by_definition(frame.assign(negated=frame["negated"].map({True: 1, False: 0})))
    assert codings_digest(frame) == expected
