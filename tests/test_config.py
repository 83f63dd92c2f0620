"""Config: codebooks and wave manifests validated at the edge, errors naming file and field."""

from __future__ import annotations

import pytest

from pipeline.config import ConfigError, load_codebook, load_wave_manifest


def test_codebook_hierarchy_and_hash(mini_codebook, data_dir):
    assert mini_codebook.code_ids() == [
        "housing", "housing_gap", "employment_training", "mental_health",
        "mental_health_threshold"]
    assert mini_codebook.parents()["housing_gap"] == "housing"
    assert mini_codebook.ancestors("mental_health_threshold") == ["mental_health"]
    assert len(mini_codebook.sha256) == 64
    bare, weighted = mini_codebook.codes[0].patterns[:2], mini_codebook.codes[0].patterns[2]
    assert [p.phrase for p in bare] == ["housing", "accommodation"]
    assert (weighted.phrase, weighted.confidence) == ("dry house", 0.9)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_codebook_error_names_file_code_and_field(tmp_path):
    path = write(tmp_path, "book.yaml", """
id: book
version: "1"
codes:
  - id: housing
    label: Housing
    definition: Somewhere to live.
    patterns:
      - {phrase: housing, confidence: 2}
""")
    with pytest.raises(ConfigError) as err:
        load_codebook(path)
    message = str(err.value)
    assert str(path) in message
    assert "codes[0] (id 'housing').patterns[0].confidence" in message


def test_codebook_rejects_repeated_ids_and_bad_ids(tmp_path):
    path = write(tmp_path, "book.yaml", """
id: book
version: "1"
codes:
  - {id: housing, label: H, definition: d, children: [{id: housing, label: H2, definition: d}]}
  - {id: Bad-Id, label: B, definition: d}
""")
    with pytest.raises(ConfigError) as err:
        load_codebook(path)
    assert "codes[1] (id 'Bad-Id').id" in str(err.value)


def test_pattern_needs_phrase_or_tokens(tmp_path):
    path = write(tmp_path, "book.yaml", """
id: book
version: "1"
codes:
  - {id: housing, label: H, definition: d, patterns: [{id: empty, confidence: 0.5}]}
""")
    with pytest.raises(ConfigError, match="exactly one of 'phrase' or 'tokens'"):
        load_codebook(path)


def test_manifest_dispatches_sources_by_kind(waves_dir):
    manifest = load_wave_manifest(waves_dir / "mini-wave" / "wave.yaml")
    survey, interviews = manifest.sources
    assert survey.kind == "survey" and [q.id for q in survey.questions] == [
        "q1_needs_met", "q2_local_gaps"]
    assert interviews.kind == "interview" and interviews.file == "interviews/*.txt"
    assert str(manifest.fieldwork.start) == "2013-05-01"


def test_manifest_error_on_unknown_field_names_the_source(tmp_path):
    path = write(tmp_path, "wave.yaml", """
id: w1
sources:
  - {kind: interview, file: a.txt, speakers: {interviewer: [Q]}, respondent: CE01}
""")
    with pytest.raises(ConfigError) as err:
        load_wave_manifest(path)
    assert "sources[0].respondent" in str(err.value) and "Extra inputs" in str(err.value)


def test_two_questions_reading_one_column_are_refused_naming_it(tmp_path):
    path = write(tmp_path, "wave.yaml", """
id: w1
sources:
  - kind: survey
    file: s.csv
    respondent_id: id
    questions:
      - {id: q1_gaps, column: gaps}
      - {id: q2_gaps_again, column: " gaps"}
""")
    with pytest.raises(ConfigError) as err:
        load_wave_manifest(path)
    assert "wave.yaml" in str(err.value) and "sources[0].questions" in str(err.value)
    assert "question columns repeated: gaps (each question reads its own column)" in str(
        err.value)


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "wave.yaml", "id: w1\nsources:\n  - {kind: survey, file: [\n")
    with pytest.raises(ConfigError, match=r"wave.yaml: line \d+ is not valid YAML"):
        load_wave_manifest(path)


def test_default_codebook_is_found_from_any_folder(tmp_path, monkeypatch):
    from pipeline.config import DEFAULT_CODEBOOK

    monkeypatch.chdir(tmp_path)
    book = load_codebook(DEFAULT_CODEBOOK)
    assert book.id == "recovery-capital"
    assert book.stance_cues and book.stance_cues.endswith("models/stance/cues.yaml")


def test_bad_token_pattern_names_file_code_pattern_and_key(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text("id: b\nversion: '1'\ncodes:\n  - id: housing\n    label: Housing\n"
                    "    definition: d\n    patterns:\n      - {tokens: [{LOWRE: house}]}\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_codebook(path)
    assert str(error.value) == (
        f"{path}: invalid Codebook token pattern:\n  code 'housing' patterns[0].tokens: "
        "[pattern -> 0 -> LOWRE] Extra inputs are not permitted")


def test_stance_cues_must_exist(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text("id: b\nversion: '1'\nstance_cues: missing.yaml\ncodes:\n  - id: housing\n"
                    "    label: Housing\n    definition: d\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="stance_cues: file not found: missing.yaml"):
        load_codebook(path)


def test_survey_header_rows_and_speaker_roles_are_validated(tmp_path):
    path = tmp_path / "wave.yaml"
    path.write_text("id: w\nsources:\n  - {file: s.csv, respondent_id: id, header_rows: 0,\n"
                    "     questions: [{id: q, column: a}]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sources\[0\]\.header_rows"):
        load_wave_manifest(path)
    path.write_text("id: w\nsources:\n  - {kind: interview, file: '*.txt',\n"
                    "     speakers: {interviewer: [Moderator], other: [Note]}}\n",
                    encoding="utf-8")
    speakers = load_wave_manifest(path).sources[0].speakers
    assert (speakers.interviewer, speakers.respondent, speakers.other) == (
        ["Moderator"], [], ["Note"])


BOOK = """id: book
version: "1"
codes:
  - id: cafe
    label: Café
    definition: The hospital café and what it sells.
    patterns:
      - {phrase: café}
"""


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be"])
def test_a_codebook_saved_with_a_bom_reads_as_utf8(tmp_path, encoding):
    path = tmp_path / "book.yaml"
    data = BOOK.encode(encoding)
    path.write_bytes(data if encoding != "utf-16-be" else b"\xfe\xff" + data)
    book = load_codebook(path)
    assert book.codes[0].label == "Café" and book.codes[0].patterns[0].phrase == "café"


def test_a_manifest_or_codebook_in_another_encoding_names_the_file_and_line(tmp_path):
    manifest, book = tmp_path / "wave.yaml", tmp_path / "book.yaml"
    manifest.write_bytes("wave: w1\n# Café survey\nsources: []\n".encode("cp1252"))
    book.write_bytes(BOOK.encode("cp1252"))  # Windows' "ANSI", as old Notepad saved it
    with pytest.raises(ConfigError, match=r"wave.yaml: line 2 is not UTF-8 text \(byte 14\); "
                                          r"save the file as UTF-8"):
        load_wave_manifest(manifest)
    with pytest.raises(ConfigError, match=r"book.yaml: line 5 is not UTF-8 text"):
        load_codebook(book)
