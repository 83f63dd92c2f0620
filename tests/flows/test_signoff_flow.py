"""Sign-off in a real flow run: code_wave pauses for the typed form and is resumed via the API.

The flow runs in a thread against the session's Prefect test API, as a run started from the
command line would; the test plays the reviewer, through Prefect's own resume call.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from uuid import UUID

import duckdb
import httpx
import pytest
import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.deployments import run_deployment
from prefect.deployments.runner import RunnerDeployment
from prefect.flow_runs import resume_flow_run
from prefect.settings import PREFECT_API_URL
from typer.testing import CliRunner

from flows.cli import app
from flows.code_wave import artifact_key, code_wave
from pipeline.outputs import DATABASE_NAME
from pipeline.parameters import WaveRun

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
WAIT_SECONDS = 300


def _wave_run(out: Path, sign_off: str = "none") -> WaveRun:
    return WaveRun(wave_folder=str(DATA / "waves" / "mini-wave"),
                   codebook=str(DATA / "codebook-mini.yaml"), out=str(out), coder="rules",
                   topics=False, progress=False, sign_off=sign_off, sign_off_timeout=600)


def _paused_run(started: float) -> UUID | None:
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["code_wave"])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.PAUSED]))))
    fresh = [r for r in runs if r.created and r.created.timestamp() >= started - 5]
    return fresh[0].id if fresh else None


def _run_input_schema(flow_run_id: UUID) -> dict:
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run_id).state
        key = state.state_details.run_input_keyset["schema"]
        return json.loads(client.read_flow_run_input(flow_run_id, key))


def _artifact(flow_run_id: UUID) -> str:
    """The run's latest summary artifact, read through the REST API as a dashboard would."""
    response = httpx.post(f"{PREFECT_API_URL.value()}/artifacts/filter", json={
        "artifacts": {"key": {"any_": [artifact_key("mini-2013")]},
                      "flow_run_id": {"any_": [str(flow_run_id)]}},
        "sort": "CREATED_DESC", "limit": 1})
    response.raise_for_status()
    return response.json()[0]["data"]


