"""Survey tools' exports: header rows skipped, question wording read, the tool's id used."""

from __future__ import annotations

import shutil

import pytest

from pipeline import schema as s
from pipeline.ingest import ingest_wave
from pipeline.ingest.exports import detect_layout
from pipeline.ingest.infer import infer_survey
from pipeline.ingest.tables import read_table


def wave_of(tmp_path, data_dir, *names):
    folder = tmp_path / "wave"
    folder.mkdir()
    for name in names:
        shutil.copy(data_dir / "exports" / name, folder / name)
    return ingest_wave(folder)


@pytest.mark.parametrize("name, layout, header_lines, first_data_line", [
    ("qualtrics.csv", "qualtrics", [1, 2, 3], 4),
    ("surveymonkey.csv", "surveymonkey", [1, 2], 3),
    ("microsoft-forms.xlsx", "microsoft-forms", [1], 2),
    ("google-forms.csv", "google-forms", [1], 2),
])
def test_header_rows_are_skipped(data_dir, name, layout, header_lines, first_data_line):
    table = read_table(data_dir / "exports" / name)
    assert table.layout.name == layout
    assert table.skipped == header_lines
    assert table.rows[0][0] == first_data_line
    assert not any('{"ImportId"' in cell for _, cells in table.rows for cell in cells)


@pytest.mark.parametrize("name, respondents, question", [
    ("qualtrics.csv", ["R_1aBcDeFgHiJkLmN", "R_2oPqRsTuVwXyZaB", "R_4qRsTuVwXyZaBcD"],
     "What support is missing for your clients locally? Please describe."),
    ("surveymonkey.csv", ["11850001", "11850002"],
     "What support is missing or hard to get locally?"),
    ("microsoft-forms.xlsx", ["1", "2"], "What would most improve aftercare in your area?"),
    ("google-forms.csv", ["line-2", "line-3", "line-4"],
     "What has changed in your service this year?"),
])
def test_ids_and_question_wording(tmp_path, data_dir, name, respondents, question):
    result = wave_of(tmp_path, data_dir, name)
    assert result.documents[s.RESPONDENT_ID].tolist() == respondents
    assert result.documents[s.QUESTION].unique().tolist() == [question]
    assert result.items_in == len(result.documents) + len(result.rejected)


def test_qualtrics_bookkeeping_is_not_an_attribute_and_non_answers_are_rejected(
        tmp_path, data_dir):
    source, _ = infer_survey(data_dir / "exports" / "qualtrics.csv", "qualtrics.csv")
    assert source.respondent_id == "ResponseId"
    assert [q.column for q in source.questions] == ["Q2_TEXT"]
    assert "Status" not in source.attributes and "Q1" in source.attributes
    result = wave_of(tmp_path, data_dir, "qualtrics.csv")
    assert result.items_in == 4  # four respondents x one open question; header rows are not items
    assert result.rejected[[s.LINE, s.REASON]].values.tolist() == [[6, "non-answer"]]


def test_surveymonkey_sub_headers_name_the_columns(data_dir):
    table = read_table(data_dir / "exports" / "surveymonkey.csv")
    assert table.header[4:7] == ["What support is missing or hard to get locally?",
                                 "Which of these do you offer? - Detox",
                                 "Which of these do you offer? - Peer support"]


def test_header_rows_and_skip_rows_from_wave_yaml(waves_dir):
    result = ingest_wave(waves_dir / "custom-header")
    docs = result.documents
    assert docs[s.RESPONDENT_ID].tolist() == ["A1", "A2"]
    assert docs[s.LINE].tolist() == [5, 6]
    assert docs[s.QUESTION].unique().tolist() == ["What is missing locally?"]
    assert result.items_in == 2 and result.rejected.empty
    assert "export.csv: skipped lines [1, 4] (skip_rows)" in result.notes


