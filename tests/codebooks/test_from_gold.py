from __future__ import annotations

import pytest
from support_codebooks import DATA, ROOT

from pipeline.codebooks import draft_from_gold, write_codebook_yaml
from pipeline.config import load_codebook
from pipeline.errors import ConfigError, InputError
from pipeline.quality.gold import load_gold


def test_a_wide_gold_file_drafts_one_code_per_0_1_column(tmp_path):
    draft = draft_from_gold(DATA / "gold-wide.csv")
    book = draft.codebook
    assert draft.kind == "gold file (wide, 0/1 columns)"
    assert book.parents() == {"dont_know": None, "staff": None, "attitude": "staff",
                              "numbers": "staff", "transport_to_from_services": None,
                              "cafe_access": None, "never_used": None}
    assert book.labels()["dont_know"] == "don't_know"
    assert draft.counts == {"dont_know": 1, "attitude": 2, "numbers": 1,
                            "transport_to_from_services": 1, "cafe_access": 1, "never_used": 0}
    assert draft.needs_definition() == book.code_ids()
    assert draft.notes == ["1 codes are never applied in the file: never_used"]
    # the written draft is a codebook the gold file maps back onto: flat names by label, the
    # paths ("Staff/Attitude") by their labels' path
    written = load_codebook(write_codebook_yaml(draft, tmp_path / "draft.yaml", "from-gold"))
    gold = load_gold(DATA / "gold-wide.csv", written)
    assert gold.support() == {"dont_know": 1, "attitude": 2, "numbers": 1,
                              "transport_to_from_services": 1, "cafe_access": 1, "never_used": 0}
    assert gold.unmapped == []


def test_a_long_gold_file_drafts_codes_from_its_code_column():
    draft = draft_from_gold(DATA / "gold-long.csv")
    assert draft.kind == "gold file (long, 'code' column)"
    assert draft.codebook.parents() == {"service": None, "staff": "service",
                                        "attitude": "staff", "numbers": "staff",
                                        "premises": "service", "access": None}
    assert draft.counts == {"attitude": 2, "numbers": 1, "access": 1, "premises": 1}
    assert draft.depth() == 3


def test_the_codebook_id_is_given_or_from_the_file_name():
    assert draft_from_gold(DATA / "gold-long.csv").codebook.id == "gold-long"
    assert draft_from_gold(DATA / "gold-long.csv", "team-codes").codebook.id == "team-codes"


def test_a_file_with_no_codes_a_qda_file_or_a_codebook_is_named(tmp_path):
    plain = tmp_path / "answers.csv"
    plain.write_text("id,text,rating\n1,fine,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="answers.csv: no codes found"):
        draft_from_gold(plain)
    with pytest.raises(ConfigError, match=r"maxqda-style.qdc: a REFI-QDA file, not a gold file"):
        draft_from_gold(DATA / "maxqda-style.qdc")
    with pytest.raises(ConfigError, match="codebook-mini.yaml: a codebook YAML, not a gold"):
        draft_from_gold(ROOT / "tests" / "data" / "codebook-mini.yaml")
    with pytest.raises(ConfigError, match="taguette-codebook.csv: a codebook .* codebook import"):
        draft_from_gold(DATA / "taguette-codebook.csv")
    broken = tmp_path / "gold.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError, match="gold.xlsx: not a readable gold file"):
        draft_from_gold(broken)


def test_a_drafted_hierarchy_reads_its_own_gold_file(tmp_path):
    from pipeline.quality.gold import load_gold

    path = tmp_path / "highlights.csv"  # Taguette's export, the hierarchy written into the tags
    path.write_text("id,document,tag,content\n"
                    "1,P1.odt,Staff->Attitude,The nurses were short with me at the desk\n"
                    "2,P1.odt,Staff->Attitude,Nobody at the front desk looked up\n"
                    "2,P1.odt,Access,Nobody at the front desk looked up\n"
                    "3,P2.odt,Access/Opening hours,It is shut at weekends when I need it\n"
                    "4,P2.odt,Access/Evenings,Nothing after five o'clock\n", encoding="utf-8")
    book = draft_from_gold(path).codebook
    assert book.parents() == {"staff": None, "attitude": "staff", "access": None,
                              "opening_hours": "access", "evenings": "access"}
    gold = load_gold(path, book)
    assert gold.code_ids == ["attitude", "access", "opening_hours", "evenings"]
    assert gold.labels.tolist() == [[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
