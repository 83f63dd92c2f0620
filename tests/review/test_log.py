"""The review log: append-only, idempotent per file, read back in the order it was logged."""

from __future__ import annotations

import duckdb
from support_review import decisions

from pipeline import schema as s
from pipeline.review.log import LOG_TABLE, append_decisions, read_log

ROWS = [("seg1", "housing", "accepted"), ("seg1", "housing_gap", "rejected"),
        ("seg2", "mental_health", "added")]


def test_appending_the_same_file_twice_changes_nothing(tmp_path):
    db = tmp_path / "wavecoder.duckdb"
    first = append_decisions(db, "w1", decisions(ROWS), imported_at="2024-03-02T09:00:00")
    again = append_decisions(db, "w1", decisions(ROWS), imported_at="2024-03-09T09:00:00")
    assert (first.added, first.already_logged, first.log_size) == (3, 0, 3)
    assert (again.added, again.already_logged, again.log_size) == (0, 3, 3)
    log = read_log(db, "w1")
    assert list(log.columns) == s.STORED_REVIEW_LOG.names
    assert log[s.LOG_SEQ].tolist() == [1, 2, 3]
    assert set(log[s.IMPORTED_AT]) == {"2024-03-02T09:00:00"}


def test_a_later_decision_is_appended_and_the_earlier_one_stays(tmp_path):
    db = tmp_path / "wavecoder.duckdb"
    append_decisions(db, "w1", decisions(ROWS))
    later = decisions([("seg1", "housing_gap", "accepted")], when="2024-04-01T10:00:00",
                      file="second.xlsx", digest="b" * 64)
    assert append_decisions(db, "w1", later).added == 1
    log = read_log(db, "w1")
    gap = log[log[s.CODE_ID] == "housing_gap"]
    assert gap[s.DECISION].tolist() == ["rejected", "accepted"]
    assert gap[s.REVIEW_FILE].tolist() == ["review.xlsx", "second.xlsx"]


def test_waves_are_kept_apart_and_the_table_only_grows(tmp_path):
    db = tmp_path / "wavecoder.duckdb"
    append_decisions(db, "w1", decisions(ROWS))
    append_decisions(db, "w2", decisions(ROWS[:1]))
    assert len(read_log(db, "w1")) == 3 and len(read_log(db, "w2")) == 1
    with duckdb.connect(str(db)) as con:
        assert con.execute(f"select count(*) from {LOG_TABLE}").fetchall()[0][0] == 4
        assert con.execute(f"select max(seq) from {LOG_TABLE}").fetchall()[0][0] == 4


def test_a_decision_without_a_time_is_dated_by_its_import(tmp_path):
    db = tmp_path / "wavecoder.duckdb"
    undated = decisions(ROWS[:1]).assign(**{s.DECIDED_AT: None})
    append_decisions(db, "w1", undated, imported_at="2024-05-05T12:00:00")
    assert read_log(db, "w1")[s.DECIDED_AT].tolist() == ["2024-05-05T12:00:00"]


def test_no_database_reads_as_an_empty_log(tmp_path):
    log = read_log(tmp_path / "none.duckdb", "w1")
    assert log.empty and list(log.columns) == s.STORED_REVIEW_LOG.names
