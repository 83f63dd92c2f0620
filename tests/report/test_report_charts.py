"""The report's figures (pipeline/report/charts.py): a codebook of many codes charts the 40
themes most raised and says so."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.report.charts import (
    cooccurrence_chart,
    crosstab_chart,
    direction_chart,
    stance_chart,
)

THEMES = 45  # past the 40 a chart shows


def _ids(n: int) -> list[str]:
    return [f"c{i:02d}" for i in range(n)]


def _reach(n: int) -> list[int]:
    """Respondents per theme: distinct, in no order, so the top 40 are not the first 40."""
    return [10 + (17 * i) % 97 for i in range(n)]


def _top(n: int, limit: int = 40) -> set[str]:
    reach = dict(zip(_ids(n), _reach(n), strict=True))
    return set(sorted(reach, key=reach.get, reverse=True)[:limit])


def _by_theme(n: int, **counts) -> pd.DataFrame:
    return pd.DataFrame({"code_id": _ids(n), "label": _ids(n), "respondents": _reach(n),
                         **counts})


def _title(fig) -> str:
    return fig.layout.title.text or ""


def test_the_cooccurrence_of_many_themes_shows_the_forty_most_raised():
    ids = _ids(THEMES)
    matrix = pd.DataFrame(np.ones((THEMES, THEMES), dtype=int), index=ids, columns=ids)
    for code_id, reach in zip(ids, _reach(THEMES), strict=True):
        matrix.at[code_id, code_id] = reach
    fig = cooccurrence_chart(matrix, {})
    shown = [label.split(" (")[0] for label in fig.data[0].y]
    assert len(shown) == 40 and set(shown) == _top(THEMES)
    reach = dict(zip(ids, _reach(THEMES), strict=True))
    assert [reach[c] for c in shown] == sorted((reach[c] for c in shown), reverse=True)
    assert _title(fig).replace("<br>", " ") == (
        "The 40 of 45 themes with the most respondents; report/cooccurrence.csv has every one")
    few = cooccurrence_chart(matrix.iloc[:5, :5], {})
    assert len(few.data[0].y) == 5 and _title(few) == ""


def test_stances_and_directions_of_many_themes_show_the_forty_most_raised():
    stances = _by_theme(THEMES, needed=1, gap=2, available=3)
    fig = stance_chart(stances)
    assert all(len(trace.y) == 40 for trace in fig.data)
    assert set(fig.data[0].y) == _top(THEMES)
    assert "report/stance_by_theme.csv has every one" in _title(fig).replace("<br>", " ")
    assert _title(stance_chart(stances.head(40))) == ""

    reach = _reach(THEMES)
    directions = _by_theme(THEMES, improved=[r // 2 for r in reach], worsened=[r - r // 2
                           for r in reach], same=0, net=0)
    fig = direction_chart(directions)
    assert all(len(trace.y) == 40 for trace in fig.data)
    assert set(fig.data[0].y) == _top(THEMES)
    assert "report/direction_by_theme.csv has every one" in _title(fig).replace("<br>", " ")


def test_a_crosstab_of_many_themes_shows_the_forty_most_mentioned():
    rows = [{"kind": "survey", "attribute": "region", "value": value, "respondents": 200,
             "code_id": code_id, "label": code_id, "mentions": reach if value == "North" else 1,
             "share": 0.1} for code_id, reach in zip(_ids(THEMES), _reach(THEMES), strict=True)
            for value in ("North", "South")]
    fig = crosstab_chart(pd.DataFrame(rows), "region", "survey")
    assert set(fig.data[0].y) == _top(THEMES)
    assert "The 40 of 45 themes" in _title(fig) and "report/crosstabs.csv" in _title(fig)
    few = crosstab_chart(pd.DataFrame(rows[:10]), "region", "survey")
    assert len(few.data[0].y) == 5 and "themes" not in _title(few)
