"""Text that passes decoding but used to crash export (control characters, NULs), Excel's
"Unicode text", a few bad bytes, and formula-like answers (issue 11: 2, 6, 10, 11).
"""

from __future__ import annotations

import openpyxl
import pytest
from support_faults import (
    WaveRunResult,
    assert_accounted,
    live_formulas,
    rejected_of,
    run_and_read,
    run_cli,
    unescaped_csv_cells,
)


@pytest.fixture(scope="module")
def text(tmp_path_factory) -> WaveRunResult:
    return run_and_read("text-wave", tmp_path_factory.mktemp("text"))


def _document(run: WaveRunResult, source: str) -> str:
    rows = run.documents[run.documents["source"] == source]
    assert len(rows) == 1, source
    return rows.iloc[0]["text"]


@pytest.mark.parametrize("name, controls", [("form-feed.txt", 1), ("escape-and-soh.txt", 2),
                                            ("nul-after-4k.txt", 2)])
def test_control_characters_are_replaced_and_said(text, name, controls):
    kept = _document(text, name)
    assert not any(ord(c) < 32 and c not in "\n\t" for c in kept)
    assert f"{name}: {controls} control character(s) replaced" in " ".join(text.record["notes"])


def test_a_form_feed_becomes_a_line_end(text):
    assert ".\nPage two of the answer." in _document(text, "form-feed.txt")


def test_control_characters_in_survey_cells_are_replaced(text):
    answers = text.documents[text.documents["source"] == "control-chars.csv"]["text"]
    assert len(answers) == 3
    assert not any(ord(c) < 32 and c not in "\n\t" for a in answers for c in a)


def test_a_file_of_nuls_is_rejected_as_binary(text):
    rows = rejected_of(text, "nul-at-start.txt")
    assert list(rows["reason"]) == ["unreadable"]
    assert "binary data" in rows.iloc[0]["detail"]


def test_excel_unicode_text_is_read(text):
    assert "café" in _document(text, "utf16-transcript.txt")
    survey = text.documents[text.documents["source"] == "excel-unicode-text.csv"]
    assert sorted(survey["respondent_id"]) == ["u1", "u2", "u3"]
    assert survey["text"].str.contains("naïve").all()


def test_two_bad_bytes_reject_only_their_rows_with_line_numbers(text):
    rows = rejected_of(text, "two-bad-bytes.csv")
    assert sorted(rows["line"]) == ["3", "5"]
    assert all("two-bad-bytes.csv line" in d and "not UTF-8" in d for d in rows["detail"])
    kept = text.documents[text.documents["source"] == "two-bad-bytes.csv"]
    assert sorted(kept["respondent_id"]) == ["b1", "b3", "b5"]


def test_a_categorical_first_column_is_not_the_id(text):
    kept = text.documents[text.documents["source"] == "categorical-first-column.csv"]
    assert len(kept) == 5
    assert rejected_of(text, "categorical-first-column.csv").empty


def test_formula_like_answers_stay_text_everywhere(text):
    kept = text.documents[text.documents["source"] == "formula-injection.csv"]
    assert len(kept) == 5
    assert live_formulas(text.outputs) == []
    assert unescaped_csv_cells(text.outputs) == []
    wide = (text.outputs / "coded_wide.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in wide and "'+the staff" in wide and "'@SUM" in wide
    assert "'=1+2" in wide  # a respondent id is escaped too


def test_the_wave_is_accounted(text):
    assert_accounted(text)
    assert text.record["accounting"]["items_in"] == 26


def test_the_review_workbook_holds_formula_like_answers_as_text(text):
    workbook = text.outputs / "review.xlsx"
    result = run_cli(["export-review", str(text.outputs), "-o", str(workbook)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(workbook)
    texts = [cell.value for cell in book["segments"]["D"]]
    assert any(str(t).startswith("=HYPERLINK(") for t in texts)
    assert "=1+2" in [cell.value for cell in book["segments"]["B"]]
    assert live_formulas(text.outputs) == []


def test_the_report_and_review_tables_hold_formula_like_answers_as_text(text):
    """The report's quotes (exemplars.csv) and the review queue quote respondents too."""
    result = run_cli(["report", str(text.outputs)])
    assert result.exit_code == 0, result.output
    exemplars = (text.outputs / "report" / "exemplars.csv").read_text(encoding="utf-8")
    assert ",'=1+2," in exemplars  # the respondent of a quote, escaped
    assert unescaped_csv_cells(text.outputs) == []