def test_plain_tables_keep_one_header_row():
    layout = detect_layout([["id", "answer"], ["1", "Housing."]])
    assert (layout.name, layout.header_rows) == ("plain", 1)
    assert detect_layout([["id", "answer"]], header_rows=2).header_rows == 2


def test_a_manifest_naming_a_qualtrics_export_still_skips_its_header_rows(tmp_path, data_dir):
    folder = tmp_path / "wave"
    folder.mkdir()
    shutil.copy(data_dir / "exports" / "qualtrics.csv", folder)
    (folder / "wave.yaml").write_text(
        "id: q\nsources:\n  - {file: qualtrics.csv, respondent_id: ResponseId,\n"
        "     questions: [{id: gaps, column: Q2_TEXT}], attributes: [Q1]}\n", encoding="utf-8")
    result = ingest_wave(folder)
    assert result.items_in == 4 and len(result.documents) == 3
    assert result.documents[s.LINE].tolist() == [4, 5, 7]
    assert result.documents[s.QUESTION].iloc[0] == (
        "What support is missing for your clients locally? Please describe.")
    assert "qualtrics.csv: qualtrics export; header lines [1, 2, 3] are not answers" \
        in result.notes


def test_line_breaks_of_every_kind_inside_answers_read_as_one_break(tmp_path):
    # Windows line ends between rows, breaks of every kind inside quoted answers, and no
    # line end after the last row: the reader walks the text line by line, not as a file,
    # and each answer keeps its own line number.
    text = ('id,answer\r\n'
            '1,"Housing first.\r\nThen a job."\r\n'
            '2,"Detox beds cut\nto four"\r\n'
            '3,"Mutual aid\rgrew"\r\n'
            '4,No change')
    path = tmp_path / "breaks.csv"
    path.write_bytes(text.encode("utf-8"))
    table = read_table(path)
    assert table.header == ["id", "answer"]
    assert [cells for _, cells in table.rows] == [
        ["1", "Housing first.\nThen a job."], ["2", "Detox beds cut\nto four"],
        ["3", "Mutual aid\ngrew"], ["4", "No change"]]
    assert [line for line, _ in table.rows] == [2, 4, 6, 8]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])  # utf-16: with its byte-order mark
