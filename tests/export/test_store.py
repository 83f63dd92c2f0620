"""The shared database's views across waves, queried with real DuckDB."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from support_review import DATA, publish_folder

from pipeline.outputs import database_of
from pipeline.report.trends import wilson_interval


def _trends(db) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select * from theme_trends order by wave, question_id, code_id").df()


@pytest.fixture()
def published_mini(tmp_path, mini_codebook):
    """The mini wave published under tmp_path/outputs/, with its database beside it."""
    out = tmp_path / "outputs" / "mini-2013"
    publish_folder(DATA / "waves" / "mini-wave", out, mini_codebook, DATA / "codebook-mini.yaml")
    return out


def test_theme_trends_gives_counts_bases_shares_and_intervals_per_wave(
        published_mini, mini_codebook, tmp_path):
    db = database_of(published_mini)
    folder = tmp_path / "waves" / "mini-2012"
    folder.mkdir(parents=True)
    manifest = (DATA / "waves" / "mini-wave" / "wave.yaml").read_text(encoding="utf-8")
    (folder / "wave.yaml").write_text(manifest.replace("mini-2013", "mini-2012").replace(
        "interviews/*.txt", "none/*.txt"), encoding="utf-8")
    (folder / "survey.csv").write_text(
        "service_id,region,service_type,needs_met,local_gaps\n"
        "S1,London,community,There is no supported housing.,Housing is the gap.\n"
        "S2,London,community,All fine.,Mental health services are far away.\n",
        encoding="utf-8")
    publish_folder(folder, published_mini.parent / "mini-2012", mini_codebook,
                   DATA / "codebook-mini.yaml")
    view = _trends(db)
    assert sorted(view["wave"].unique()) == ["mini-2012", "mini-2013"]
    for wave in ("mini-2012", "mini-2013"):
        summary = pd.read_csv(published_mini.parent / wave / "theme_summary.csv")
        rows = view[view["wave"] == wave].merge(summary, on=["question_id", "code_id"],
                                               suffixes=("", "_csv"))
        assert len(rows) == len(summary) == len(view[view["wave"] == wave])
        for column in ("respondents", "mentions", "share"):
            assert (rows[column] == rows[f"{column}_csv"]).all(), column
    assert set(view["codebook_version"]) == {"0.1"} and set(view["codebook_id"]) == {"mini"}
    housing = view[(view["wave"] == "mini-2012") & (view["question_id"] == "q1_needs_met")
                   & (view["code_id"] == "housing")].iloc[0]
    assert (housing["mentions"], housing["respondents"]) == (1, 2)
    assert (housing["ci_low"], housing["ci_high"]) == pytest.approx(wilson_interval(1, 2))
    for row in view.itertuples():
        assert (row.ci_low, row.ci_high) == pytest.approx(
            wilson_interval(row.mentions, row.respondents), abs=1e-12)


def test_the_view_survives_a_rerun_unchanged(published_mini, mini_codebook):
    db = database_of(published_mini)
    before = _trends(db)
    publish_folder(DATA / "waves" / "mini-wave", published_mini, mini_codebook,
                   DATA / "codebook-mini.yaml")  # the wave again: replaced, not added
    after = _trends(db)
    pd.testing.assert_frame_equal(before, after)
    with duckdb.connect(str(db), read_only=True) as con:
        kinds = dict(con.execute("select table_name, table_type from information_schema.tables"
                                 " where table_name = 'theme_trends'").fetchall())
    assert kinds == {"theme_trends": "VIEW"}
