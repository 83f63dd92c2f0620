"""Wiping a wave: its folder, key, leftovers and database rows go; other waves stay."""

from __future__ import annotations

import subprocess

import duckdb
from support_review import publish_folder
from typer.testing import CliRunner

from flows.cli import app
from pipeline import schema as s
from pipeline.export import store_wave
from pipeline.outputs import database_of
from pipeline.redact.wave import mapping_path


def test_a_wiped_wave_leaves_nothing_and_other_waves_stay(tmp_path, waves_dir, data_dir,
                                                          mini_codebook):
    out = tmp_path / "outputs" / "mini-2013"
    given, _ = publish_folder(waves_dir / "mini-wave", out, mini_codebook,
                              data_dir / "codebook-mini.yaml")
    database = database_of(out)
    store_wave(database, "other-2014", {"codings": given.codings})
    key = mapping_path(out.parent, "mini-2013")
    key.parent.mkdir(parents=True)
    key.write_text("placeholder,original\n", encoding="utf-8")
    ended = subprocess.Popen(["true"])
    ended.wait()
    leftover = out.parent / f".mini-2013.publishing-{ended.pid}-0123456789ab"
    leftover.mkdir()
    answer = given.documents[s.TEXT].iloc[0]
    assert answer.encode() in database.read_bytes()

    result = CliRunner().invoke(app, ["wipe", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert not out.exists() and not key.parent.exists() and not leftover.exists()
    with duckdb.connect(str(database), read_only=True) as db:
        tables = [r[0] for r in db.execute("select table_name from information_schema.columns "
                                           "where column_name = 'wave'").fetchall()]
        assert {"documents", "codings", "runs"} <= set(tables)
        views = {r[0] for r in db.execute("select view_name from duckdb_views() "
                                          "where not internal").fetchall()}
        assert "theme_trends" in views  # views are kept, not wiped as tables
        for table in tables:
            assert db.execute(f'select count(*) from "{table}" where wave = ?',
                              ["mini-2013"]).fetchone()[0] == 0, table
        assert db.execute("select count(*) from codings where wave = 'other-2014'"
                          ).fetchone()[0] == len(given.codings)
    assert answer.encode() not in database.read_bytes()
    said = " ".join(result.output.split())
    assert "deleted rows of mini-2013:" in said and f"codings {len(given.codings)}," in said

    again = CliRunner().invoke(app, ["wipe", str(out), "--yes"])
    assert again.exit_code == 2 and "no outputs" in again.output


def test_wipe_asks_first(tmp_path, waves_dir, data_dir, mini_codebook):
    out = tmp_path / "outputs" / "mini-2013"
    publish_folder(waves_dir / "mini-wave", out, mini_codebook, data_dir / "codebook-mini.yaml")
    result = CliRunner().invoke(app, ["wipe", str(out)], input="n\n")
    assert result.exit_code == 1 and out.is_dir()
