"""REFI-QDA codebooks in and out: real-shaped exports read, writes valid, round trips exact."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from support_codebooks import DATA, ROOT, schema_errors

from pipeline.codebooks import (
    codebook_qdc,
    import_codebook,
    read_qdc,
    write_codebook_yaml,
    write_qdc,
)
from pipeline.codebooks.qdc import CODEBOOK_NAMESPACE
from pipeline.config import Codebook, load_codebook
from pipeline.errors import ConfigError, InputError
from pipeline.untrusted import parse_xml, read_member

RECOVERY = ROOT / "models" / "codebooks" / "recovery-capital.yaml"
MINI = ROOT / "tests" / "data" / "codebook-mini.yaml"


def _tree(book: Codebook) -> list[tuple[str, str | None, str]]:
    """(id, parent id, label) of every code, in order."""
    labels = book.labels()
    return [(code_id, parent, labels[code_id]) for code_id, parent in book.parents().items()]


def test_a_maxqda_style_codebook_keeps_names_hierarchy_descriptions_and_colours():
    draft = read_qdc(DATA / "maxqda-style.qdc")
    book = draft.codebook
    assert draft.depth() == 4
    assert _tree(book) == [
        ("support_after_treatment", None, "Support after treatment"),
        ("housing", "support_after_treatment", "Housing"),
        ("supported_housing", "housing", "Supported housing"),
        ("waiting_lists", "supported_housing", "Waiting lists"),
        ("positive", "supported_housing", "Positive"),
        ("dont_know", "housing", "Don't know"),
        ("employment_training", "support_after_treatment", "Employment & training"),
        ("employment_training_positive", "employment_training", "Positive"),
        ("code_2nd_wave_themes", None, "2nd wave themes"),
        ("cafe_culture", "code_2nd_wave_themes", "Café culture"),
        ("lived_experience_peer_workers", "code_2nd_wave_themes",
         "Lived experience (peer) workers"),
    ]
    codes = {code.id: code for code, _ in book.walk()}
    assert codes["support_after_treatment"].definition == (
        "Everything respondents say about support once formal treatment ends.\n"
        "Code the most specific subcode.")
    assert codes["waiting_lists"].colour == "#D62728"
    assert codes["lived_experience_peer_workers"].colour == "#ABC"
    assert draft.needs_definition() == ["dont_know", "code_2nd_wave_themes"]
    assert draft.needs_patterns() == book.code_ids()
    assert any("2 codes are not codable" in note for note in draft.notes)


def test_an_atlasti_style_codebook_with_lower_case_guids_and_sets():
    book = read_qdc(DATA / "atlasti-style.qdc").codebook
    assert book.code_ids() == ["barrier_cost", "barrier_distance", "barrier_cost_2",
                               "facilitator_peer_support"]
    assert book.labels()["barrier_cost_2"] == "barrier: cost!"
    assert [c.colour for c in book.codes] == ["#e6194b", "#3cb44b", "#ffe119", "#4363d8"]


def test_the_codebook_of_an_nvivo_style_project_takes_descriptions_and_memos():
    draft = import_codebook(DATA / "nvivo-style.qdpx")
    book = draft.codebook
    assert book.title == "Recovery interviews 2015"
    assert _tree(book) == [("families", None, "Families"), ("children", "families", "Children"),
                           ("mutual_aid", None, "Mutual aid")]
    codes = {code.id: code for code, _ in book.walk()}
    assert codes["families"].definition == ("Family members and partners as support or strain."
                                            "\n\nIncludes extended family when they act as "
                                            "carers.")
    assert codes["children"].definition == ("Children living at home or in care, and contact "
                                            "with them.")
    assert codes["mutual_aid"].colour is None


@pytest.mark.parametrize("source", [RECOVERY, MINI], ids=["recovery-capital", "mini"])
def test_yaml_to_qdc_to_yaml_reproduces_ids_labels_hierarchy_and_definitions(source, tmp_path):
    original = load_codebook(source)
    qdc = write_qdc(original, tmp_path / "book.qdc")
    assert schema_errors(qdc.read_bytes()) == []
    draft = import_codebook(qdc)
    again = load_codebook(write_codebook_yaml(draft, tmp_path / "again.yaml", "import"))
    assert (again.id, again.version) == (original.id, original.version)
    assert _tree(again) == _tree(original)
    for (before, _), (after, _) in zip(original.walk(), again.walk(), strict=True):
        assert after.definition == before.definition.strip()
        assert after.when_to_use == before.when_to_use.strip()
        assert after.when_not_to_use == before.when_not_to_use.strip()
    assert draft.needs_patterns() == original.code_ids()  # patterns stay in the YAML only


@pytest.mark.parametrize("name", ["maxqda-style.qdc", "atlasti-style.qdc", "nvivo-style.qdpx"])
def test_qdc_to_yaml_to_qdc_validates_and_keeps_names_colours_and_nesting(name, tmp_path):
    first = read_qdc(DATA / name).codebook
    book = load_codebook(write_codebook_yaml(read_qdc(DATA / name), tmp_path / "b.yaml",
                                             "import"))
    xml = codebook_qdc(book)
    assert schema_errors(xml) == []
    root = parse_xml(xml, "written")
    code_tag = f"{{{CODEBOOK_NAMESPACE}}}Code"
    written = [(node.get("name"), node.get("color"),
                node.getparent().get("name") if node.getparent().tag == code_tag else None)
               for node in root.iter(code_tag)]
    labels = first.labels()
    assert written == [(code.label, code.colour, labels.get(parent)) for code, parent
                       in first.walk()]
    # and back again: the same tree
    assert _tree(read_qdc(write_qdc(book, tmp_path / "b.qdc")).codebook) == _tree(first)


def test_written_guids_are_stable_and_colours_optional(tmp_path):
    book = load_codebook(MINI)
    assert codebook_qdc(book) == codebook_qdc(book)
    assert b"color=" not in codebook_qdc(book)


# --------------------------------------------------------------------------- wrong or hostile


def _error(path: Path, kind=InputError) -> str:
    with pytest.raises(kind) as caught:
        import_codebook(path)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    return message


def test_a_codebook_yaml_given_as_a_qdc_is_named_and_pointed_to_export():
    assert "codebook export" in _error(MINI, ConfigError)


def test_a_codebook_yaml_renamed_to_qdc_is_still_recognised(tmp_path):
    renamed = tmp_path / "mini.qdc"
    renamed.write_bytes(MINI.read_bytes())
    assert "already a codebook YAML" in _error(renamed, ConfigError)


def test_malformed_xml_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.qdc"
    path.write_text('<?xml version="1.0"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n'
                    '<Codes><Code guid="x" name="A" isCodable="true"></Codes>\n',
                    encoding="utf-8")
    assert "not well-formed XML (line 3)" in _error(path)


def test_entity_expansion_is_refused_before_parsing(tmp_path):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10))
    path = tmp_path / "laughs.qdc"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE CodeBook [{entities}]>\n'
                    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" '
                    'name="&lol9;" isCodable="true"/></Codes></CodeBook>', encoding="utf-8")
    assert "declares XML entities" in _error(path)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.qdc"
    with path.open("wb") as handle:
        handle.write(b"<CodeBook>")
        handle.truncate(40 * 2**20)  # sparse: large on paper, nothing to read
    assert "MB, more than the 32 MB" in _error(path)


def test_a_zip_that_is_not_a_project_is_named(tmp_path):
    plain = tmp_path / "photos.qdpx"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    assert "no project.qde" in _error(plain)
    not_zip = tmp_path / "project.qdpx"
    not_zip.write_bytes(b"PK\x03\x04 and then nothing a zip needs")
    assert "not a readable zip file" in _error(not_zip)


def test_a_member_that_unpacks_too_large_is_refused_before_unpacking(tmp_path):
    bomb = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", b"<" + b" " * (3 * 2**20))
    assert bomb.stat().st_size < 2**16
    with pytest.raises(InputError, match=r"bomb.qdpx: project.qde unpacks to 3 MB, more than "
                       r"the 2 MB allowed"):
        read_member(bomb, lambda name: name.endswith(".qde"), "project.qde", 2 * 2**20)


def test_xml_without_a_codebook_and_a_code_without_a_name(tmp_path):
    other = tmp_path / "other.qdc"
    other.write_text("<html><body>not a codebook</body></html>", encoding="utf-8")
    assert "no REFI-QDA CodeBook" in _error(other)
    nameless = tmp_path / "nameless.qdc"
    nameless.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="'
                        'AB000000-0000-4000-8000-000000000000" name=" " isCodable="true"/>'
                        '</Codes></CodeBook>', encoding="utf-8")
    assert "ab000000-0000-4000-8000-000000000000' has no name" in _error(nameless)


def test_an_unknown_file_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes", encoding="utf-8")
    assert "not a REFI-QDA codebook" in _error(path)


def test_a_memo_whose_file_is_missing_from_the_project_is_skipped(tmp_path):
    trimmed = tmp_path / "trimmed.qdpx"
    with zipfile.ZipFile(DATA / "nvivo-style.qdpx") as source, \
            zipfile.ZipFile(trimmed, "w") as archive:
        for info in source.infolist():
            if not info.filename.startswith("sources/9999"):
                archive.writestr(info, source.read(info))
    codes = {code.id: code for code, _ in read_qdc(trimmed).codebook.walk()}
    assert codes["children"].definition == ""
    assert codes["families"].definition.endswith("when they act as carers.")
