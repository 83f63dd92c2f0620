"""The kept topic model's folder: which project a wave belongs to, and its registry file."""

from __future__ import annotations

import pytest

from pipeline.errors import ConfigError, InputError
from pipeline.topic_store import REGISTRY_FILE, load_kept, project_dir, project_of, read_registry


@pytest.mark.parametrize("wave, declared, project", [
    ("sector-survey-2013", None, "sector-survey"),
    ("sector-survey-2015", None, "sector-survey"),
    ("staff_2021_q3", None, "staff"),
    ("patients-2019-spring", None, "patients"),
    ("pilot", None, "pilot"),
    ("2014", None, "2014"),
    ("sector-survey-2013", "treatment-sector", "treatment-sector"),
])
def test_project_of(wave, declared, project):
    assert project_of(wave, declared) == project


def test_a_project_must_be_a_plain_folder_name():
    with pytest.raises(ConfigError, match=r"project '\.\./x': not a plain folder name"):
        project_of("w-2013", "../x")


def test_no_kept_model_yet(tmp_path):
    assert read_registry(tmp_path / "p") is None
    assert load_kept(project_dir(tmp_path, "p")) is None


def test_a_broken_registry_names_the_file_and_field(tmp_path):
    (tmp_path / REGISTRY_FILE).write_text('{"project": "p", "version": 1}', encoding="utf-8")
    with pytest.raises(InputError, match=r"project\.json: not a kept topic model registry: "
                       r"embedding: Field required"):
        read_registry(tmp_path)
