from __future__ import annotations

import pytest
from support_codebooks import DATA, ROOT

from pipeline.codebooks import load_codebook_yaml
from pipeline.codebooks.files import kind_of
from pipeline.errors import ConfigError, InputError, MissingInputError
from pipeline.untrusted import parse_xml

MINI = ROOT / "tests" / "data" / "codebook-mini.yaml"


def test_files_are_told_apart_by_their_first_bytes(tmp_path):
    assert kind_of(DATA / "maxqda-style.qdc") == "xml"
    assert kind_of(DATA / "nvivo-style.qdpx") == "zip"
    assert kind_of(DATA / "taguette-codebook.csv") == "csv"
    assert kind_of(MINI) == "yaml"
    quoted = tmp_path / "codebook.csv"
    quoted.write_text('tag,description\nA,"first line\ntitle: second line"\n', encoding="utf-8")
    assert kind_of(quoted) == "csv"
    bom = tmp_path / "book.qdc"
    bom.write_bytes(b"\xef\xbb\xbf\n  <CodeBook/>")
    assert kind_of(bom) == "xml"
    with pytest.raises(MissingInputError, match="nowhere.qdc: file not found"):
        kind_of(tmp_path / "nowhere.qdc")


def test_a_qda_file_given_as_a_codebook_yaml_is_named_and_pointed_to_import():
    assert load_codebook_yaml(MINI).id == "mini"
    for name in ("maxqda-style.qdc", "nvivo-style.qdpx"):
        with pytest.raises(ConfigError, match=rf"{name}: a REFI-QDA file .* codebook import"):
            load_codebook_yaml(DATA / name)
    with pytest.raises(ConfigError, match="taguette-codebook.csv: a CSV file, not a codebook"):
        load_codebook_yaml(DATA / "taguette-codebook.csv")


def test_an_internal_dtd_without_entities_parses_and_with_entities_does_not():
    assert parse_xml(b'<!DOCTYPE CodeBook><CodeBook a="1"/>', "x").get("a") == "1"
    with pytest.raises(InputError, match="x: declares XML entities"):
        parse_xml(b'<!DOCTYPE a [<!ENTITY e "v">]><a>&e;</a>', "x")
