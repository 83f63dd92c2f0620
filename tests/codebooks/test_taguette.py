from __future__ import annotations

import pytest
from support_codebooks import DATA

from pipeline.codebooks import import_codebook, read_taguette
from pipeline.errors import InputError


def test_taguette_codebook_with_slash_paths_and_a_slash_inside_a_name():
    draft = read_taguette(DATA / "taguette-codebook.csv")
    book = draft.codebook
    assert draft.kind == "Taguette codebook (.csv)"
    assert book.parents() == {"staff_kind_and_patient": None, "waiting": None, "access": None,
                              "opening_hours": "access", "location": "access",
                              "transport_to_from_services": None, "dont_know": None}
    labels = book.labels()
    assert labels["transport_to_from_services"] == "Transport to/ from services"
    assert labels["dont_know"] == "Don't know"
    codes = {code.id: code for code, _ in book.walk()}
    assert codes["opening_hours"].definition == ("Opening hours that suit or do not suit "
                                                 "people.\nIncludes evening and weekend sessions.")
    assert draft.counts == {"staff_kind_and_patient": 41, "waiting": 0, "opening_hours": 12,
                            "location": 9, "transport_to_from_services": 5, "dont_know": 3}
    assert draft.needs_definition() == ["access"]  # a parent named only in paths


def test_arrow_paths_and_a_count_column():
    draft = import_codebook(DATA / "taguette-arrows.csv")
    assert draft.depth() == 3
    assert draft.codebook.parents() == {"service": None, "staff": "service",
                                        "attitude": "staff", "numbers": "staff",
                                        "premises": "service", "outcome": None}
    assert draft.counts["attitude"] == 7 and "service" not in draft.counts


def test_a_file_of_highlights_is_pointed_to_from_gold(tmp_path):
    path = tmp_path / "all_tags.csv"
    path.write_text("id,document,tag,content\n1,P1.odt,Wording not clear,some words\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"all_tags.csv: a codebook CSV needs 'tag' and "
                       r"'description' columns .* from-gold"):
        read_taguette(path)


def test_a_bad_count_names_the_line_and_column(tmp_path):
    path = tmp_path / "codebook.csv"
    path.write_text("tag,description,count\nA,first,3\nB,second,many\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"codebook.csv line 3, column 'count': expected a "
                       r"count, found 'many'"):
        read_taguette(path)


def test_rows_without_a_tag_are_skipped_and_noted(tmp_path):
    path = tmp_path / "codebook.csv"
    path.write_text("tag,description\nA,first\n,orphan description\n", encoding="utf-8")
    draft = read_taguette(path)
    assert draft.codebook.code_ids() == ["a"] and draft.notes == ["line 3: no tag; skipped"]


def test_a_codebook_re_saved_from_excel_reads_as_taguette_wrote_it(tmp_path):
    written = ("tag;description;number of highlights\n"
               "Café;Food – and drink;3\nStaff;Kind, or not;2\n")
    path = tmp_path / "codebook.csv"
    path.write_bytes(written.encode("cp1252"))  # Excel's CSV in a semicolon locale
    draft = read_taguette(path)
    assert [c.label for c in draft.codebook.codes] == ["Café", "Staff"]
    assert [c.definition for c in draft.codebook.codes] == ["Food – and drink", "Kind, or not"]
    assert draft.counts == {"cafe": 3, "staff": 2}


def test_an_unparsable_row_is_named_by_its_line(tmp_path):
    path = tmp_path / "codebook.csv"
    path.write_text('tag,description\nA,"two\nlines"\nB,x,extra\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"codebook.csv line 4: not a readable CSV \(expected 2 "
                                         r"fields as in the header, found 3\)"):
        read_taguette(path)
