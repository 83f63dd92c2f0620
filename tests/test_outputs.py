"""The one reader of a wave's folder: tables, the typed run record, the codebook the run used."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.errors import InputError, MissingInputError
from pipeline.outputs import RunRecord, read_run_record, read_wave
from pipeline.review.queue import review_queue


def test_reads_what_publish_wrote(mini_outputs, mini_codebook):
    wave = read_wave(mini_outputs)
    assert wave.wave == "mini-2013" and wave.title == "A small wave for tests"
    assert isinstance(wave.run, RunRecord)
    assert wave.run.codebook.sha256 == mini_codebook.sha256 == wave.codebook.sha256
    assert wave.codebook.code_ids() == mini_codebook.code_ids()
    assert wave.run.accounting["codings"] == len(wave.codings)
    assert wave.run.review is not None and wave.run.review.log_size == 0
    assert len(wave.stances) == len(wave.codings)  # nothing rejected yet: one row each
    assert list(wave.theme_summary.columns) == s.THEME_SUMMARY.names
    assert wave.topics is None  # the mini wave is too small for topics
    assert set(wave.review_agreement[s.CODE_ID]) <= set(mini_codebook.code_ids())
    assert (wave.documents[s.WAVE] == "mini-2013").all()
    # the published queue reads back as it was made (export-review takes it from here)
    pd.testing.assert_frame_equal(wave.review_queue, review_queue(wave.codings, wave.segments))


def test_the_record_round_trips_and_refuses_unknown_fields(mini_outputs):
    record = read_run_record(mini_outputs)
    assert RunRecord.model_validate_json(record.to_json()) == record
    data = json.loads((mini_outputs / "run.json").read_text())
    data["accounting"]["codings"] = "many"  # still a mapping: the record holds it as given
    data["codebok"] = {"id": "typo"}
    (mini_outputs / "run.json").write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"run\.json: not a wavecoder run record: codebok"):
        read_wave(mini_outputs)


def test_a_folder_without_tables_is_named(tmp_path):
    with pytest.raises(MissingInputError, match="no such folder"):
        read_wave(tmp_path / "nowhere")
    with pytest.raises(MissingInputError, match=r"not a wave's outputs folder.*documents\.parquet"):
        read_wave(tmp_path)


def test_a_folder_without_run_or_codebook_reads_what_it_has(mini_outputs):
    (mini_outputs / "run.json").unlink()
    (mini_outputs / "codebook.yaml").unlink()
    wave = read_wave(mini_outputs)
    assert wave.run is None and wave.codebook is None
    assert wave.wave == "mini-2013"  # from the documents
    with pytest.raises(MissingInputError, match="codebook.yaml: no such file"):
        wave.require_codebook()
    with pytest.raises(MissingInputError, match="run.json: no such file"):
        wave.require_run()
    assert isinstance(wave.codings, pd.DataFrame) and len(wave.codings)
