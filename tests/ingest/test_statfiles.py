"""SPSS and Stata files as survey sources: value labels read, variable labels as wording.

The files are written here by pyreadstat (ReadStat, the library R's haven writes them with),
so each test reads a real .sav, .zsav or .dta, not a mock of one.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyreadstat
import pytest

from pipeline import schema as s
from pipeline.ingest import ingest_wave
from pipeline.ingest.decode import UnreadableError
from pipeline.ingest.tables import read_table

MISSING = "What support is missing for your clients locally? Please describe."
CHANGED = "How has your service changed over the last year?"
ANSWERS = ["There is no supported housing for people leaving detox in this district.",
           "Mental health teams will not see our clients until they are abstinent.",
           "Don't know",
           "Our budget was cut by a fifth when the contract was re-tendered.",
           "",
           "Peer mentors now run the aftercare group twice a week."]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "serial": [1001.0, 1002.0, 1003.0, 1004.0, 1005.0, 1006.0],
        "region": [1.0, 2.0, 1.0, 3.0, 2.0, 3.0],
        "q7_gaps": ANSWERS,
        "q8_change": ["Fewer staff and larger caseloads since the merger with the NHS trust.",
                      "We lost the dry house when the landlord sold it last spring.",
                      "Commissioners moved us onto a payment-by-results contract.",
                      "The new hub brought the needle exchange and the GP under one roof.",
                      "Referrals from Jobcentre Plus stopped when the Work Programme began.",
                      "Family support sessions doubled after the carers' group started."],
        "q9_sat": [4.0, -99.0, 2.0, 5.0, 3.0, 1.0],
    })


def _write(path, kind: str) -> None:
    labels = {"serial": "Respondent serial number", "region": "Region", "q7_gaps": MISSING,
              "q8_change": CHANGED, "q9_sat": "Satisfaction with local commissioning"}
    values = {"region": {1.0: "North West", 2.0: "London", 3.0: "Yorkshire and the Humber"},
              "q9_sat": {1.0: "Very dissatisfied", 2.0: "Dissatisfied", 3.0: "Neutral",
                         4.0: "Satisfied", 5.0: "Very satisfied", -99.0: "Not answered"}}
    frame = _frame()
    if kind == "dta":
        pyreadstat.write_dta(frame, str(path), column_labels=labels,
                             variable_value_labels=values)
    else:
        pyreadstat.write_sav(frame, str(path), column_labels=labels,
                             variable_value_labels=values, compress=kind == "zsav",
                             missing_ranges={"q9_sat": [-99.0]})


@pytest.mark.parametrize("kind", ["sav", "zsav", "dta"])
def test_a_data_file_reads_as_a_survey_with_its_labels(tmp_path, kind):
    folder = tmp_path / "wave"
    folder.mkdir()
    _write(folder / f"survey.{kind}", kind)
    result = ingest_wave(folder)
    docs = result.documents
    gaps = docs[docs[s.QUESTION_ID] == "q7_gaps"]
    assert gaps[s.RESPONDENT_ID].tolist() == ["1001", "1002", "1004", "1006"]
    assert gaps[s.TEXT].tolist() == [ANSWERS[0], ANSWERS[1], ANSWERS[3], ANSWERS[5]]
    assert gaps[s.QUESTION].unique().tolist() == [MISSING]  # the variable's label
    assert gaps[s.LINE].tolist() == [2, 3, 5, 7]  # case n on line n + 1
    assert docs.loc[docs[s.QUESTION_ID] == "q8_change", s.QUESTION].unique().tolist() == [
        CHANGED]
    regions = dict(zip(gaps[s.RESPONDENT_ID], gaps["region"], strict=True))
    assert regions == {"1001": "North West", "1002": "London",
                       "1004": "Yorkshire and the Humber", "1006": "Yorkshire and the Humber"}
    assert result.rejected[[s.LINE, s.REASON, s.QUESTION_ID]].values.tolist() == [
        [4, "non-answer", "q7_gaps"], [6, "empty", "q7_gaps"]]
    assert result.items_in == len(docs) + len(result.rejected) == 12


def test_user_missing_values_are_blank_and_labels_replace_codes(tmp_path):
    _write(tmp_path / "survey.sav", "sav")
    table = read_table(tmp_path / "survey.sav")
    assert table.header == ["serial", "region", "q7_gaps", "q8_change", "q9_sat"]
    sat = [cells[4] for _, cells in table.rows]
    assert sat == ["Satisfied", "", "Dissatisfied", "Very satisfied", "Neutral",
                   "Very dissatisfied"]  # -99 is declared missing: not an answer
    assert table.layout.name == "plain" and table.skipped == [1]


def test_dates_read_as_a_workbook_gives_them_and_missing_ones_are_blank(tmp_path):
    frame = pd.DataFrame({"serial": [1.0, 2.0],
                          "interviewed": [dt.datetime(2024, 3, 1, 9, 12), pd.NaT],
                          "q7_gaps": ANSWERS[:2]})
    pyreadstat.write_sav(frame, str(tmp_path / "survey.sav"))
    rows = read_table(tmp_path / "survey.sav").rows
    assert [cells[1] for _, cells in rows] == ["2024-03-01 09:12:00", ""]


def test_a_qualtrics_spss_export_keeps_its_first_case(tmp_path):
    frame = pd.DataFrame({"StartDate": ["2024-03-01 09:12:00", "2024-03-01 10:02:00"],
                          "Status": [0.0, 0.0], "ResponseId": ["R_1aBc", "R_2dEf"],
                          "Q2_TEXT": ANSWERS[:2]})
    pyreadstat.write_sav(frame, str(tmp_path / "qualtrics.sav"),
                         column_labels={"Q2_TEXT": MISSING})
    table = read_table(tmp_path / "qualtrics.sav")
    assert table.layout.name == "qualtrics" and [line for line, _ in table.rows] == [2, 3]
    folder = tmp_path / "wave"
    folder.mkdir()
    (tmp_path / "qualtrics.sav").rename(folder / "qualtrics.sav")
    result = ingest_wave(folder)
    assert result.documents[s.RESPONDENT_ID].tolist() == ["R_1aBc", "R_2dEf"]
    assert result.documents[s.QUESTION].unique().tolist() == [MISSING]


def test_a_file_that_is_not_spss_is_rejected_naming_it(tmp_path):
    folder = tmp_path / "wave"
    folder.mkdir()
    (folder / "broken.sav").write_bytes(b"$FL2@(#) not really SPSS" + b"\x00" * 64)
    _write(folder / "survey.sav", "sav")
    with pytest.raises(UnreadableError, match=r"^broken\.sav: not a readable SPSS \.sav file"):
        read_table(folder / "broken.sav")
    result = ingest_wave(folder)  # the rest of the wave is read
    refused = result.rejected[result.rejected[s.SOURCE] == "broken.sav"]
    assert refused[s.REASON].tolist() == ["unreadable"]
    assert len(result.documents) == 10


def test_a_file_declaring_more_cells_than_allowed_is_refused_before_reading(tmp_path,
                                                                          monkeypatch):
    from pipeline.ingest import statfiles

    _write(tmp_path / "survey.sav", "sav")
    monkeypatch.setattr(statfiles, "MAX_CELLS", 29)  # the file declares 6 × 5 = 30
    with pytest.raises(UnreadableError, match=r"^survey\.sav: 6 cases × 5 variables, more "
                                              r"than the 29 cells read from one file$"):
        read_table(tmp_path / "survey.sav")


def test_cells_are_repaired_as_a_csv_export_would_be(tmp_path):
    folder = tmp_path / "wave"
    folder.mkdir()
    frame = pd.DataFrame({"serial": [1.0, 2.0],
                          "q7_gaps": ["We donâ€™t have a dry house; people wait for months.",
                                      "Line one of the answer.\r\nLine two,\x0cafter a page."]})
    pyreadstat.write_sav(frame, str(folder / "survey.sav"))
    result = ingest_wave(folder)
    assert result.documents[s.TEXT].tolist() == [
        "We don’t have a dry house; people wait for months.",
        "Line one of the answer.\nLine two,\nafter a page."]
    assert "survey.sav: decoded as utf-8, mojibake repaired" in result.notes
    assert any(note.startswith("survey.sav: 1 control character") for note in result.notes)
