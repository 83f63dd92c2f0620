"""Survey columns named like pipeline columns never replace answers or the wave (issue 11: 1)."""

from __future__ import annotations

import duckdb
import pytest
from support_faults import assert_accounted, copy_wave, run_and_read, run_wave

SHADOWS = ["attr_wave", "attr_source", "attr_text", "attr_kind"]


@pytest.mark.parametrize("wave, wave_id, renamed", [
    ("shadow-wave", "shadow-wave", SHADOWS),
    ("shadow-manifest", "shadowed", [*SHADOWS, "attr_line", "attr_document_id"]),
])
def test_attributes_named_like_pipeline_columns_are_prefixed(tmp_path, wave, wave_id, renamed):
    run = run_and_read(wave, tmp_path)
    survey = run.documents[run.documents["source"] == "shadow.csv"]
    assert len(survey) == 5
    assert (run.documents["wave"] == wave_id).all()
    assert survey["text"].str.startswith("the staff at the recovery service").all()
    assert sorted(survey["attr_text"]) == ["no", "no", "yes", "yes", "yes"]
    assert set(survey["attr_wave"]) == {"w0", "w1"}
    assert set(renamed) <= set(run.documents.columns)
    notes = " ".join(run.record["notes"])
    assert "'wave' as 'attr_wave'" in notes and "'text' as 'attr_text'" in notes
    assert "attr_wave" in run.result.output  # the summary printed says so too
    assert_accounted(run)


def test_transcript_attributes_cannot_rename_the_document(tmp_path):
    run = run_and_read("shadow-manifest", tmp_path)
    talk = run.documents[run.documents["source"] == "talk.txt"].iloc[0]
    assert talk["wave"] == "shadowed" and talk["document_id"] == "talk.txt#talk#interview"
    assert talk["attr_wave"] == "other-wave" and talk["attr_text"] == "overwritten"


def test_a_rerun_replaces_the_wave_in_duckdb_instead_of_doubling_it(tmp_path):
    folder = copy_wave("shadow-wave", tmp_path)
    for _ in range(2):
        assert run_wave(folder, tmp_path / "out").exit_code == 0
    with duckdb.connect(str(tmp_path / "out" / "wavecoder.duckdb"), read_only=True) as con:
        waves = con.execute("select wave, count(*) from documents group by wave").fetchall()
    assert waves == [("shadow-wave", 5)]
