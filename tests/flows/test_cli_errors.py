"""Every command, given a missing file, a wrong folder or a corrupt input: one line, exit 2.

The message names the path and nothing of the traceback reaches the user.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = str(ROOT / "tests" / "data" / "codebook-mini.yaml")
GOLD = str(ROOT / "tests" / "data" / "gold" / "comments.csv")
MINI_GOLD = str(ROOT / "tests" / "data" / "gold" / "long.csv")  # coded with codebook-mini
runner = CliRunner()


def _corrupt_wave_outputs(tmp: Path) -> Path:
    """A folder that looks like a wave's outputs but whose tables are not parquet at all."""
    folder = tmp / "outputs" / "broken-wave"
    folder.mkdir(parents=True)
    for name in ("documents", "segments", "codings"):
        (folder / f"{name}.parquet").write_bytes(b"PK\x03\x04 not a parquet file")
    (folder / "run.json").write_text('{"wave": "broken-wave", "parameters": {"codebook_path": '
                                     f'"{CODEBOOK}"}}}}', encoding="utf-8")
    return folder


def _corrupt_wave_folder(tmp: Path) -> Path:
    folder = tmp / "corrupt-wave"
    folder.mkdir()
    (folder / "wave.yaml").write_text("id: [unclosed\nsources: {\n", encoding="utf-8")
    return folder


def _not_a_zip(tmp: Path, name: str) -> Path:
    path = tmp / name
    path.write_bytes(b"\xd0\xcf\x11\xe0 an old binary office file, not a zip")
    return path


# (case id, argv builder, the path the message must name); a builder taking two arguments gets
# a real wave's outputs folder as the second, so the bad input is the only thing wrong
CASES = {
    "run/missing": (lambda t: ["run", str(t / "nowhere")], "nowhere"),
    "run/empty-folder": (lambda t: ["run", str(_empty(t)), "--no-topics"], "empty"),
    "run/corrupt-manifest": (lambda t: ["run", str(_corrupt_wave_folder(t)), "--no-topics"],
                             "wave.yaml"),
    "run/missing-codebook": (lambda t: ["run", str(ROOT / "tests/data/waves/mini-wave"),
                                        "--codebook", str(t / "none.yaml")], "none.yaml"),
    "evaluate/missing-gold": (lambda t: ["evaluate", "--gold", str(t / "gold.csv"),
                                         "--codebook", CODEBOOK], "gold.csv"),
    "evaluate/corrupt-gold": (lambda t: ["evaluate", "--gold", str(_not_a_zip(t, "g.xlsx")),
                                         "--codebook", CODEBOOK], "g.xlsx"),
    "evaluate/corrupt-codebook": (lambda t: ["evaluate", "--gold", GOLD, "--codebook",
                                             str(_corrupt_wave_folder(t) / "wave.yaml")],
                                  "wave.yaml"),
    "evaluate/missing-model": (lambda t: ["evaluate", "--gold", MINI_GOLD, "--codebook",
                                          CODEBOOK, "--model", str(t / "no-such-model")],
                               "no-such-model"),
    "evaluate/corrupt-model": (lambda t: ["evaluate", "--gold", MINI_GOLD, "--codebook",
                                          CODEBOOK, "--model", str(_corrupt_wave_folder(t))],
                               "corrupt-wave"),
    "agreement/missing-gold": (lambda t: ["agreement", "--gold", MINI_GOLD, "--gold",
                                          str(t / "second.csv"), "--codebook", CODEBOOK],
                               "second.csv"),
    "agreement/missing-model": (lambda t: ["agreement", "--gold", MINI_GOLD, "--gold",
                                           MINI_GOLD, "--codebook", CODEBOOK, "--model",
                                           str(t / "no-such-model")], "no-such-model"),
    "train/missing-gold": (lambda t: ["train", "--gold", str(t / "gold.csv"), "--codebook",
                                      CODEBOOK, "--out", str(t / "model")], "gold.csv"),
    "report/missing": (lambda t: ["report", str(t / "nowhere")], "nowhere"),
    "report/not-a-wave": (lambda t: ["report", str(_empty(t))], "empty"),
    "report/corrupt": (lambda t: ["report", str(_corrupt_wave_outputs(t))], "broken-wave"),
    "report/waves-corrupt": (lambda t, o: ["report", "--waves", str(o),
                                           str(_corrupt_wave_outputs(t))], "broken-wave"),
    "report/waves-missing": (lambda t, o: ["report", "--waves", str(o), str(t / "nowhere")],
                             "nowhere"),
    "run-project/missing": (lambda t: ["run-project", str(ROOT / "tests/data/waves/mini-wave"),
                                       str(t / "nowhere"), "--no-topics"], "nowhere"),
    "run-project/corrupt-manifest": (lambda t: ["run-project", str(_corrupt_wave_folder(t)),
                                                "--no-topics"], "wave.yaml"),
    "run-project/missing-codebook": (lambda t: ["run-project",
                                                str(ROOT / "tests/data/waves/mini-wave"),
                                                "--codebook", str(t / "none.yaml")], "none.yaml"),
    "export-qdpx/missing": (lambda t: ["export-qdpx", str(t / "nowhere")], "nowhere"),
    "export-qdpx/not-a-wave": (lambda t: ["export-qdpx", str(_empty(t))], "empty"),
    "export-qdpx/corrupt": (lambda t: ["export-qdpx", str(_corrupt_wave_outputs(t))],
                            "broken-wave"),
    "export-review/missing": (lambda t: ["export-review", str(t / "nowhere")], "nowhere"),
    "export-review/corrupt": (lambda t: ["export-review", str(_corrupt_wave_outputs(t))],
                              "broken-wave"),
    "export-review/active-without-model": (lambda t, o: ["export-review", str(o), "-o",
                                                         str(t / "r.xlsx"), "--order",
                                                         "active"], "mini-2013"),
    "import-review/missing": (lambda t, o: ["import-review", str(t / "gone.qdpx"), "--outputs",
                                            str(o)], "gone.qdpx"),
    "import-review/no-wave": (lambda t: ["import-review", str(_not_a_zip(t, "r.qdpx"))],
                              "r.qdpx"),
    "import-review/corrupt-qdpx": (lambda t, o: ["import-review", str(_not_a_zip(t, "r.qdpx")),
                                                 "--outputs", str(o)], "r.qdpx"),
    "import-review/corrupt-xlsx": (lambda t, o: ["import-review", str(_not_a_zip(t, "r.xlsx")),
                                                 "--outputs", str(o)], "r.xlsx"),
    "import-review/corrupt-outputs": (lambda t: ["import-review", str(_not_a_zip(t, "r.xlsx")),
                                                 "--outputs", str(_corrupt_wave_outputs(t))],
                                      "documents.parquet"),
    "review-gold/missing": (lambda t: ["review-gold", str(t / "nowhere"), "-o",
                                       str(t / "g.csv")], "nowhere"),
    "review-gold/corrupt": (lambda t: ["review-gold", str(_corrupt_wave_outputs(t)), "-o",
                                       str(t / "g.csv")], "broken-wave"),
    "retrain/missing": (lambda t: ["retrain", str(t / "nowhere")], "nowhere"),
    "retrain/no-decisions": (lambda t, o: ["retrain", str(o), "--out", str(t / "m")],
                             "wavecoder.duckdb"),
    "retrain/other-codebook": (lambda t, o: ["retrain", str(o), "--codebook",
                                             str(ROOT / "tests/data/codebook-comments.yaml")],
                               "codebook-comments.yaml"),
    "sign-off/missing": (lambda t: ["sign-off", str(t / "nowhere"), "--reviewer", "Ann"],
                         "nowhere"),
    "sign-off/not-a-wave": (lambda t: ["sign-off", str(_empty(t)), "--reviewer", "Ann"],
                            "empty"),
    "sign-off/corrupt": (lambda t: ["sign-off", str(_corrupt_wave_outputs(t)), "--reviewer",
                                    "Ann"], "broken-wave"),
    "wipe/missing": (lambda t: ["wipe", str(t / "outputs" / "nowhere"), "--yes"], "nowhere"),
    "wipe/corrupt-database": (lambda t: ["wipe", str(_corrupt_database(t)), "--yes"],
                              "wavecoder.duckdb"),
}


