"""The code_wave flow, run for real through Prefect's local API on the bundled sample wave."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.code_wave import artifact_key, code_wave
from pipeline import schema as s
from pipeline.parameters import WaveRun

ROOT = Path(__file__).resolve().parents[2]

SAMPLE = ROOT / "corpora" / "sector-survey-2013"
CODEBOOK = str(ROOT / "models" / "codebooks" / "recovery-capital.yaml")


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    state = code_wave(run=WaveRun(wave_folder=str(SAMPLE), codebook=CODEBOOK, out=str(out),
                                  coder="rules", progress=False), return_state=True)
    assert state.is_completed(), state.message
    record = state.result()
    return out, out / record["wave"], record


def load(out_dir, name):
    return pd.read_parquet(out_dir / f"{name}.parquet")


def answer_codings(out_dir, respondent, question):
    docs, segs, cods = (load(out_dir, n) for n in ("documents", "segments", "codings"))
    doc = docs[(docs[s.RESPONDENT_ID] == respondent) & (docs[s.QUESTION_ID] == question)]
    assert len(doc) == 1
    seg_ids = segs.loc[segs[s.DOCUMENT_ID] == doc[s.DOCUMENT_ID].iloc[0], s.SEGMENT_ID]
    return doc[s.TEXT].iloc[0], cods[cods[s.SEGMENT_ID].isin(seg_ids)]


def test_raised_threshold_answer_is_coded_with_its_evidence(sample_run):
    _, out_dir, _ = sample_run
    text, codings = answer_codings(out_dir, "S023", "q3_changes")
    assert text == ("Mental health services have raised their thresholds, so many of our "
                    "clients no longer qualify for support.")
    row = codings.set_index(s.CODE_ID).loc["mental_health_threshold"]
    assert text[row[s.START]:row[s.END]] == row[s.EVIDENCE]
    assert "threshold" in row[s.EVIDENCE] and not row[s.NEGATED]


def test_missing_ete_is_coded_negated(sample_run):
    _, out_dir, _ = sample_run
    text, codings = answer_codings(out_dir, "S017", "q2_local_gaps")
    assert text == "ETE support is not available locally."
    row = codings.set_index(s.CODE_ID).loc["employment_training"]
    assert row[s.EVIDENCE] == "ETE" and bool(row[s.NEGATED]) is True


def test_rows_in_equal_kept_plus_rejected(sample_run):
    _, out_dir, record = sample_run
    acc = json.loads((out_dir / "run.json").read_text())["accounting"]
    kept, rejected = load(out_dir, "documents"), pd.read_csv(out_dir / "rejected.csv")
    assert acc["items_in"] == len(kept) + len(rejected) == acc["kept"] + acc["rejected"]
    assert {"non-answer", "duplicate", "empty"} <= set(rejected[s.REASON])
    assert acc == record["accounting"]


def test_outputs_and_provenance(sample_run):
    out, out_dir, record = sample_run
    for name in ("documents.parquet", "segments.parquet", "codings.parquet", "stances.parquet",
                 "coded_wide.csv",
                 "coded_wide.xlsx", "theme_summary.csv", "theme_summary.png", "topics.parquet",
                 "rejected.csv", "run.json", "codebook.yaml", "review/review_queue.csv"):
        assert (out_dir / name).is_file(), name
    assert "survey.csv" in record["inputs"] and "wave.yaml" in record["inputs"]
    assert record["codebook"]["id"] == "recovery-capital"
    assert len(record["codebook"]["sha256"]) == 64
    assert record["packages"]["spacy"].startswith("3.8")
    assert set(record["timings"]) >= {"ingest", "segment", "code", "discover", "export", "store"}
    assert set(record["timings"]) >= {"review", "stance"}  # each stage of the flow is timed
    # the chunks' wall time and, inside it, each chunk's seconds per stage summed
    assert set(record["timings"]) >= {"segment_and_code", "stance_update"}
    chunks = record["timings"]["segment_and_code"]
    assert 0 < record["timings"]["code"] <= chunks  # one process: the parts fit in the wall
    assert (out_dir / "codebook.yaml").read_bytes() == Path(CODEBOOK).read_bytes()
    wide = pd.read_csv(out_dir / "coded_wide.csv")
    assert len(wide) == record["accounting"]["kept"]
    topics = load(out_dir, "topics")
    assert record["topics"]["skipped_reason"] is None and (topics[s.TOPIC_ID] >= 0).sum() >= 3
    # Every segment has a topic but fillers and the interviewer's, which are left out.
    left_out = record["topics"]["left_out"]
    assert topics[s.SIZE].sum() == (record["accounting"]["segments"] - left_out["filler"]
                                    - left_out["interviewer"])


def test_markdown_artifact_summarises_the_run(sample_run):
    import httpx
    from prefect.settings import PREFECT_API_URL

    _, _, record = sample_run
    # Read through the REST API, as any dashboard or script would.
    response = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json={
        "artifacts": {"key": {"any_": [artifact_key(record["wave"])]}}, "limit": 1})
    response.raise_for_status()
    artifact = response.json()[0]
    assert artifact["type"] == "markdown"
    assert f"rows in: **{record['accounting']['items_in']:,}**" in artifact["data"]
    assert "## Top codes per question" in artifact["data"]
    # topics ran: the summary lists what they found, not that discovery did not run
    topics_part = artifact["data"].split("## Topics not covered by the codebook")[1]
    assert "topic discovery:" not in topics_part
    assert "- topic " in topics_part or "every topic is covered" in topics_part


def test_prefect_logs_show_segment_and_code_progress_in_counts(sample_run):
    import httpx
    from prefect.logging.handlers import APILogHandler
    from prefect.settings import PREFECT_API_URL

    _, out_dir, record = sample_run
    APILogHandler().flush()  # logs reach the API in batches
    response = httpx.post(f"{PREFECT_API_URL.value()}/logs/filter", json={
        "logs": {"flow_run_id": {"any_": [record["run_id"]]}}, "limit": 200})
    response.raise_for_status()
    lines = [log["message"] for log in response.json()
             if log["message"].startswith("segment and code: chunk ")]
    documents = len(load(out_dir, "documents"))
    assert lines and lines[-1].startswith(
        f"segment and code: chunk {len(lines)}/{len(lines)}, {documents:,} documents, "
        f"{len(load(out_dir, 'segments')):,} segments, ")
    assert lines[-1].endswith(" documents/s")


def run_log(run_id: str) -> list[str]:
    """Every log message of a flow run, through the REST API, a page at a time."""
    import httpx
    from prefect.logging.handlers import APILogHandler
    from prefect.settings import PREFECT_API_URL

    APILogHandler().flush()  # logs reach the API in batches
    messages: list[str] = []
    while True:
        response = httpx.post(f"{PREFECT_API_URL.value()}/logs/filter", json={
            "logs": {"flow_run_id": {"any_": [run_id]}}, "sort": "TIMESTAMP_ASC",
            "limit": 200, "offset": len(messages)})
        response.raise_for_status()
        page = [log["message"] for log in response.json()]
        messages += page
        if len(page) < 200:
            return messages


def test_prefect_logs_show_ingest_by_source_publish_by_step_and_the_cache(sample_run):
    _, out_dir, record = sample_run
    messages = run_log(record["run_id"])
    sources = [m for m in messages if m.startswith("ingest: source ")]
    count = int(sources[-1].split("/")[1].split(" ")[0])
    assert len(sources) == count and sources[-1].startswith(f"ingest: source {count}/{count} read")
    items = sum(int(m.split(" read, ")[1].split(" items")[0].replace(",", "")) for m in sources)
    assert items == record["accounting"]["items_in"]
    steps = [m.split(": ", 1)[1].rsplit(", ", 1)[0] for m in messages
             if m.startswith("publish: ")]
    assert steps == [f"theme summary and wide table counted ({len(load(out_dir, 'documents')):,} "
                     "wide rows)", f"{len(record['outputs'])} files written",
                     "codings digest taken", steps[3], "wide CSV and workbook written",
                     "folder in place, database committed"]
    assert steps[3].endswith(" tables stored in the database")
    kept = [m.rsplit(", ", 1)[0] for m in messages if m.startswith("stage cache: ")]
    assert kept == ["stage cache: ingest kept for the next run",
                    "stage cache: segment_and_code kept for the next run"]


def test_second_run_gives_identical_codings_and_replaces_the_wave(sample_run):
    out, out_dir, record = sample_run
    first_codings, first_segments = load(out_dir, "codings"), load(out_dir, "segments")
    code_wave(run=WaveRun(wave_folder=str(SAMPLE), codebook=CODEBOOK, out=str(out),
                          coder="rules", topics=False, progress=False))
    pd.testing.assert_frame_equal(load(out_dir, "codings"), first_codings)
    pd.testing.assert_frame_equal(load(out_dir, "segments"), first_segments)
    assert not (out_dir / "topics.parquet").exists()
    with duckdb.connect(str(out / "wavecoder.duckdb")) as con:
        stored = con.execute("select count(*) from codings where wave = ?",
                             [record["wave"]]).fetchone()[0]
    assert stored == len(first_codings)


def test_folder_without_manifest_runs_and_skips_topics_when_too_small(tmp_path, waves_dir):
    record = code_wave(run=WaveRun(wave_folder=str(waves_dir / "no-manifest"),
                                   codebook=CODEBOOK, out=str(tmp_path), progress=False))
    assert record["wave"] == "no-manifest" and record["inferred_sources"]
    assert "fewer than" in record["topics"]["skipped_reason"]
    codings = load(tmp_path / "no-manifest", "codings")
    assert "employment_training" in set(codings[s.CODE_ID])


def test_broken_file_is_listed_and_the_rest_is_coded(tmp_path, waves_dir):
    record = code_wave(run=WaveRun(wave_folder=str(waves_dir / "broken-file"),
                                   codebook=CODEBOOK, out=str(tmp_path), topics=False,
                                   progress=False))
    rejected = pd.read_csv(tmp_path / "mini-2013" / "rejected.csv")
    unreadable = rejected[rejected[s.REASON] == "unreadable"]
    assert unreadable[s.SOURCE].tolist() == ["interviews/CE02.txt"]
    assert (rejected[s.REASON] == "malformed").sum() == 2
    assert record["accounting"]["documents_coded"] >= 6


def test_cli_runs_the_flow(tmp_path, waves_dir):
    result = CliRunner().invoke(app, ["run", str(waves_dir / "mini-wave"), "--codebook",
                                      CODEBOOK, "--out", str(tmp_path), "--no-topics"])
    assert result.exit_code == 0, result.output
    assert "Outputs:" in result.output and (tmp_path / "mini-2013" / "coded_wide.xlsx").exists()


def test_cli_reports_a_bad_codebook(tmp_path, waves_dir):
    bad = tmp_path / "book.yaml"
    bad.write_text("id: book\nversion: '1'\ncodes: []\n")
    result = CliRunner().invoke(app, ["run", str(waves_dir / "mini-wave"), "--codebook",
                                      str(bad), "--out", str(tmp_path), "--no-topics"])
    assert result.exit_code == 2
    assert "book.yaml" in result.output and "codes" in result.output
