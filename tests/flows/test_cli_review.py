"""Which wave's outputs a returned review file is imported into (``flows/cli_review.py``).

The wave comes from inside the file, which someone else's machine wrote: a plain wave name is
looked up beside the file and under ``outputs/``, and a name that is a path is never followed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from flows.cli_review import _outputs_of
from pipeline.errors import MissingInputError
from pipeline.outputs import RUN_FILE


def wave_folder(root: Path, wave: str) -> Path:
    folder = root / wave
    folder.mkdir(parents=True)
    (folder / RUN_FILE).write_text("{}", encoding="utf-8")
    return folder


def workbook_naming(path: Path, wave: str) -> Path:
    """A review workbook whose properties name ``wave``, as ``export-review`` writes them."""
    book = Workbook()
    book.properties.identifier = wave
    book.save(path)
    return path


def test_a_workbook_saved_among_the_waves_finds_its_wave(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no outputs/ here: only the file's own folder can say
    root = tmp_path / "results"
    wave = wave_folder(root, "nhs-2024 q1")
    assert _outputs_of(workbook_naming(root / "reviewed.xlsx", "nhs-2024 q1"), None) == wave


def test_the_wave_beside_the_file_comes_before_outputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wave_folder(tmp_path / "outputs", "w1")
    beside = wave_folder(tmp_path / "elsewhere", "w1")
    path = workbook_naming(tmp_path / "elsewhere" / "r.xlsx", "w1")
    assert _outputs_of(path, None) == beside
    (beside / RUN_FILE).unlink()  # no longer a wave's folder: outputs/<wave> is
    assert _outputs_of(path, None) == Path("outputs") / "w1"


@pytest.mark.parametrize("named", ["../victim", "..", "sub/victim", "{root}/victim"])
def test_a_wave_name_that_is_a_path_is_never_followed(tmp_path, monkeypatch, named):
    monkeypatch.chdir(tmp_path)
    named = named.format(root=tmp_path)
    wave_folder(tmp_path, "victim")  # real waves' outputs each name would reach
    (tmp_path / RUN_FILE).write_text("{}", encoding="utf-8")
    wave_folder(tmp_path / "downloads" / "sub", "victim")
    wave_folder(tmp_path / "outputs" / "sub", "victim")
    path = workbook_naming(tmp_path / "downloads" / "r.xlsx", named)
    with pytest.raises(MissingInputError, match=r"r\.xlsx: no wave's outputs folder found"):
        _outputs_of(path, None)


def test_outputs_given_are_used_as_they_are(tmp_path):
    path = workbook_naming(tmp_path / "r.xlsx", "w1")
    assert _outputs_of(path, tmp_path / "mine") == tmp_path / "mine"
