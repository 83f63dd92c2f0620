"""Corrupt and hostile Word, OpenDocument and Excel files in one wave: each rejected with its
reason, the good files beside them coded, and content that used to vanish kept (issue 11: 3, 10).
"""

from __future__ import annotations

import pytest
from support_faults import (
    WaveRunResult,
    assert_accounted,
    live_formulas,
    rejected_of,
    run_and_read,
    unescaped_csv_cells,
)

REJECTED = {  # file -> words the reason must hold
    "truncated.docx": "not a zip file",
    "ole-named.docx": "not a zip file",
    "plain-text-named.docx": "not a zip file",
    "empty.docx": "not a zip file",
    "malformed-xml.docx": "word/document.xml: not well-formed XML (line 1)",
    "billion-laughs.docx": "declares XML entities",
    "external-entity.docx": "declares XML entities",
    "no-document-part.docx": "no item named 'word/document.xml'",
    "truncated.odt": "not a zip file",
    "malformed.odt": "content.xml: not well-formed XML",
    "billion-laughs.odt": "declares XML entities",
    "sheet-cut-short.xlsx": "xl/worksheets/sheet1.xml: not well-formed XML",
    "billion-laughs.xlsx": "declares XML entities",
    "ole-named.xlsx": "not a zip file",
}
KEPT = ["good.docx", "good.odt", "good.csv", "text-in-table.docx", "two-sheets.xlsx[wave A]",
        "two-sheets.xlsx[wave B]", "formula-no-cache.xlsx", "merged-attribute.xlsx"]


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> WaveRunResult:
    return run_and_read("office-wave", tmp_path_factory.mktemp("office"))


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_a_corrupt_office_file_is_rejected_with_its_reason(office, name):
    rows = rejected_of(office, name)
    assert len(rows) == 1, rows
    assert rows.iloc[0]["reason"] == "unreadable"
    assert name in rows.iloc[0]["detail"]
    assert REJECTED[name] in rows.iloc[0]["detail"]


def test_the_rest_of_the_wave_is_coded_and_accounted(office):
    assert set(KEPT) <= set(office.documents["source"])
    assert_accounted(office)
    assert office.record["accounting"]["items_in"] == len(office.documents) + len(REJECTED) + 1
    assert (office.outputs / "coded_wide.xlsx").exists()
    assert live_formulas(office.outputs) == []
    assert unescaped_csv_cells(office.outputs) == []


def test_text_in_word_tables_and_later_sheets_is_kept(office):
    docs = office.documents.set_index("source")
    assert "peer mentor in the table cell" in docs.loc["text-in-table.docx", "text"]
    assert len(office.documents[office.documents["source"] == "two-sheets.xlsx[wave B]"]) == 2


def test_a_formula_without_a_cached_value_is_named_not_called_empty(office):
    rows = rejected_of(office, "formula-no-cache.xlsx")
    assert list(rows["reason"]) == ["formula without a cached value"]
    assert list(rows["line"]) == ["3"]
    assert "formula-no-cache.xlsx line 3" in rows.iloc[0]["detail"]
    assert len(office.documents[office.documents["source"] == "formula-no-cache.xlsx"]) == 2


def test_a_merged_attribute_cell_gives_its_value_to_every_row_it_covers(office):
    merged = office.documents[office.documents["source"] == "merged-attribute.xlsx"]
    assert list(merged.sort_values("respondent_id")["region"]) == ["north"] * 3
    assert "merged-attribute.xlsx: 1 merged cell range(s)" in " ".join(office.record["notes"])
