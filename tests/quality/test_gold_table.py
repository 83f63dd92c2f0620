"""Gold files as other machines save them: Excel's code page and semicolons, UTF-16, bad rows."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config import load_codebook
from pipeline.errors import ConfigError, InputError
from pipeline.quality.gold import load_gold
from pipeline.quality.gold_table import read_gold_table

HEADER = "Comment ID,FFT answer,Parking,Staff manner & personal attributes\n"


@pytest.fixture(scope="module")
def book(data_dir):
    return load_codebook(data_dir / "codebook-comments.yaml")


@pytest.fixture()
def comments(data_dir):
    frame = pd.read_csv(data_dir / "gold" / "comments.csv", dtype=str, keep_default_na=False)
    extra = {"Comment ID": "C900", "FFT question": "How could we improve?",
             "FFT answer": "Café closed, £4 to park – don’t bother", "Parking": "1",
             "Food & drink provision & facilities": "1",
             "Staff manner & personal attributes": "0"}
    return pd.concat([frame, pd.DataFrame([extra])], ignore_index=True)


def test_an_excel_csv_in_the_windows_code_page_with_semicolons_reads_as_utf8(
        tmp_path, comments, book):
    comments.to_csv(tmp_path / "utf8.csv", index=False)
    comments.to_csv(tmp_path / "excel.csv", index=False, sep=";", encoding="cp1252")
    expected, gold = load_gold(tmp_path / "utf8.csv", book), load_gold(tmp_path / "excel.csv", book)
    assert gold.texts == expected.texts and gold.ids == expected.ids
    assert gold.labels.tolist() == expected.labels.tolist() and len(gold.texts) == 55
    assert gold.texts[gold.ids.index("C900")] == "Café closed, £4 to park – don’t bother"
    assert gold.support() == {"parking": 19, "food_drink": 19, "staff_manner": 24}


def test_a_utf16_tab_separated_export_reads_too(tmp_path, comments, book):
    comments.to_csv(tmp_path / "export.tsv", index=False, sep="\t", encoding="utf-16")
    gold = load_gold(tmp_path / "export.tsv", book)
    assert gold.texts[gold.ids.index("C900")] == "Café closed, £4 to park – don’t bother"
    assert gold.labels.shape == (55, 3)


def test_rows_are_numbered_by_the_line_they_start_on(tmp_path, book):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + 'C1,"The car park\nwas full",1,0\nC2,Kind nurses,0,2\n')
    # the two-line answer puts C2 on line 4, not on its row's position plus one
    with pytest.raises(ConfigError, match=r"bad.csv line 4, column 'Staff manner & personal "
                                          r"attributes': expected 0 or 1, found '2'"):
        load_gold(path, book)
    assert read_gold_table(path).index.tolist() == [2, 4]


def test_every_unparsable_row_is_named_and_nothing_is_read(tmp_path, book):
    path = tmp_path / "broken.csv"
    rows = "".join(f"C{i},fine,0,1\n" for i in range(3))
    path.write_text(HEADER + rows + "C7,extra, field,0,1\n" + rows
                    + "".join(f"C{i},short\n" for i in range(8, 14)))
    with pytest.raises(InputError) as error:
        load_gold(path, book)
    message = str(error.value)
    assert message.startswith(f"{path}: not a readable gold file, 7 row(s) cannot be read: "
                              "line 5: expected 4 fields as in the header, found 5; line 9: ")
    assert message.endswith("; and 2 more")


def test_a_formula_without_a_saved_value_is_refused_with_its_cell(tmp_path, book):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Comment ID", "FFT answer", "Parking"])
    sheet.append(["C1", "No spaces left", 1])
    sheet.append(["C2", "Full again", "=1*1"])  # openpyxl saves no computed value
    workbook.save(tmp_path / "gold.xlsx")
    with pytest.raises(InputError, match=r"gold.xlsx: line 3, column 3 is a formula without a "
                                         r"saved value"):
        load_gold(tmp_path / "gold.xlsx", book)


def test_blank_header_cells_are_named_by_their_place(tmp_path, book):
    path = tmp_path / "blanks.csv"
    path.write_text("Comment ID,FFT answer,,Parking,\nC1,No spaces,x,1,\nC2,Kind staff,,0,y\n")
    gold = load_gold(path, book)
    assert gold.labels.tolist() == [[1], [0]]
    assert list(gold.extra.columns) == ["Comment ID", "FFT answer", "column 3", "column 5"]


def test_a_file_of_another_type_or_missing_is_named(tmp_path, book):
    (tmp_path / "gold.txt").write_text(HEADER)
    with pytest.raises(ConfigError, match=r"gold.txt: a gold file must be .csv, .tsv, .xlsx"):
        load_gold(tmp_path / "gold.txt", book)
    with pytest.raises(ConfigError, match="absent.csv: file not found"):
        load_gold(tmp_path / "absent.csv", book)
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty.csv: not a readable gold file \(the file is "
                                         r"empty\)"):
        load_gold(tmp_path / "empty.csv", book)


def test_an_spss_gold_file_with_labelled_dichotomies_reads(tmp_path, book):
    import pyreadstat

    frame = pd.DataFrame({"comment_id": ["C1", "C2", "C3"],
                          "text": ["Nowhere to park", "Kind porter", "Cold tea"],
                          "parking": [1.0, 0.0, 0.0], "staff_manner": [0.0, 1.0, 0.0]})
    dichotomy = {0: "No", 1: "Yes"}  # as SPSS users label a coded variable
    pyreadstat.write_sav(frame, tmp_path / "coded.sav", variable_value_labels={
        "parking": dichotomy, "staff_manner": dichotomy})
    gold = load_gold(tmp_path / "coded.sav", book)  # value labels in place: "Yes" and "No"
    assert gold.ids == ["C1", "C2", "C3"] and gold.code_ids == ["parking", "staff_manner"]
    assert gold.labels.tolist() == [[1, 0], [0, 1], [0, 0]]