def _corrupt_database(tmp: Path) -> Path:
    """A wave's outputs beside a wavecoder.duckdb that is not a database."""
    folder = _corrupt_wave_outputs(tmp)
    (folder.parent / "wavecoder.duckdb").write_bytes(b"not a database at all" * 300)
    return folder


def _empty(tmp: Path) -> Path:
    folder = tmp / "empty"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_input_gives_one_line_naming_the_path_and_exit_2(case, tmp_path, monkeypatch,
                                                                 mini_outputs):
    monkeypatch.chdir(tmp_path)  # nothing is written into the project
    argv_of, named = CASES[case]
    wants_wave = argv_of.__code__.co_argcount == 2
    result = runner.invoke(app, argv_of(tmp_path, mini_outputs) if wants_wave else
                           argv_of(tmp_path))
    assert result.exit_code == 2, (case, result.output)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, errors
    assert errors[0].startswith("error: ") and named in errors[0], errors[0]


def test_every_command_is_covered():
    names = {c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands}
    covered = {case.split("/")[0] for case in CASES}
    assert names - {"serve"} == covered


def test_the_corrupt_outputs_fixture_is_really_unreadable(tmp_path):
    import pandas as pd
    import pyarrow

    with pytest.raises(pyarrow.ArrowInvalid):
        pd.read_parquet(_corrupt_wave_outputs(tmp_path) / "codings.parquet")


def test_a_config_error_keeps_its_bracketed_keys_and_stops_before_the_flow(tmp_path):
    result = runner.invoke(app, ["run", str(ROOT / "tests" / "data" / "waves" / "mini-wave"),
                                 "--codebook", str(ROOT / "tests/data/codebook-bad-pattern.yaml"),
                                 "--out", str(tmp_path), "--no-topics"])
    assert result.exit_code == 2
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    # Rich markup must not eat spaCy's keys: the user sees which key is wrong
    assert "codebook-bad-pattern.yaml" in line and "code 'housing' patterns[0]" in line
    assert "[pattern -> 0 -> LOWRE]" in line and "patterns[1]" in line
    assert "Flow run" not in result.output and not list(tmp_path.iterdir())  # never started
