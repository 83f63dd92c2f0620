"""One way in: the deployment in prefect.yaml, started as Prefect starts it, codes as the CLI does.

The deployment is registered from prefect.yaml's entrypoint, a flow run is created from it with
parameters only (as the UI's form or ``prefect deployment run`` would), and the run is executed
by ``prefect flow-run execute`` in its own process, as a worker does. Its codings must equal those
of ``wavecoder run`` on the same wave with the same options.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml
from prefect.cli.deploy._schedules import _schedule_config_to_deployment_schedule
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment
from prefect.deployments.runner import RunnerDeployment
from prefect.settings import PREFECT_API_URL
from typer.testing import CliRunner

from flows.cli import app
from pipeline.parameters import ProjectRun

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = str(ROOT / "models" / "codebooks" / "recovery-capital.yaml")


def _deployment_spec(name: str = "code-wave") -> dict:
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    (deployment,) = [d for d in spec["deployments"] if d["name"] == name]
    return deployment


async def _run_deployed(parameters: dict) -> tuple[str, str]:
    spec = _deployment_spec()
    deployment = RunnerDeployment.from_entrypoint(spec["entrypoint"], name=spec["name"],
                                                parameters=spec["parameters"])
    await deployment.apply()
    flow_run = await run_deployment(name=f"code_wave/{spec['name']}", parameters=parameters,
                                    timeout=0)
    env = os.environ | {"PREFECT_API_URL": PREFECT_API_URL.value()}
    done = subprocess.run([sys.executable, "-m", "prefect", "flow-run", "execute",
                           str(flow_run.id)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900, check=False)
    async with get_client() as client:
        state = (await client.read_flow_run(flow_run.id)).state
    return state.type.value, done.stdout[-2000:] + done.stderr[-2000:]


def test_the_deployment_codes_a_wave_as_the_cli_does(tmp_path, waves_dir, monkeypatch):
    monkeypatch.chdir(ROOT)  # prefect.yaml's entrypoint is relative to the project root
    wave = str(waves_dir / "mini-wave")
    # The UI's form gives the run parameters; everything else takes the deployment's defaults.
    run = _deployment_spec()["parameters"]["run"] | {
        "wave_folder": wave, "codebook": CODEBOOK, "out": str(tmp_path / "deployed"),
        "topics": False}
    state, output = asyncio.run(_run_deployed({"run": run}))
    assert state == "COMPLETED", output
    result = CliRunner().invoke(app, ["run", wave, "--codebook", CODEBOOK,
                                      "--out", str(tmp_path / "cli"), "--no-topics"])
    assert result.exit_code == 0, result.output
    deployed = json.loads((tmp_path / "deployed" / "mini-2013" / "run.json").read_text())
    by_cli = json.loads((tmp_path / "cli" / "mini-2013" / "run.json").read_text())
    # auto chose by the numbers in pipeline/, the same way for both, and gated the same codes
    assert deployed["coder_info"] == by_cli["coder_info"]
    assert deployed["parameters"]["coder"] == by_cli["parameters"]["coder"] != "auto"
    codings = [pd.read_parquet(tmp_path / way / "mini-2013" / "codings.parquet")
               for way in ("deployed", "cli")]
    assert len(codings[0]) >= 10  # the mini wave has 15 codings
    pd.testing.assert_frame_equal(*codings)


async def _register(spec: dict):
    """Register a deployment of prefect.yaml as ``prefect deploy`` reads it; nothing runs."""
    schedules = [_schedule_config_to_deployment_schedule(s) for s in spec.get("schedules", [])]
    deployment = RunnerDeployment.from_entrypoint(spec["entrypoint"], name=spec["name"],
                                                parameters=spec["parameters"],
                                                schedules=schedules)
    deployment_id = await deployment.apply()
    async with get_client() as client:
        return await client.read_deployment(deployment_id)


def test_the_project_deployment_is_registered_with_its_monthly_schedule(monkeypatch):
    monkeypatch.chdir(ROOT)
    spec = _deployment_spec("code-project")
    assert spec["work_pool"] == _deployment_spec()["work_pool"]  # one shared definition
    parameters = ProjectRun.model_validate(spec["parameters"]["run"])  # the UI's form
    assert parameters.waves[-1] == "corpora/sector-survey-2015" and not parameters.progress
    registered = asyncio.run(_register(spec))
    assert registered.name == "code-project" and registered.entrypoint == spec["entrypoint"]
    (schedule,) = registered.schedules
    assert schedule.active
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 6 1 * *",
                                                                     "Europe/London")
    assert registered.parameters == spec["parameters"]
    assert "waves" in registered.parameter_openapi_schema["definitions"]["ProjectRun"][
        "properties"]
