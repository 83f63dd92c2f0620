"""Stage results cached in the wave's outputs folder as parquet and JSON, read back as written."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pyarrow.parquet as pq

from pipeline import schema as s
from pipeline.coding.rules import RuleCoder
from pipeline.coding.stream import SegmentedAndCoded, segment_and_code
from pipeline.export import Published
from pipeline.export.files import write_coded_tables, write_parquet, write_run_tables
from pipeline.export.publish import file_state
from pipeline.ingest import ingest_wave
from pipeline.stage_cache import (
    CACHE_DIR,
    INGEST,
    SEGMENT_AND_CODE,
    StageCache,
    same_when_read,
    write_by_row_group,
)


def test_an_ingest_result_comes_back_as_it_was_cached(tmp_path, waves_dir):
    ingested = ingest_wave(waves_dir / "mini-wave")
    cache = StageCache(tmp_path / "mini-2013")
    cache.put(INGEST, "k1", ingested)
    assert not (tmp_path / "mini-2013").exists()  # nothing before the run has published
    cache.write(INGEST, "k1", ingested)
    again = StageCache(tmp_path / "mini-2013").get(INGEST, "k1")
    pd.testing.assert_frame_equal(again.documents, ingested.documents)
    pd.testing.assert_frame_equal(again.rejected, ingested.rejected)
    assert again.manifest == ingested.manifest and again.inputs == ingested.inputs
    assert (again.items_in, again.notes, again.inferred) == \
        (ingested.items_in, ingested.notes, ingested.inferred)
    assert again.speaker_labels == ingested.speaker_labels


def test_another_key_or_no_reuse_finds_nothing_and_a_new_key_replaces_the_old(tmp_path):
    coded = SegmentedAndCoded(pd.DataFrame({"segment_id": ["a", "b"]}),
                              pd.DataFrame({"segment_id": ["a"], "code_id": ["x"]}))
    cache = StageCache(tmp_path / "w")
    cache.write(SEGMENT_AND_CODE, "old", coded)
    assert cache.get(SEGMENT_AND_CODE, "new") is None
    assert cache.used == {SEGMENT_AND_CODE: {"key": "new", "reused": False}}
    assert StageCache(tmp_path / "w", reuse=False).get(SEGMENT_AND_CODE, "old") is None
    found = cache.get(SEGMENT_AND_CODE, "old")
    pd.testing.assert_frame_equal(found.codings, coded.codings)
    assert cache.used[SEGMENT_AND_CODE]["reused"]
    cache.write(SEGMENT_AND_CODE, "new", coded)
    kept = [p.name for p in (tmp_path / "w" / CACHE_DIR / SEGMENT_AND_CODE).iterdir()]
    assert kept == ["new"]


def test_tables_written_a_few_rows_at_a_time_read_back_as_one_write_gives(
        tmp_path, waves_dir, mini_codebook):
    ingested = ingest_wave(waves_dir / "mini-wave")
    coded = segment_and_code(ingested.documents, RuleCoder(mini_codebook),
                             interviewer_labels=ingested.interviewer_labels)
    for name, frame in {"documents": ingested.documents, "segments": coded.segments,
                        "codings": coded.codings}.items():
        assert len(frame) > 6, name  # so three rows a group makes several groups
        frame.to_parquet(tmp_path / f"{name}-whole.parquet")
        write_by_row_group(frame, tmp_path / f"{name}.parquet", rows=3)
        whole = pd.read_parquet(tmp_path / f"{name}-whole.parquet")
        grouped = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert pq.ParquetFile(tmp_path / f"{name}.parquet").num_row_groups == -(-len(frame) // 3)
        pd.testing.assert_frame_equal(grouped, whole, check_exact=True)
        assert pq.read_schema(tmp_path / f"{name}.parquet").equals(
            pq.read_schema(tmp_path / f"{name}-whole.parquet"), check_metadata=True), name


def test_a_frame_without_its_default_index_is_written_whole_with_that_index(tmp_path):
    frame = pd.DataFrame({"segment_id": list("abcdefg"), "n": range(7)}).iloc[::-1]
    write_by_row_group(frame, tmp_path / "t.parquet", rows=2)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), frame)
    assert pq.ParquetFile(tmp_path / "t.parquet").num_row_groups == 1


def test_column_types_found_a_block_at_a_time_give_the_whole_frames_schema(tmp_path):
    # Text first met after a block of missing values, a column with none, lists, and object
    # numbers whose blocks disagree (ints, then a float: pyarrow's own inference over all).
    frame = pd.DataFrame({
        "late_text": [None, None, None, None, "housing", "jobs"],
        "missing": pd.Series([None] * 6, dtype=object),
        "lists": [None, None, ["housing"], [], ["jobs", "family"], None],
        "mixed": pd.Series([1, 2, 3, 4, 2.5, None], dtype=object),
        # the first value alone is decimal(2, 1); its blocks and the whole column decimal(5, 2)
        "amount": [Decimal("1.5"), Decimal("123.45"), Decimal("100.25"), None, None, None],
        "n": range(6), "flag": [True, False] * 3})
    for columns in (["late_text", "missing", "lists", "n", "flag"], ["amount", "n"],
                    list(frame.columns)):
        part = frame[columns]
        part.to_parquet(tmp_path / "whole.parquet")
        write_by_row_group(part, tmp_path / "grouped.parquet", rows=2)
        assert pq.read_schema(tmp_path / "grouped.parquet").equals(
            pq.read_schema(tmp_path / "whole.parquet"), check_metadata=True), columns
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "grouped.parquet"),
                                      pd.read_parquet(tmp_path / "whole.parquet"),
                                      check_exact=True)


def test_tables_publish_wrote_from_the_same_frames_are_copied_from_its_files(
        tmp_path, waves_dir, mini_codebook):
    ingested = ingest_wave(waves_dir / "mini-wave")
    coded = segment_and_code(ingested.documents, RuleCoder(mini_codebook),
                             interviewer_labels=ingested.interviewer_labels)
    out = tmp_path / "outputs" / "mini-2013"
    written = write_run_tables(out, ingested.documents, coded.segments, ingested.rejected)
    written.update(write_coded_tables(out, {"codings": coded.codings,
                                            "stances": s.empty(s.STANCES),
                                            "theme_summary": pd.DataFrame()}))
    sources = {"documents": ingested.documents, "segments": coded.segments,
               "codings": coded.codings.copy()}
    published = Published(out, None, {}, written, {
        name: (frame, file_state(written[name])) for name, frame in sources.items()})
    cache = StageCache(out)
    cache.write(INGEST, "k1", ingested, published)
    cache.write(SEGMENT_AND_CODE, "k2", coded, published)

    def kept(stage: str, key: str, name: str) -> bytes:
        return (out / CACHE_DIR / stage / key / f"{name}.parquet").read_bytes()

    # the very frames publish wrote: their files, byte for byte
    assert kept(INGEST, "k1", "documents") == (out / "documents.parquet").read_bytes()
    assert kept(SEGMENT_AND_CODE, "k2", "segments") == (out / "segments.parquet").read_bytes()
    # an equal copy is not the frame publish wrote (a review may have changed the codings)
    assert kept(SEGMENT_AND_CODE, "k2", "codings") != (out / "codings.parquet").read_bytes()
    # rejected was published as CSV: written for the cache
    assert (out / CACHE_DIR / INGEST / "k1" / "rejected.parquet").is_file()
    again = StageCache(out)
    documents = again.get(INGEST, "k1").documents
    # a missing attribute comes back as the frame held it (pandas' NA, not the file's None)
    assert documents["organisation"].isna().sum() == 7
    assert all(value is pd.NA for value in documents["organisation"] if pd.isna(value))
    pd.testing.assert_frame_equal(documents, ingested.documents, check_exact=True)
    found = again.get(SEGMENT_AND_CODE, "k2")
    pd.testing.assert_frame_equal(found.segments, coded.segments, check_exact=True)
    pd.testing.assert_frame_equal(found.codings, coded.codings, check_exact=True)


def test_a_published_file_replaced_since_publish_is_not_copied(tmp_path, waves_dir):
    ingested = ingest_wave(waves_dir / "mini-wave")
    out = tmp_path / "outputs" / "mini-2013"
    written = write_run_tables(out, ingested.documents, s.empty(s.SEGMENTS), ingested.rejected)
    state = file_state(written["documents"])
    # a review import swapped the folder in between: another file now stands at the path
    # (the same rows and types, other words: only the file's state tells them apart)
    replaced = ingested.documents.assign(**{s.TEXT: ingested.documents[s.TEXT].str.upper()})
    write_run_tables(out.with_name("other"), replaced, s.empty(s.SEGMENTS), ingested.rejected)
    (out.with_name("other") / "documents.parquet").replace(written["documents"])
    published = Published(out, None, {}, written, {"documents": (ingested.documents, state)})
    StageCache(out).write(INGEST, "k1", ingested, published)
    kept = out / CACHE_DIR / INGEST / "k1" / "documents.parquet"
    assert kept.read_bytes() != written["documents"].read_bytes()
    pd.testing.assert_frame_equal(StageCache(out).get(INGEST, "k1").documents,
                                  ingested.documents, check_exact=True)


def test_a_file_read_back_with_other_dtypes_columns_or_rows_is_not_the_frame(tmp_path):
    frame = pd.DataFrame({s.SEGMENT_ID: ["a", "b", "c"], s.CODE_ID: ["x", "y", None],
                          s.START: [0, 4, 9], s.END: [3, 8, 12], s.EVIDENCE: ["e", "f", "g"],
                          s.METHOD: "rule", s.PATTERN: "p", s.CONFIDENCE: [1.0, 0.5, 0.9],
                          s.NEGATED: [False, True, False], s.CODER: "rules",
                          s.NEEDS_REVIEW: False, s.STATUS: "machine"})
    path = write_parquet(frame, s.CODINGS, tmp_path / "codings.parquet")
    assert same_when_read(frame, path)
    assert not same_when_read(frame.astype({s.START: "float64"}), path)
    assert not same_when_read(frame[list(reversed(frame.columns))], path)
    assert not same_when_read(frame.iloc[:2], path)
    assert not same_when_read(frame.set_axis([5, 6, 7]), path)
    assert not same_when_read(frame, tmp_path / "missing.parquet")
