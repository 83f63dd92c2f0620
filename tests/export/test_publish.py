"""Publish: one wave's folder and database rows written all or nothing, other files kept."""

from __future__ import annotations

import os
import shutil
import subprocess

import duckdb
import pandas as pd
import pytest
from support_review import publish_folder

from pipeline import schema as s
from pipeline.export import WaveTables, publish_wave, run_summary_markdown, wide_files
from pipeline.export.leftovers import clear_leftovers
from pipeline.outputs import read_wave
from pipeline.review.apply import review_wave


@pytest.fixture()
def published(tmp_path, waves_dir, data_dir, mini_codebook):
    """The mini wave published under ``tmp_path/outputs/mini-2013``."""
    return publish_folder(waves_dir / "mini-wave", tmp_path / "outputs" / "mini-2013",
                          mini_codebook, data_dir / "codebook-mini.yaml")


def db_count(out_dir, table: str) -> int:
    with duckdb.connect(str(out_dir.parent / "wavecoder.duckdb"), read_only=True) as con:
        return con.execute(f"select count(*) from {table} where wave = 'mini-2013'").fetchone()[0]


def stored_tables(out_dir) -> int:
    with duckdb.connect(str(out_dir.parent / "wavecoder.duckdb"), read_only=True) as con:
        return con.execute("select count(*) from information_schema.tables "
                           "where table_type = 'BASE TABLE'").fetchone()[0]


def republish(given: WaveTables, done, codebook, **changes):
    """Publish the same wave again with some of its tables changed."""
    tables = WaveTables(**{**given.__dict__, **changes})
    review = review_wave(tables.codings, tables.segments, s.empty(s.STORED_REVIEW_LOG),
                         codebook, "mini-2013")
    return publish_wave(done.directory, tables, codebook, done.record, review=review.tables)


def test_the_folder_holds_every_table_the_record_and_the_codebook(published, data_dir):
    given, done = published
    out = done.directory
    assert sorted(done.record.outputs) == sorted(done.written)
    for name, relative in done.record.outputs.items():
        assert (out / relative).is_file(), name
    assert (out / "codebook.yaml").read_bytes() == (data_dir / "codebook-mini.yaml").read_bytes()
    wave = read_wave(out)
    assert wave.codebook is not None and wave.codebook.sha256 == done.record.codebook.sha256
    assert wave.run == done.record and {"export", "store"} <= set(wave.run.timings)
    pd.testing.assert_frame_equal(wave.codings, given.codings)
    pd.testing.assert_frame_equal(wave.theme_summary, done.tables["theme_summary"])
    assert db_count(out, "codings") == len(given.codings)
    # no leftovers; the wave's lock file stays (pipeline.export.lock)
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == [".mini-2013.lock"]


def test_files_publish_does_not_write_are_kept_and_stale_topics_dropped(published,
                                                                      mini_codebook):
    given, done = published
    out = done.directory
    (out / "mini-2013-review.xlsx").write_bytes(b"a reviewer's decisions")
    (out / "report").mkdir()
    (out / "report" / "themes.csv").write_text("code_id\nhousing\n")
    (out / "topics.parquet").write_bytes(b"an earlier run's topics")
    republish(given, done, mini_codebook)
    assert (out / "mini-2013-review.xlsx").read_bytes() == b"a reviewer's decisions"
    assert (out / "report" / "themes.csv").read_text() == "code_id\nhousing\n"
    assert (out / "codebook.yaml").is_file()  # the run's copy stays when none is given
    assert not (out / "topics.parquet").exists()  # this run found no topics


