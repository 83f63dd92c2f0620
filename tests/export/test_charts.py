"""Theme charts: one panel per question, at most a couple of dozen, saying which are left out."""

from __future__ import annotations

import struct

import pandas as pd

from pipeline import schema as s
from pipeline.export.charts import MAX_PANELS, charted_questions, theme_chart


def summary_of(respondents: list[int], codes: int = 3) -> pd.DataFrame:
    """A theme summary: question i answered by respondents[i], each code mentioned once."""
    rows = [{s.QUESTION_ID: f"q{i:02d}", s.CODE_ID: f"c{j}", s.LABEL: f"Code {j}",
             s.RESPONDENTS: n, s.MENTIONS: 1, s.NEGATED_MENTIONS: 0, s.SHARE: 1 / n,
             s.RANK: j + 1}
            for i, n in enumerate(respondents) for j in range(codes)]
    return pd.DataFrame(rows)


def png_height(path) -> int:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", header[20:24])[0]


def test_a_few_questions_are_all_charted_without_a_note():
    shown, note = charted_questions(summary_of([5, 9, 7]))
    assert shown.to_dict() == {"q00": 5, "q01": 9, "q02": 7}
    assert note == ""


def test_past_the_limit_the_questions_most_answered_are_charted_in_their_order():
    respondents = [10 + i % 7 for i in range(30)]  # five questions of 10, five of 11, ...
    shown, note = charted_questions(summary_of(respondents))
    assert len(shown) == MAX_PANELS == 24
    left_out = sorted({f"q{i:02d}" for i in range(30)} - set(shown.index))
    # every question of 10 respondents, and of those of 11 the last: on a tie the first stay
    assert left_out == ["q00", "q07", "q14", "q21", "q28", "q29"]
    assert list(shown.index) == sorted(shown.index)  # the summary's order, not by count
    assert note == ("24 of 30 questions, those with the most respondents; every question is "
                    "in theme_summary.csv")


def test_the_chart_of_thirty_questions_is_drawn_twelve_rows_high(tmp_path):
    path = theme_chart(summary_of([10 + i % 7 for i in range(30)]), tmp_path / "chart.png",
                       title="wave")
    assert png_height(path) == round(12 * 3.2 * 110)  # 24 panels, two a row; 15 rows before


def test_the_chart_of_two_questions_is_one_row_high(tmp_path):
    path = theme_chart(summary_of([4, 6]), tmp_path / "chart.png", title="wave")
    assert png_height(path) == round(1 * 3.2 * 110)
