"""``wavecoder codebook check`` from the command line: console, --json, -o, and its errors."""

from __future__ import annotations

import json

import pytest
from support_check import CHECK_CODEBOOK, DATA, publish_check_wave
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The check wave coded with codebook-check.yaml and published."""
    return publish_check_wave(tmp_path_factory.mktemp("cli-check") / "outputs" / "check-2014")


def _check(*argv: str):
    return runner.invoke(app, ["codebook", "check", *argv])


def test_the_check_prints_tables_and_writes_markdown(outputs, tmp_path):
    page = tmp_path / "codebook_check.md"
    result = _check("--codebook", str(CHECK_CODEBOOK), str(outputs), "-o", str(page))
    assert result.exit_code == 0, result.output
    assert "Codebook check 1.0 on wave check-2014: 5 codes, 18 segments checked" in result.output
    assert "delays and waiting share 3 segments (Jaccard 0.75): possibly redundant" in (
        result.output)
    assert "waiting times" in result.output  # never matched
    assert "Uncoded answers given most often" in result.output
    assert "Near misses of housing" in result.output and '- "homeless"' in result.output
    assert f"Wrote {page}" in result.output
    assert page.read_text("utf-8").startswith("# Codebook check")


def test_json_is_the_whole_check(outputs):
    result = _check("--codebook", str(CHECK_CODEBOOK), str(outputs), "--json", "--top", "2")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    housing = data["codes"][0]
    assert (housing["code_id"], housing["segments"], housing["respondents"]) == (
        "housing", 2, 2)
    assert len(housing["near_misses"]) == 2
    assert {o["code_a"] + "+" + o["code_b"] for o in data["overlaps"]
            if o["possibly_redundant"]} == {"delays+waiting"}


@pytest.mark.parametrize(("argv", "named"), [
    (["--codebook", str(CHECK_CODEBOOK), "{missing}"], "no such folder"),
    (["--codebook", str(DATA / "codebook-bad-pattern.yaml"), "{outputs}"],
     "codebook-bad-pattern.yaml: invalid Codebook token pattern"),
    (["--codebook", str(CHECK_CODEBOOK), "{outputs}", "-o", "{tmp}/check.txt"],
     "check.txt: the check is written as .json or .md"),
])
def test_errors_are_one_line_naming_the_file(outputs, tmp_path, argv, named):
    filled = [a.format(missing=tmp_path / "nowhere", outputs=outputs, tmp=tmp_path)
              for a in argv]
    result = _check(*filled)
    assert result.exit_code == 2, result.output
    assert named in result.output and len(result.output.strip().splitlines()) == 1
