"""The ``code_project`` flow: several waves of one survey, each coded by ``code_wave``, then trends.

Each wave runs as its own ``code_wave`` flow run (a subflow, so the Prefect UI shows every wave's
stages and summary under the project's run), in the order given; then the trend report is
written across them. The one parameter is :class:`pipeline.parameters.ProjectRun`: a list of
wave folders and the settings every wave shares, the same whether the command line
(``wavecoder run-project``), a deployment's schedule or the UI's form starts it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.code_wave import _task, artifact_key, code_wave
from flows.setup import offline_environment
from pipeline.parameters import ProjectRun
from pipeline.report.trend_report import build_trend_report

trend_report = _task(build_trend_report, "trend-report")


@flow(name="code_project", log_prints=True)
def code_project(run: ProjectRun) -> dict[str, Any]:
    """Code every wave of the project in order (one ``code_wave`` subflow each), then trends.

    Returns the waves, their output folders and the trend report's path (None with one wave).
    """
    offline_environment()  # a deployment's process starts here, not at the command line
    records = [code_wave(run=wave_run) for wave_run in run.wave_runs()]
    folders = [Path(record["output_dir"]) for record in records]
    report = None
    if len(folders) >= 2:
        report = trend_report(folders, run.trend_path()).path
        print(f"trend report: {report}")
    waves = [record["wave"] for record in records]
    create_markdown_artifact(
        "\n".join([f"# Project of {len(waves)} waves", ""]
                  + [f"- `{w}`: `{f}/`" for w, f in zip(waves, folders, strict=True)]
                  + ["", f"Trend report: `{report}`" if report else
                     "_one wave: no trend report_"]) + "\n",
        key="project-" + artifact_key(waves[-1]).removeprefix("wave-"),
        description="wavecoder project run")
    return {"waves": waves, "output_dirs": [f.as_posix() for f in folders],
            "trend_report": report.as_posix() if report else None,
            "summaries": [record["summary_markdown"] for record in records]}
