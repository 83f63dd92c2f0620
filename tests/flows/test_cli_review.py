"""``flows/cli_review.py``: which wave a returned review file goes to, and its agreement table.

The wave comes from inside the file, which someone else's machine wrote: a plain wave name is
looked up beside the file and under ``outputs/``, and a name that is a path is never followed.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from rich.console import Console

from flows import cli_review
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


def agreement_row(code_id, comparison, raters, items, accepted, rejected, added, agree, kappa,
                  alpha):
    return dict(code_id=code_id, comparison=comparison, raters=raters, items=items,
                accepted=accepted, rejected=rejected, added=added, percent_agreement=agree,
                kappa=kappa, alpha=alpha)


def test_the_agreement_table_keeps_code_ids_whole_in_an_80_column_log(monkeypatch):
    shown = io.StringIO()  # not a terminal: rich's 80 columns, as in a log or a pipe
    monkeypatch.setattr(cli_review, "console", Console(file=shown, width=80))
    nan = float("nan")
    cli_review._agreement_table(pd.DataFrame([
        agreement_row("labelling_not_possible", "machine-vs-reviewer", "machine | AB", 300, 156,
                      144, 0, 0.52, 0.0, nan),
        agreement_row("housing", "machine-vs-reviewer", "machine | AB", 300, 0, 0, 0, 1.0, 1.0,
                      nan),  # no decision on it: left out
        agreement_row("(all codes)", "machine-vs-reviewer", "machine | AB", 16981, 167, 144,
                      109, 0.985, 0.561, nan),
        agreement_row("staff_listening_understanding_involving_patients", "reviewer-vs-reviewer",
                      "AB | CD", 20, 0, 0, 0, 0.9, nan, 0.8),
    ]))
    lines = shown.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    assert not any("…" in line for line in lines)  # before: "labe…", "comp…", "acce…"
    assert "machine-vs-reviewer, machine | AB" in lines[0]
    assert "│ labelling_not_possible │   300 │  156 │  144 │    0 │ 0.520 │ 0.000 │ nan │" in lines
    assert "│ (all codes)            │ 16981 │  167 │  144 │  109 │ 0.985 │ 0.561 │ nan │" in lines
    assert not any("housing" in line for line in lines)
    second = lines[next(i for i, line in enumerate(lines) if "reviewer-vs-reviewer" in line):]
    first_cells = [line.split("│")[1].strip() for line in second if line.startswith("│")]
    assert "".join(first_cells) == "staff_listening_understanding_involving_patients"  # folded
