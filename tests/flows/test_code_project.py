"""The code_project flow, run for real: two tiny waves as code_wave subflows, then the trends."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

from flows.code_project import code_project
from pipeline.outputs import read_wave
from pipeline.parameters import ProjectRun

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SURVEY_2012 = """service_id,region,service_type,needs_met,local_gaps
S001,North West,community,"There is no supported housing.",Housing is hard to find.
S002,London,residential,"We need more help with ETE.",Mental health services are far away.
S005,North West,community,"Needs are well met.",There is no dry housing in the borough.
"""


async def _children(flow_run_id) -> list:
    async with get_client() as client:
        return await client.read_flow_runs(flow_run_filter=FlowRunFilter(
            parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id])))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    early = Path(shutil.copytree(DATA / "waves" / "mini-wave", root / "waves" / "mini-2012"))
    manifest = early / "wave.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("mini-2013", "mini-2012"),
                        encoding="utf-8")
    (early / "survey.csv").write_text(SURVEY_2012, encoding="utf-8")
    run = ProjectRun.checked(waves=[str(early), str(DATA / "waves" / "mini-wave")],
                             codebook=str(DATA / "codebook-mini.yaml"), out=str(root / "out"),
                             coder="rules", topics=False, progress=False)
    state = code_project(run=run, return_state=True)
    assert state.is_completed(), state.message
    return root / "out", state


def test_each_wave_is_a_code_wave_subflow_run(project):
    _, state = project
    children = asyncio.run(_children(state.state_details.flow_run_id))
    assert len(children) == 2
    assert all(child.state.is_completed() for child in children)
    names = {child.parameters["run"]["wave_folder"].rsplit("/", 1)[-1] for child in children}
    assert names == {"mini-2012", "mini-wave"}


def test_both_waves_and_the_trend_report_are_written(project):
    out, state = project
    result = state.result()
    assert result["waves"] == ["mini-2012", "mini-2013"]
    for wave in result["waves"]:
        assert (out / wave / "run.json").is_file() and (out / wave / "codings.parquet").is_file()
    assert result["trend_report"] == (out / "trends" / "report.html").as_posix()
    page = (out / "trends" / "report.html").read_text(encoding="utf-8")
    assert page.count('<img class="trend-chart" data-code=') == 5  # the mini codebook's codes
    trends = pd.read_csv(out / "trends" / "theme_trends.csv", dtype={"question_id": str})
    for index, wave in enumerate(result["waves"]):
        summary = read_wave(out / wave).theme_summary
        rows = trends[trends["wave_index"] == index].reset_index(drop=True)
        assert rows["wave"].eq(wave).all()
        for column in ("question_id", "code_id", "respondents", "mentions", "share"):
            assert rows[column].tolist() == summary[column].tolist(), column
    housing = trends[(trends["code_id"] == "housing") & (trends["question_id"] == "q2_local_gaps")]
    assert housing[["mentions", "respondents"]].values.tolist() == [[2, 3], [1, 3]]
    assert (out / "mini-2013" / "report.html").is_file()  # the last two waves compared
    with duckdb.connect(str(out / "wavecoder.duckdb"), read_only=True) as con:
        assert con.execute("select wave, mentions from theme_trends where code_id = 'housing' "
                           "and question_id = 'q2_local_gaps' order by wave").fetchall() == [
            ("mini-2012", 2), ("mini-2013", 1)]
