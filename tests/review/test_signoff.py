"""Sign-off on the mini wave's real outputs: the sign_offs table, run.json, the published views."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from support_review import coding, decisions, publish_folder

from pipeline.errors import ConfigError, InputError, MissingInputError
from pipeline.export.digest import codings_digest
from pipeline.outputs import DATABASE_NAME
from pipeline.review.apply import refresh_outputs
from pipeline.review.log import append_decisions
from pipeline.review.signoff import published_views, sign_off, sign_off_status

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture()
def wave(mini_outputs, mini_outputs_template) -> Path:
    """The mini wave's outputs with the database they were published to."""
    shutil.copy(mini_outputs_template.parent / DATABASE_NAME, mini_outputs.parent)
    return mini_outputs


def query(wave: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(wave.parent / DATABASE_NAME), read_only=True) as con:
        return con.execute(sql).fetchall()


def run_json(wave: Path) -> dict:
    return json.loads((wave / "run.json").read_text(encoding="utf-8"))


def status(wave: Path) -> str:
    table = sign_off_status(wave.parent / DATABASE_NAME).set_index("wave")
    return table.loc["mini-2013", "status"]


def test_publish_binds_the_run_to_the_digest_of_its_codings(wave):
    record = run_json(wave)
    assert len(record["run_id"]) == 32 and record["sign_off"] is None
    # the digest of the codings as read back from the file is the one publish recorded
    assert codings_digest(pd.read_parquet(wave / "codings.parquet")) == record["codings_sha256"]


def test_approval_publishes_the_wave(wave):
    published_views(wave.parent / DATABASE_NAME)
    assert status(wave) == "draft"
    assert query(wave, "select count(*) from published_codings") == [(0,)]
    signed = sign_off(wave, "  Jane   Smith ", "approve", "checked the queue",
                      signed_at="2024-05-02T09:30:00+00:00")
    assert signed.reviewer == "Jane Smith"
    record = run_json(wave)
    assert record["sign_off"] == {
        "reviewer": "Jane Smith", "decision": "approve", "note": "checked the queue",
        "signed_at": "2024-05-02T09:30:00+00:00", "run_id": record["run_id"],
        "codings_sha256": record["codings_sha256"]}
    assert status(wave) == "final"
    codings = len(pd.read_parquet(wave / "codings.parquet"))
    assert query(wave, "select count(*) from published_codings") == [(codings,)]
    themes = query(wave, "select count(*) from published_theme_summary")[0][0]
    assert themes == len(pd.read_csv(wave / "theme_summary.csv")) > 0
    assert query(wave, "select wave, reviewer, decision, seq from sign_offs") == [
        ("mini-2013", "Jane Smith", "approve", 1)]


def test_a_rejection_keeps_the_wave_out_and_the_latest_decision_counts(wave):
    sign_off(wave, "Jane Smith", "approve")
    sign_off(wave, "Ravi Patel", "reject", "stance codes look wrong")
    assert status(wave) == "rejected"
    assert run_json(wave)["sign_off"]["decision"] == "reject"
    assert query(wave, "select count(*) from published_codings") == [(0,)]
    assert query(wave, "select count(*) from published_theme_summary") == [(0,)]
    assert query(wave, "select count(*) from sign_offs") == [(2,)]  # both kept


def test_a_review_import_that_changes_codings_makes_the_wave_a_draft(wave, mini_codebook):
    sign_off(wave, "Jane Smith", "approve")
    refresh_outputs(wave, mini_codebook)  # nothing new in the log: the same codings
    assert status(wave) == "final" and run_json(wave)["sign_off"]["reviewer"] == "Jane Smith"
    segment_id, code_id = coding(wave, "ETE support is not", "employment_training")
    append_decisions(wave.parent / DATABASE_NAME, "mini-2013",
                     decisions([(segment_id, code_id, "rejected")]))
    refresh_outputs(wave, mini_codebook)
    assert status(wave) == "draft" and run_json(wave)["sign_off"] is None
    assert query(wave, "select count(*) from published_codings") == [(0,)]
    sign_off(wave, "Jane Smith", "approve")  # the new codings, signed again
    assert status(wave) == "final"


def test_a_new_run_needs_a_new_sign_off(wave, mini_codebook):
    sign_off(wave, "Jane Smith", "approve")
    before = run_json(wave)
    publish_folder(DATA / "waves" / "mini-wave", wave, mini_codebook,
                   DATA / "codebook-mini.yaml")
    after = run_json(wave)
    assert after["codings_sha256"] == before["codings_sha256"]  # the same codes ...
    assert after["run_id"] != before["run_id"] and after["sign_off"] is None  # ... a new run
    assert status(wave) == "draft"
    assert query(wave, "select count(*) from published_codings") == [(0,)]


@pytest.mark.parametrize("reviewer", ["", "   ", "x" * 201])
def test_a_reviewer_must_be_named(wave, reviewer):
    with pytest.raises(ConfigError, match="reviewer"):
        sign_off(wave, reviewer, "approve")
    assert run_json(wave)["sign_off"] is None


def test_bad_folders_and_changed_outputs_are_refused(wave, tmp_path):
    with pytest.raises(MissingInputError, match="no such folder"):
        sign_off(tmp_path / "outputs" / "no-such-wave", "Jane Smith", "approve")
    with pytest.raises(ConfigError, match="decision 'maybe'"):
        sign_off(wave, "Jane Smith", "maybe")
    with pytest.raises(InputError, match="holds run .* not run abc"):
        sign_off(wave, "Jane Smith", "approve", run_id="abc")
    codings = pd.read_parquet(wave / "codings.parquet")
    codings.iloc[1:].to_parquet(wave / "codings.parquet")  # a coding deleted by hand
    with pytest.raises(InputError, match="codings.parquet: the codings differ"):
        sign_off(wave, "Jane Smith", "approve")


def test_a_folder_and_database_holding_different_runs_are_refused(wave):
    record = run_json(wave)
    (wave / "run.json").write_text(json.dumps(record | {"run_id": "f" * 32}), encoding="utf-8")
    with pytest.raises(InputError, match="hold different runs"):
        sign_off(wave, "Jane Smith", "approve")
    assert status(wave) == "draft"