def test_a_tab_separated_export_reads_as_its_csv_does(tmp_path, data_dir, encoding):
    import csv

    with (data_dir / "exports" / "qualtrics.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    rows[3][7] = "No detox beds, no rehab; nothing, since the cuts."  # commas outnumber tabs
    folder = tmp_path / "wave"
    folder.mkdir()
    with (folder / "qualtrics.tsv").open("w", encoding=encoding, newline="") as file:
        csv.writer(file, delimiter="\t").writerows(rows)
    result = ingest_wave(folder)
    assert result.documents[s.RESPONDENT_ID].tolist() == [
        "R_1aBcDeFgHiJkLmN", "R_2oPqRsTuVwXyZaB", "R_4qRsTuVwXyZaBcD"]
    assert result.documents[s.TEXT].iloc[0] == "No detox beds, no rehab; nothing, since the cuts."
    assert result.documents[s.QUESTION].unique().tolist() == [
        "What support is missing for your clients locally? Please describe."]
    assert result.items_in == 4
    assert result.rejected[[s.LINE, s.REASON]].values.tolist() == [[6, "non-answer"]]


def test_a_one_column_tab_separated_export_keeps_its_commas(tmp_path):
    folder = tmp_path / "wave"
    folder.mkdir()
    answers = ["No detox beds, no rehab, nothing.", "Housing, mostly, and work.",
               "Mental health, again, as ever."]  # two commas each: a sniffer would split
    (folder / "answers.tsv").write_text("What is missing locally?\n" + "\n".join(answers) + "\n",
                                        encoding="utf-8")
    result = ingest_wave(folder)
    assert result.documents[s.TEXT].tolist() == answers
    assert result.documents[s.QUESTION].unique().tolist() == ["What is missing locally?"]


def test_excels_delimiter_line_names_the_delimiter_and_is_not_a_row(tmp_path, data_dir):
    import csv

    with (data_dir / "exports" / "qualtrics.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    rows[3][7] = "No detox beds, no rehab, nothing, since the cuts."  # commas, not semicolons
    folder = tmp_path / "wave"
    folder.mkdir()
    with (folder / "qualtrics.csv").open("w", encoding="utf-8", newline="") as file:
        file.write("sep=;\r\n")
        csv.writer(file, delimiter=";").writerows(rows)
    table = read_table(folder / "qualtrics.csv")
    assert table.delimiter_hint == ";" and table.skipped == [2, 3, 4]  # header lines, one down
    result = ingest_wave(folder)
    assert result.documents[s.TEXT].iloc[0] == "No detox beds, no rehab, nothing, since the cuts."
    assert result.items_in == 4
    assert result.rejected[[s.LINE, s.REASON]].values.tolist() == [[7, "non-answer"]]
    assert "qualtrics.csv: line 1 is Excel's delimiter line (sep=';'), not a row" in result.notes


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_title_above_the_header_is_not_the_header(tmp_path, suffix):
    from openpyxl import Workbook

    rows = [["Comment ID", "Service", "What could we do better?"],
            ["C1", "Community", "Nothing, the staff were kind and listened to me."],
            ["C2", "Inpatient", "Did not answer"],
            ["C3", "111", "Waiting over a week for a call back about my medication."]]
    title = ["Friends and Family Test: comments, April", None, None]
    folder = tmp_path / "wave"
    folder.mkdir()
    if suffix == ".xlsx":
        book = Workbook()
        for row in [title, [None] * 3, *rows]:
            book.active.append(row)
        book.save(folder / "fft.xlsx")
    else:  # as Excel saves such a sheet: the title's line as wide as the table
        import csv
        with (folder / "fft.csv").open("w", encoding="utf-8", newline="") as file:
            csv.writer(file).writerows([[c or "" for c in title], ["", "", ""], *rows])
    table = read_table(folder / f"fft{suffix}")
    assert table.titles == [1] and table.header == rows[0]
    assert [line for line, _ in table.rows] == [4, 5, 6]
    result = ingest_wave(folder)
    assert result.documents[s.RESPONDENT_ID].tolist() == ["C1", "C3"]
    assert result.rejected[[s.LINE, s.REASON]].values.tolist() == [[5, "non-answer"]]
    assert f"fft{suffix}: line(s) [1] above the header read as a title, not answers" in \
        result.notes


def test_a_one_column_csv_whose_answers_hold_commas_keeps_its_header(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("What is missing locally?\nNo detox, no rehab\nHousing, and work\n",
                    encoding="utf-8")
    table = read_table(path)
    assert table.titles == [] and table.header == ["What is missing locally?"]


def test_a_sheet_declaring_the_whole_grid_is_read_by_its_cells(tmp_path):
    import re
    import zipfile

    from openpyxl import Workbook

    from pipeline.ingest.tables import _open_workbook, _unsized

    book = Workbook()
    book.active.append(["id", "What is missing locally?"])
    for i in range(5):
        book.active.append([f"S{i}", f"No supported housing for people leaving detox ({i})."])
    book.save(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as source, \
            zipfile.ZipFile(tmp_path / "forged.xlsx", "w", zipfile.ZIP_DEFLATED) as forged:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":  # every column, every row
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"',
                              data)
            forged.writestr(item, data)
    workbook = _open_workbook(tmp_path / "forged.xlsx")
    rows = list(_unsized(workbook.worksheets[0]).iter_rows(values_only=True))
    workbook.close()
    # openpyxl would give 1,048,576 rows of 16,384 cells, minutes of work for six rows
    assert len(rows) == 6 and {len(row) for row in rows} == {2}
    table = read_table(tmp_path / "forged.xlsx")
    assert table.header == ["id", "What is missing locally?"] and len(table.rows) == 5