@pytest.mark.parametrize("beside", [False, True], ids=["at-once", "wide-files-beside"])
def test_a_failed_publish_leaves_the_previous_outputs(published, mini_codebook, monkeypatch,
                                                      beside):
    if beside:  # the old folder's wide files must not be linked in for the process to overwrite
        monkeypatch.setattr(wide_files, "BESIDE_FROM_ROWS", 0)
    given, done = published
    out = done.directory
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    fewer = given.codings.iloc[: len(given.codings) // 2]
    # the database refuses the last table (a line that is not a number): everything rolls back
    broken = given.rejected.assign(**{s.LINE: "not a line"})
    with pytest.raises(duckdb.Error):
        republish(given, done, mini_codebook, codings=fewer,
                  stances=given.stances.iloc[: len(fewer)], rejected=broken)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert db_count(out, "codings") == len(given.codings)
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == [".mini-2013.lock"]


def test_a_missing_codebook_file_fails_before_anything_is_replaced(published, mini_codebook,
                                                                 tmp_path):
    given, done = published
    out = done.directory
    shutil.copy(out / "codings.parquet", tmp_path / "codings-before.parquet")
    review = review_wave(given.codings, given.segments, s.empty(s.STORED_REVIEW_LOG),
                         mini_codebook, "mini-2013")
    with pytest.raises(FileNotFoundError):
        publish_wave(out, WaveTables(**{**given.__dict__, "codings": given.codings.iloc[:1],
                                        "stances": given.stances.iloc[:1]}),
                     mini_codebook, done.record, review=review.tables,
                     codebook_file=tmp_path / "nowhere.yaml")
    assert (out / "codings.parquet").read_bytes() == (
        tmp_path / "codings-before.parquet").read_bytes()
    assert db_count(out, "codings") == len(given.codings)


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def test_folders_a_killed_publish_left_are_cleared_by_the_next(published, mini_codebook):
    given, done = published
    out = done.directory
    killed = out.parent / f".mini-2013.publishing-{dead_pid()}-0123456789ab"
    killed.mkdir()
    (killed / "coded_wide.xlsx").write_bytes(b"PK\x03\x04 half a workbook")
    running = out.parent / f".mini-2013.publishing-{os.getpid()}-0123456789ab"  # still alive
    running.mkdir()
    other_wave = out.parent / f".mini-2014.publishing-{dead_pid()}-0123456789ab"
    other_wave.mkdir()
    assert read_wave(out).codings.equals(given.codings)  # hidden folders are never read
    republish(given, done, mini_codebook)
    assert not killed.exists() and running.is_dir() and other_wave.is_dir()
    assert read_wave(out).codings.equals(given.codings)


def test_a_kill_between_the_two_renames_puts_the_old_folder_back(published):
    _, done = published
    out = done.directory
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    moved_aside = out.parent / f".mini-2013.previous-{dead_pid()}-0123456789ab"
    os.replace(out, moved_aside)
    assert clear_leftovers(out) == [moved_aside]
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not moved_aside.exists()
    # once the new folder is in place, an old one moved aside is only removed
    shutil.copytree(out, moved_aside)
    assert clear_leftovers(out) == [moved_aside] and not moved_aside.exists() and out.is_dir()


def test_a_wide_table_past_the_sheet_limit_is_split_and_the_record_says_why(published,
                                                                           mini_codebook):
    given, done = published
    out = done.directory
    review = review_wave(given.codings, given.segments, s.empty(s.STORED_REVIEW_LOG),
                         mini_codebook, "mini-2013")
    # 8 answers, sheets of 4 rows with the header: 3 + 3 + 2, in order
    split = publish_wave(out, given, mini_codebook, done.record, review=review.tables,
                         excel_rows=4)
    note = ("coded_wide.xlsx is split over sheets coded, coded (2), coded (3): its 8 rows are "
            "more than one Excel sheet holds (4 with the header), so each sheet takes the next "
            "rows in order; the CSV file and the database's coded_wide table hold them in one "
            "table")
    assert split.record.notes.count(note) == 1
    assert read_wave(out).run.notes == split.record.notes  # run.json as published
    summary = run_summary_markdown(split.record.model_dump(), split.tables["theme_summary"],
                                   None, mini_codebook.labels())
    assert f"- note: {note}\n" in summary
    sheets = pd.read_excel(out / "coded_wide.xlsx", sheet_name=None)
    assert list(sheets) == ["coded", "coded (2)", "coded (3)", "codebook"]
    assert [len(sheets[n]) for n in ("coded", "coded (2)", "coded (3)")] == [3, 3, 2]
    wide = split.tables["coded_wide"]
    back = pd.concat([sheets[n] for n in ("coded", "coded (2)", "coded (3)")],
                     ignore_index=True)
    assert back[s.RESPONDENT_ID].tolist() == wide[s.RESPONDENT_ID].tolist()
    assert back[s.QUESTION_ID].tolist() == wide[s.QUESTION_ID].tolist()
    # published again within the limit: one sheet, and the note goes
    again = publish_wave(out, given, mini_codebook, split.record, review=review.tables)
    assert not [n for n in again.record.notes if n.startswith("coded_wide.xlsx")]
    assert pd.ExcelFile(out / "coded_wide.xlsx").sheet_names == ["coded", "codebook"]


def test_a_wide_table_written_beside_is_the_one_written_at_once(published, mini_codebook,
                                                                  monkeypatch):
    given, done = published
    out = done.directory
    csv_at_once = (out / "coded_wide.csv").read_bytes()
    sheets_at_once = pd.read_excel(out / "coded_wide.xlsx", sheet_name=None)
    monkeypatch.setattr(wide_files, "BESIDE_FROM_ROWS", 0)  # a process of their own
    again = republish(given, done, mini_codebook)
    assert (out / "coded_wide.csv").read_bytes() == csv_at_once
    sheets = pd.read_excel(out / "coded_wide.xlsx", sheet_name=None)
    assert list(sheets) == list(sheets_at_once) == ["coded", "codebook"]
    for name, sheet in sheets.items():
        pd.testing.assert_frame_equal(sheet, sheets_at_once[name])
    assert len(sheets["coded"]) == len(done.tables["coded_wide"]) > 0
    assert {name: path for name, path in again.record.outputs.items() if "wide" in name} == {
        "coded_wide_csv": "coded_wide.csv", "coded_wide_xlsx": "coded_wide.xlsx"}
    assert again.record.timings["wide_files"] > 0
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == [".mini-2013.lock"]


def test_each_publish_step_is_reported_with_counts_and_no_answers(published, mini_codebook):
    given, done = published
    lines: list[str] = []
    review = review_wave(given.codings, given.segments, s.empty(s.STORED_REVIEW_LOG),
                         mini_codebook, "mini-2013")
    again = publish_wave(done.directory, given, mini_codebook, done.record,
                         review=review.tables, progress=lines.append)
    steps = [line.rsplit(", ", 1)[0] for line in lines]  # the seconds vary
    assert steps == [
        f"publish: theme summary and wide table counted "
        f"({len(again.tables['coded_wide']):,} wide rows)",
        f"publish: {len(again.written)} files written",
        "publish: codings digest taken",
        f"publish: {stored_tables(done.directory)} tables stored in the database",
        "publish: wide CSV and workbook written",
        "publish: folder in place, database committed",
    ]
    assert all(line.endswith(" s") for line in lines)
    assert not any(text in line for text in given.segments[s.TEXT] for line in lines)
