"""Export: wide dataset and theme summary roll children up; DuckDB replaces a wave's rows only."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from support_review import publish_folder

from pipeline import schema as s
from pipeline.export import store_wave
from pipeline.export.files import write_csv, write_parquet
from pipeline.export.provenance import row_accounting
from pipeline.export.store import storing
from pipeline.ingest import ingest_wave
from pipeline.outputs import database_of
from pipeline.untrusted import csv_safe

TABLE_SCHEMAS = {"documents": s.DOCUMENTS, "segments": s.SEGMENTS, "codings": s.CODINGS,
                 "stances": s.STANCES}


@pytest.fixture(scope="module")
def published(tmp_path_factory, waves_dir, data_dir, mini_codebook):
    """The mini wave coded and published: (tables given to publish, what publish returned)."""
    return publish_folder(waves_dir / "mini-wave", tmp_path_factory.mktemp("out") / "mini-2013",
                          mini_codebook, data_dir / "codebook-mini.yaml")


@pytest.fixture(scope="module")
def coded(published, waves_dir):
    given, done = published
    tables = {"documents": given.documents, "segments": given.segments,
              "codings": given.codings, "stances": given.stances, "rejected": given.rejected,
              **done.tables}
    return ingest_wave(waves_dir / "mini-wave"), tables


def test_coded_wide_has_one_row_per_answer_and_rolls_children_up(coded, mini_codebook):
    ingested, tables = coded
    wide = tables["coded_wide"]
    assert len(wide) == len(ingested.documents) == 8
    assert list(wide.columns[-6:]) == [
        *(s.code_column(c) for c in mini_codebook.code_ids()), s.TEXT]
    row = wide[(wide[s.RESPONDENT_ID] == "S002") & (wide[s.QUESTION_ID] == "q2_local_gaps")]
    assert row[["code_mental_health", "code_mental_health_threshold", "code_housing"]
               ].values.tolist() == [[1, 1, 0]]
    # "no dry housing" is coded housing_gap ... and so also counts for its parent, housing.
    gap = wide[(wide[s.RESPONDENT_ID] == "line-8") & (wide[s.QUESTION_ID] == "q2_local_gaps")]
    assert gap[["code_housing", "code_housing_gap"]].values.tolist() == [[1, 1]]
    assert set(wide["region"].dropna()) >= {"North West", "London"}


def test_code_columns_are_a_byte_in_memory_and_the_same_integers_in_csv_and_database(
        coded, published, mini_codebook):
    wide = coded[1]["coded_wide"]
    columns = [s.code_column(c) for c in mini_codebook.code_ids()]
    assert set(wide[columns].dtypes) == {np.dtype("int8")}
    as_integers = wide[columns].astype("int64")
    csv = pd.read_csv(published[1].written["coded_wide_csv"])
    pd.testing.assert_frame_equal(csv[columns], as_integers)
    with duckdb.connect(str(database_of(published[1].directory)), read_only=True) as con:
        types = dict(con.execute("select column_name, data_type from information_schema.columns "
                                 "where table_name = 'coded_wide'").fetchall())
        stored = con.execute("select * from coded_wide order by respondent_id, question_id").df()
    assert {types[c] for c in columns} == {"BIGINT"}
    in_order = wide.sort_values([s.RESPONDENT_ID, s.QUESTION_ID]).reset_index(drop=True)
    pd.testing.assert_frame_equal(stored[columns], in_order[columns].astype("int64"))
    assert int(as_integers.to_numpy().sum()) == 9  # codes and their rolled-up parents


def test_theme_summary_counts_respondents_per_question(coded):
    summary = coded[1]["theme_summary"].set_index([s.QUESTION_ID, s.CODE_ID])
    gaps = summary.loc["q2_local_gaps"]
    # q2 answered by S001, S002 and line-8
    assert gaps[s.RESPONDENTS].unique().tolist() == [3]
    assert gaps.loc["employment_training", s.MENTIONS] == 1
    assert gaps.loc["employment_training", s.NEGATED_MENTIONS] == 1  # "not available"
    assert gaps.loc["housing", s.MENTIONS] == 1
    assert gaps.loc["housing", s.SHARE] == pytest.approx(1 / 3, abs=1e-4)
    ranked = gaps.sort_values(s.RANK)
    assert ranked[s.MENTIONS].is_monotonic_decreasing
    assert ranked[s.RANK].tolist() == list(range(1, len(ranked) + 1))


def test_accounting_adds_up(coded):
    ingested, tables = coded
    acc = row_accounting(ingested.items_in, ingested.documents, ingested.rejected,
                         tables["segments"], tables["codings"])
    assert acc["items_in"] == acc["kept"] + acc["rejected"] == 13
    assert acc["kept"] == acc["documents_coded"] + acc["documents_uncoded"]
    assert acc["rejected_by_reason"] == {"duplicate": 2, "empty": 1, "non-answer": 2}
    assert acc["codings"] == len(tables["codings"])


def test_written_files_round_trip(coded, published, mini_codebook):
    _, tables = coded
    written = published[1].written
    codings = pq.read_table(written["codings"]).to_pandas()
    pd.testing.assert_frame_equal(codings, tables["codings"])
    assert pq.read_table(written["documents"]).schema.names[:9] == s.DOCUMENTS.names
    sheet = pd.read_excel(written["coded_wide_xlsx"], sheet_name="coded")
    assert len(sheet) == 8 and "code_housing_gap" in sheet.columns
    assert pd.read_excel(written["coded_wide_xlsx"], sheet_name="codebook")["code_id"].tolist(
        ) == mini_codebook.code_ids()
    assert written["theme_chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    stances = pq.read_table(written["stances"]).to_pandas()
    assert len(stances) == len(codings)
    gap = stances[(stances[s.CODE_ID] == "employment_training")].iloc[0]
    assert gap[s.STANCE] == "gap"  # "ETE support is not available locally."
    assert len(pd.read_csv(written["rejected"])) == 5


def test_duckdb_rerun_replaces_only_that_wave(tmp_path, coded):
    _, tables = coded
    db = tmp_path / "wavecoder.duckdb"
    other = {name: frame.assign(**{s.WAVE: "other-wave"}) for name, frame in tables.items()}
    store_wave(db, "other-wave", other)
    store_wave(db, "mini-2013", tables, record={"wave": "mini-2013"})
    store_wave(db, "mini-2013", tables, record={"wave": "mini-2013"})
    with duckdb.connect(str(db)) as con:
        counts = dict(con.execute(
            "select wave, count(*) from codings group by wave order by wave").fetchall())
        runs = con.execute("select count(*) from runs").fetchone()[0]
        region = con.execute("select count(*) from documents where region = 'London' "
                             "and wave = 'mini-2013'").fetchone()[0]
    assert counts == {"mini-2013": len(tables["codings"]), "other-wave": len(tables["codings"])}
    assert runs == 1 and region == 2  # S002 answered both questions


def test_duckdb_stores_the_same_rows_and_types_whatever_its_memory_limit(tmp_path, coded):
    _, tables = coded
    stored = {}
    for limit in ("16MB", "8GB"):
        db = tmp_path / limit / "wavecoder.duckdb"
        with storing(db, "mini-2013", tables, memory_limit=limit):
            pass
        with duckdb.connect(str(db)) as con:
            stored[limit] = {name: (con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = ? order by ordinal_position", [name]).fetchall(),
                con.execute(f'select * from "{name}"').df()) for name in tables}
    for name in tables:
        small, large = stored["16MB"][name], stored["8GB"][name]
        assert small[0] == large[0]
        pd.testing.assert_frame_equal(small[1], large[1], check_exact=True)
        assert len(small[1]) == len(tables[name])


def test_duckdb_adds_columns_a_later_wave_brings(tmp_path, coded):
    _, tables = coded
    db = tmp_path / "wavecoder.duckdb"
    docs = tables["documents"]
    store_wave(db, "a", {"documents": docs.drop(columns=["service_type"]).assign(wave="a")})
    store_wave(db, "b", {"documents": docs.assign(wave="b")})
    with duckdb.connect(str(db)) as con:
        nulls = con.execute("select count(*) from documents where wave = 'a' "
                            "and service_type is null").fetchone()[0]
    assert nulls == len(docs)


@pytest.mark.parametrize("name", ["documents", "segments", "codings", "stances"])
def test_parquet_is_written_by_row_group_and_reads_back_as_one_write(published, tmp_path,
                                                                     name):
    given = published[0]
    frame, schema = getattr(given, name), TABLE_SCHEMAS[name]
    whole = tmp_path / "whole.parquet"
    pq.write_table(s.to_arrow(frame, schema), whole)  # the one-write way it was done before
    grouped = write_parquet(frame, schema, tmp_path / "grouped.parquet", row_group_rows=3)
    groups = pq.ParquetFile(grouped).metadata
    assert groups.num_rows == len(frame) > 3
    assert [groups.row_group(i).num_rows for i in range(groups.num_row_groups)] == \
        [min(3, len(frame) - start) for start in range(0, len(frame), 3)]
    # the same schema with its pandas metadata, so the same dtypes come back
    assert pq.read_schema(grouped).equals(pq.read_schema(whole), check_metadata=True)
    pd.testing.assert_frame_equal(pd.read_parquet(grouped), pd.read_parquet(whole),
                                  check_exact=True)


def test_an_empty_table_writes_its_columns_and_extras_stay_strings(tmp_path, published):
    codings = published[0].codings
    empty = write_parquet(codings.iloc[:0], s.CODINGS, tmp_path / "empty.parquet")
    assert pq.read_schema(empty).names == s.CODINGS.names
    assert pd.read_parquet(empty).empty
    extra = codings.assign(batch=range(len(codings)))
    back = pd.read_parquet(write_parquet(extra, s.CODINGS, tmp_path / "extra.parquet",
                                         row_group_rows=2))
    assert back["batch"].tolist() == [str(i) for i in range(len(codings))]
    with pytest.raises(ValueError, match="at least one row"):
        write_parquet(codings, s.CODINGS, tmp_path / "none.parquet", row_group_rows=0)


def test_csv_written_in_slices_is_the_one_write_file(coded, tmp_path):
    wide = coded[1]["coded_wide"].copy()
    wide.loc[0, s.TEXT] = "=1+1, a formula stays text"  # made safe in whichever slice it is
    whole = tmp_path / "whole.csv"
    csv_safe(wide).to_csv(whole, index=False)  # the one-write way it was done before
    for rows in (1, 2, 3, len(wide), len(wide) + 1):
        sliced = write_csv(wide, tmp_path / f"sliced-{rows}.csv", rows=rows)
        assert sliced.read_bytes() == whole.read_bytes()
    assert "'=1+1" in whole.read_text(encoding="utf-8")
    csv_safe(wide.iloc[:0]).to_csv(whole, index=False)
    assert write_csv(wide.iloc[:0], tmp_path / "empty.csv").read_bytes() == whole.read_bytes()
    with pytest.raises(ValueError, match="at least one row"):
        write_csv(wide, tmp_path / "none.csv", rows=0)
