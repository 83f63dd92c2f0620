"""``wavecoder codebook``: import, export and from-gold from the command line, and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from support_codebooks import DATA, ROOT, schema_errors
from typer.testing import CliRunner

from flows.cli import app
from pipeline.config import load_codebook

MINI = ROOT / "tests" / "data" / "codebook-mini.yaml"
runner = CliRunner()


def _run(*argv: str):
    return runner.invoke(app, ["codebook", *argv])


def test_import_writes_a_codebook_and_lists_what_is_left_to_do(tmp_path):
    out = tmp_path / "maxqda.yaml"
    result = _run("import", str(DATA / "maxqda-style.qdc"), "-o", str(out), "--id", "team")
    assert result.exit_code == 0, result.output
    assert "11 codes, 4 levels" in result.output
    assert "2 codes need a definition: dont_know, code_2nd_wave_themes" in result.output
    assert "11 codes need patterns" in result.output and "and 3 more" in result.output
    book = load_codebook(out)
    assert book.id == "team" and book.labels()["dont_know"] == "Don't know"


def test_export_then_import_round_trips_through_a_valid_qdc(tmp_path):
    qdc = tmp_path / "mini.qdc"
    result = _run("export", "--codebook", str(MINI), "-o", str(qdc))
    assert result.exit_code == 0, result.output
    assert "5 codes of codebook mini 0.1" in result.output
    assert schema_errors(qdc.read_bytes()) == []
    back = tmp_path / "back.yaml"
    assert _run("import", str(qdc), "-o", str(back)).exit_code == 0
    original, again = load_codebook(MINI), load_codebook(back)
    assert again.parents() == original.parents() and again.labels() == original.labels()


def test_from_gold_drafts_and_reports_uses(tmp_path):
    out = tmp_path / "draft.yaml"
    result = _run("from-gold", str(DATA / "gold-long.csv"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "6 codes, 3 levels, from gold file (long, 'code' column)" in result.output
    assert "uses in the source: 5 over 4 codes" in result.output
    assert load_codebook(out).code_ids() == ["service", "staff", "attitude", "numbers",
                                             "premises", "access"]


def _laughs(tmp: Path) -> Path:
    path = tmp / "laughs.qdc"
    path.write_text('<!DOCTYPE a [<!ENTITY a "aaaa">]><CodeBook>&a;</CodeBook>', encoding="utf-8")
    return path


def _broken(tmp: Path) -> Path:
    path = tmp / "broken.qdc"
    path.write_text("<CodeBook><Codes></CodeBook>", encoding="utf-8")
    return path


# (case id, argv builder, the path the one-line message must name)
CASES = {
    "import/yaml-given": (lambda t: ["import", str(MINI), "-o", str(t / "o.yaml")],
                          "codebook-mini.yaml"),
    "import/missing": (lambda t: ["import", str(t / "none.qdc"), "-o", str(t / "o.yaml")],
                       "none.qdc"),
    "import/malformed": (lambda t: ["import", str(_broken(t)), "-o", str(t / "o.yaml")],
                         "broken.qdc"),
    "import/entities": (lambda t: ["import", str(_laughs(t)), "-o", str(t / "o.yaml")],
                        "laughs.qdc"),
    "import/wrong-output": (lambda t: ["import", str(DATA / "atlasti-style.qdc"), "-o",
                                       str(t / "out.qdc")], "out.qdc"),
    "export/qdc-given": (lambda t: ["export", "--codebook", str(DATA / "maxqda-style.qdc"),
                                    "-o", str(t / "o.qdc")], "maxqda-style.qdc"),
    "export/qdpx-given": (lambda t: ["export", "--codebook", str(DATA / "nvivo-style.qdpx"),
                                     "-o", str(t / "o.qdc")], "nvivo-style.qdpx"),
    "export/wrong-output": (lambda t: ["export", "--codebook", str(MINI), "-o",
                                       str(t / "o.yaml")], "o.yaml"),
    "from-gold/qdc-given": (lambda t: ["from-gold", str(DATA / "atlasti-style.qdc"), "-o",
                                       str(t / "o.yaml")], "atlasti-style.qdc"),
    "from-gold/missing": (lambda t: ["from-gold", str(t / "gold.csv"), "-o", str(t / "o.yaml")],
                          "gold.csv"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_wrong_or_hostile_inputs_end_in_one_line_naming_the_file(case, tmp_path):
    build, name = CASES[case]
    result = runner.invoke(app, ["codebook", *build(tmp_path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and name in lines[0], lines
    assert "Traceback" not in result.output


def test_accept_without_candidates_is_one_line_naming_the_file(tmp_path):
    book = tmp_path / "team.yaml"
    book.write_text(MINI.read_text(encoding="utf-8").replace(
        "../../models/stance/cues.yaml", str(ROOT / "models" / "stance" / "cues.yaml")),
        encoding="utf-8")
    result = _run("accept", "naloxone_kit", "--codebook", str(book))
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "team.candidates.yaml: no such file" in errors[0], errors
