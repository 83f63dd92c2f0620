"""A wave run with --redact: no planted identifier anywhere the run writes, the key kept apart.

The fixture wave (tests/data/redact/wave) plants names, a phone number, an address, a postcode,
an NHS number and an email in survey answers and an interview. After a real flow run, every
output file, the DuckDB tables and the printed run summary are searched for them, and Prefect's
own stores (the API's database, the local result storage) for them and for whole answers: a
run that goes well or one that crashes keeps no respondent's words there.
"""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import distributed  # noqa: F401  (as under --dask: tblib then pickles exceptions' chains)
import duckdb
import pandas as pd
import pytest
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings
from support_prefect import words_in_prefect
from typer.testing import CliRunner

import flows.code_wave
import pipeline.stance
from flows.cli import app
from flows.code_wave import code_wave
from pipeline import schema as s
from pipeline.parameters import WaveRun
from pipeline.redact.wave import mapping_path

ROOT = Path(__file__).resolve().parents[2]
WAVE = ROOT / "tests" / "data" / "redact" / "wave"
CODEBOOK = str(ROOT / "models" / "codebooks" / "recovery-capital.yaml")
PLANTED = ["Chidi", "Okafor", "Patel", "Agnieszka", "Nowak", "Gary", "Mensah", "Okonkwo",
           "07700 900123", "27 Albert Road", "LS6 2AB", "943 476 5919", "agnieszka.n@outlook"]
ANSWERS = pd.read_csv(WAVE / "survey.csv")[["support_now", "anything_else"]].stack().tolist()


@pytest.fixture(autouse=True)
def own_result_storage(tmp_path):
    """Prefect's local result storage in this test's folder, to be searched after the run."""
    with temporary_settings(updates={PREFECT_LOCAL_STORAGE_PATH: tmp_path / "prefect-storage"}):
        yield tmp_path / "prefect-storage"


def _texts_of(path: Path) -> str:
    """Everything a person or program could read in one output file, as text."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv()
    if path.suffix in (".xlsx", ".qdpx"):
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    if path.suffix == ".duckdb":
        with duckdb.connect(str(path), read_only=True) as db:
            tables = [row[0] for row in db.execute("show tables").fetchall()]
            return "".join(db.execute(f'select * from "{t}"').df().to_csv() for t in tables)
    return path.read_bytes().decode("utf-8", "replace")


def test_a_redacted_run_leaves_no_identifier_in_its_outputs(tmp_path, own_result_storage):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(WAVE), "--wave", "redact-demo", "--redact",
                                      "--coder", "rules", "--no-topics", "--codebook", CODEBOOK,
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output + result.stderr
    export = CliRunner().invoke(app, ["export-qdpx", str(out / "redact-demo")])
    assert export.exit_code == 0, export.output + export.stderr
    written = [p for p in out.rglob("*") if p.is_file() and ".private" not in p.parts]
    assert {"documents.parquet", "coded_wide.xlsx", "wavecoder.duckdb", "redact-demo.qdpx",
            "run.json"} <= {p.name for p in written}
    leaks = {p.name: [word for word in PLANTED if word in _texts_of(p)] for p in written}
    assert {name: found for name, found in leaks.items() if found} == {}
    assert not [word for word in PLANTED if word in result.output]  # the run summary
    # Words that are not identifiers stay: services, places, what was said.
    documents = pd.read_parquet(out / "redact-demo" / "documents.parquet")
    said = " ".join(documents[s.TEXT])
    assert "Turning Point" in said and "Jobcentre Plus" in said and "[PERSON_" in said
    # The key: every planted name maps back, in an owner-only file outside the outputs.
    key = mapping_path(out, "redact-demo")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    originals = " ".join(pd.read_csv(key)[s.ORIGINAL])
    assert all(word in originals for word in ("Chidi Okafor", "07700 900123", "LS6 2AB"))
    # Prefect's database and storage: no identifier, no answer as given or as pseudonymised.
    said = documents[s.TEXT].tolist()
    assert len(said) >= len(ANSWERS) and all(len(text) > 20 for text in said)
    assert words_in_prefect(own_result_storage, PLANTED + ANSWERS + said) == {}


def test_a_second_run_keeps_the_placeholders(tmp_path, own_result_storage):
    run = WaveRun(wave_folder=str(WAVE), wave_id="redact-demo", redact=True, coder="rules",
                  topics=False, codebook=CODEBOOK, out=str(tmp_path / "out"), progress=False)
    code_wave(run=run)
    first = pd.read_parquet(tmp_path / "out" / "redact-demo" / "documents.parquet")
    key = mapping_path(tmp_path / "out", "redact-demo").read_bytes()
    code_wave(run=run)
    again = pd.read_parquet(tmp_path / "out" / "redact-demo" / "documents.parquet")
    pd.testing.assert_frame_equal(first, again)
    assert mapping_path(tmp_path / "out", "redact-demo").read_bytes() == key
    # The second run read its stages from the cache in the wave's folder, none from Prefect.
    record = json.loads((tmp_path / "out" / "redact-demo" / "run.json").read_text())
    assert all(used["reused"] for used in record["cache"].values()) and record["cache"]
    cached = " ".join(_texts_of(p) for p in (tmp_path / "out" / "redact-demo" / ".cache")
                      .rglob("*.parquet"))
    assert "[PERSON_" in cached and not [word for word in PLANTED if word in cached]
    said = first[s.TEXT].tolist()
    assert words_in_prefect(own_result_storage, PLANTED + ANSWERS + said) == {}


@pytest.mark.parametrize("module, function, stage", [
    (pipeline.stance, "stances", "code_chunk"),  # inside a task (stances are found per chunk)
    (flows.code_wave, "standing", "code_wave"),  # in the flow itself, between tasks
])
def test_a_crashed_run_leaves_no_answer_in_prefect(tmp_path, monkeypatch, own_result_storage,
                                                   module, function, stage):
    """A bug whose message quotes the texts it choked on, as libraries' messages do."""
    quoted: list[str] = []

    def choke(frame, *args, **kwargs):
        texts = list(frame[s.TEXT]) if s.TEXT in frame else ANSWERS  # codings hold no text
        quoted.extend(texts)
        raise ValueError("cannot parse " + " | ".join(texts))

    monkeypatch.setattr(module, function, choke)
    run = WaveRun(wave_folder=str(WAVE), wave_id="crash-demo", coder="rules", topics=False,
                  codebook=CODEBOOK, out=str(tmp_path / "out"), progress=False)  # not redacted
    state = code_wave(run=run, return_state=True)
    assert state.is_failed()
    assert "ValueError at test_redacted_run.py" in state.message
    assert f"stage {stage}" in state.message and "cannot parse" not in state.message
    assert not (tmp_path / "out" / "crash-demo").exists()  # nothing published
    # what the search reads is where Prefect keeps the run: it finds the failure's message
    assert words_in_prefect(own_result_storage, [f"stage {stage}"])
    assert quoted and all(text not in state.message for text in quoted)
    assert words_in_prefect(own_result_storage, PLANTED + ANSWERS + quoted[:20]) == {}
