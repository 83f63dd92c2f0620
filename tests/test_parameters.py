"""Run parameters: one typed model for every way into the flow, checked at the edge."""

from __future__ import annotations

import pytest

from pipeline.errors import ConfigError, MissingInputError
from pipeline.parameters import DEFAULT_CODEBOOK, ProjectRun, WaveRun, preflight_project


def test_defaults_code_with_the_best_measured_coder_and_the_packaged_codebook():
    run = WaveRun.checked(wave_folder="corpora/sector-survey-2013")
    assert run.coder == "auto" and run.codebook_path() == DEFAULT_CODEBOOK
    assert DEFAULT_CODEBOOK.is_file()  # found from the project, not the current folder


@pytest.mark.parametrize("wave_id", ["../../x", "a/b", "..", ".hidden", "x" * 101, ""])
def test_a_wave_id_that_would_leave_the_output_root_is_refused(wave_id):
    with pytest.raises(ConfigError, match=r"run parameters: wave_id: .*plain folder name"):
        WaveRun.checked(wave_folder="w", wave_id=wave_id)


def test_outputs_inside_the_wave_folder_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="lies inside the wave folder"):
        WaveRun.checked(wave_folder=str(tmp_path), out=str(tmp_path / "results"))
    assert WaveRun.checked(wave_folder=str(tmp_path / "w"), out=str(tmp_path / "o")).out


def test_every_wrong_parameter_is_named_at_once():
    with pytest.raises(ConfigError) as raised:
        WaveRun.checked(wave_folder="w", embedding="bert", min_kappa=3, colour="red")
    message = str(raised.value)
    assert "embedding:" in message and "min_kappa:" in message and "colour:" in message


def test_the_prefect_form_shows_every_parameter_with_its_description():
    schema = WaveRun.model_json_schema()
    assert schema["required"] == ["wave_folder"]
    assert all(field.get("description") for field in schema["properties"].values())


def test_a_project_shares_every_setting_of_a_wave_run_but_the_folder(tmp_path):
    project = ProjectRun.checked(waves=["corpora/sector-survey-2013",
                                        "corpora/sector-survey-2014"],
                                 coder="rules", topics=False, out=str(tmp_path))
    runs = project.wave_runs()
    assert [r.wave_folder for r in runs] == project.waves
    assert all(r.coder == "rules" and not r.topics and r.out == str(tmp_path) for r in runs)
    assert set(ProjectRun.model_fields) == (set(WaveRun.model_fields)
                                            - {"wave_folder", "wave_id"} | {"waves", "trend_dir"})
    assert project.trend_path() == tmp_path / "trends"
    schema = ProjectRun.model_json_schema()
    assert schema["required"] == ["waves"]
    assert all(field.get("description") for field in schema["properties"].values())


def test_a_project_is_checked_at_the_edge(tmp_path):
    with pytest.raises(ConfigError, match="waves: .*at least 1"):
        ProjectRun.checked(waves=[])
    with pytest.raises(ConfigError, match="given more than once"):
        ProjectRun.checked(waves=["corpora/a", "corpora/./a"])
    with pytest.raises(ConfigError, match="lies inside the wave folder"):
        ProjectRun.checked(waves=[str(tmp_path / "a")], out=str(tmp_path / "a" / "out"))
    with pytest.raises(ConfigError, match="embedding:"):
        ProjectRun.checked(waves=["corpora/a"], embedding="bert")
    missing = ProjectRun.checked(waves=["corpora/sector-survey-2013", str(tmp_path / "none")])
    with pytest.raises(MissingInputError, match="none: no such folder"):
        preflight_project(missing)