def query(out: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(out / DATABASE_NAME), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def signed_in_flow(tmp_path_factory):
    """Start code_wave with sign_off=pause, wait for Paused, check the draft, resume it."""
    out = tmp_path_factory.mktemp("signoff") / "outputs"
    outcome: dict = {}
    started = time.time()
    thread = threading.Thread(target=lambda: outcome.update(
        state=code_wave(run=_wave_run(out, "pause"), return_state=True)), daemon=True)
    thread.start()
    flow_run_id = None
    while flow_run_id is None and thread.is_alive() and time.time() - started < WAIT_SECONDS:
        time.sleep(1)
        flow_run_id = _paused_run(started)
    assert flow_run_id is not None, f"the run never paused: {outcome}"
    draft = {"run_json": json.loads((out / "mini-2013" / "run.json").read_text()),
             "published": query(out, "select count(*) from published_codings"),
             "status": query(out, "select status from sign_off_status"),
             "schema": _run_input_schema(flow_run_id), "artifact": _artifact(flow_run_id)}
    resume_flow_run(flow_run_id, run_input={"reviewer": "Jane Smith", "decision": "approve",
                                            "note": "checked against the queue"})
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive(), "the resumed run did not finish"
    return out, flow_run_id, draft, outcome["state"]


def test_the_paused_run_shows_a_typed_form_and_its_outputs_are_a_draft(signed_in_flow):
    _, _, draft, _ = signed_in_flow
    properties = draft["schema"]["properties"]
    assert set(properties) == {"reviewer", "decision", "note"}
    assert properties["decision"]["enum"] == ["approve", "reject"]
    assert properties["decision"]["default"] == "approve"  # the form starts on approve
    assert draft["schema"]["required"] == ["reviewer"]  # a name must be typed
    assert draft["run_json"]["sign_off"] is None  # published as a draft, before the pause
    assert draft["status"] == [("draft",)] and draft["published"] == [(0,)]
    # the reviewer reads the run's summary beside the form
    assert "rows in: **" in draft["artifact"]
    assert "**Draft, waiting for sign-off**" in draft["artifact"]


def test_resuming_with_the_form_signs_off_and_publishes_the_wave(signed_in_flow):
    out, flow_run_id, _, state = signed_in_flow
    assert state.is_completed(), state.message
    record = state.result()
    run_json = json.loads((out / "mini-2013" / "run.json").read_text())
    assert run_json["run_id"] == str(flow_run_id)  # the run is the flow run
    assert record["sign_off"] == run_json["sign_off"]
    assert run_json["sign_off"] | {"signed_at": ""} == {
        "reviewer": "Jane Smith", "decision": "approve", "note": "checked against the queue",
        "signed_at": "", "run_id": str(flow_run_id),
        "codings_sha256": run_json["codings_sha256"]}
    assert query(out, "select reviewer, decision, run_id from sign_offs") == [
        ("Jane Smith", "approve", str(flow_run_id))]
    assert query(out, "select status, reviewer from sign_off_status") == [("final", "Jane Smith")]
    codings = query(out, "select count(*) from codings")[0][0]
    assert codings > 0 and query(out, "select count(*) from published_codings") == [(codings,)]
    assert query(out, "select count(distinct wave) from published_theme_summary") == [(1,)]
    assert "**Final**: signed off by Jane Smith" in record["summary_markdown"]
    assert "**Final**: signed off by Jane Smith" in _artifact(flow_run_id)


def test_a_re_run_is_a_draft_until_signed_off_from_the_command_line(signed_in_flow):
    out, flow_run_id, _, _ = signed_in_flow
    state = code_wave(run=_wave_run(out), return_state=True)  # sign_off="none": not blocked
    assert state.is_completed(), state.message
    record = state.result()
    assert record["run_id"] != str(flow_run_id) and record["sign_off"] is None
    assert "**Draft, not signed off**" in record["summary_markdown"]
    assert "a new run, or a review import" in record["summary_markdown"]
    assert query(out, "select status from sign_off_status") == [("draft",)]
    assert query(out, "select count(*) from published_codings") == [(0,)]

    result = CliRunner().invoke(app, ["sign-off", str(out / "mini-2013"), "--reviewer",
                                      "Ravi Patel", "--note", "second look"])
    assert result.exit_code == 0, result.output
    assert "Final:" in result.stdout and "Ravi Patel" in result.stdout
    assert query(out, "select status, reviewer, note from sign_off_status") == [
        ("final", "Ravi Patel", "second look")]
    assert query(out, "select count(*) from published_codings")[0][0] > 0
    run_json = json.loads((out / "mini-2013" / "run.json").read_text())
    assert run_json["sign_off"]["run_id"] == record["run_id"]


def test_a_rejection_and_an_empty_reviewer_from_the_command_line(signed_in_flow):
    out, _, _, _ = signed_in_flow
    runner = CliRunner()
    refused = runner.invoke(app, ["sign-off", str(out / "mini-2013"), "--reviewer", "  "])
    assert refused.exit_code == 2
    (line,) = [line for line in refused.stderr.splitlines() if line.strip()]
    assert line.startswith("error: sign-off: reviewer is empty")
    rejected = runner.invoke(app, ["sign-off", str(out / "mini-2013"), "--reviewer",
                                   "Ravi Patel", "--reject", "--note", "housing codes too broad"])
    assert rejected.exit_code == 0, rejected.output
    assert "Rejected:" in rejected.stdout and "stays a draft" in rejected.stdout
    assert query(out, "select status from sign_off_status") == [("rejected",)]
    assert query(out, "select count(*) from published_codings") == [(0,)]
    assert query(out, "select count(*) from published_theme_summary") == [(0,)]


def _execute(flow_run_id: UUID) -> str:
    """Run the flow run in its own process, as a worker does; its output's tail."""
    env = os.environ | {"PREFECT_API_URL": PREFECT_API_URL.value()}
    done = subprocess.run([sys.executable, "-m", "prefect", "flow-run", "execute",
                           str(flow_run_id)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900, check=False)
    return done.stdout[-2000:] + done.stderr[-2000:]


def _state(flow_run_id: UUID):
    with get_client(sync_client=True) as client:
        return client.read_flow_run(flow_run_id).state


def test_a_deployed_run_is_suspended_and_resumed_by_its_worker(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # prefect.yaml's entrypoint is relative to the project root
    spec = next(d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
                ["deployments"] if d["name"] == "code-wave")
    out = tmp_path / "outputs"
    run = spec["parameters"]["run"] | _wave_run(out, "suspend").model_dump(mode="json")

    async def create() -> UUID:
        deployment = RunnerDeployment.from_entrypoint(spec["entrypoint"], name=spec["name"],
                                                      parameters=spec["parameters"])
        await deployment.apply()
        flow_run = await run_deployment(name=f"code_wave/{spec['name']}",
                                        parameters={"run": run}, timeout=0)
        return flow_run.id

    flow_run_id = asyncio.run(create())
    output = _execute(flow_run_id)  # codes, publishes the draft, suspends: the process ends
    state = _state(flow_run_id)
    assert state.is_paused() and state.name == "Suspended", output
    assert json.loads((out / "mini-2013" / "run.json").read_text())["sign_off"] is None
    assert query(out, "select status from sign_off_status") == [("draft",)]

    resume_flow_run(flow_run_id, run_input={"reviewer": "Jane Smith", "decision": "approve"})
    output = _execute(flow_run_id)  # the worker runs it again; the answer is read back
    assert _state(flow_run_id).is_completed(), output
    assert query(out, "select reviewer, decision, run_id from sign_offs") == [
        ("Jane Smith", "approve", str(flow_run_id))]
    assert query(out, "select status from sign_off_status") == [("final",)]
    assert json.loads((out / "mini-2013" / "run.json").read_text())["sign_off"][
        "reviewer"] == "Jane Smith"
