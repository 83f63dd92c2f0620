"""Ingest: every input row is kept or rejected with a reason; bad files never stop the wave."""

from __future__ import annotations

import shutil

import pytest

from pipeline import schema as s
from pipeline.config import ConfigError
from pipeline.ingest import ingest_wave


def test_rows_in_equal_kept_plus_rejected(waves_dir):
    result = ingest_wave(waves_dir / "mini-wave")
    # 6 survey lines x 2 questions + 1 interview file
    assert result.items_in == 13
    assert result.items_in == len(result.documents) + len(result.rejected) == 8 + 5
    reasons = result.rejected.groupby(s.REASON).size().to_dict()
    assert reasons == {"duplicate": 2, "empty": 1, "non-answer": 2}


def test_documents_carry_question_wording_attributes_and_source_line(waves_dir):
    docs = ingest_wave(waves_dir / "mini-wave").documents.set_index(s.DOCUMENT_ID)
    row = docs.loc["survey.csv#S001#q2_local_gaps"]
    assert row[s.TEXT] == "ETE support is not available locally."
    assert row[s.QUESTION] == "What support is missing or hard to access locally?"
    assert row[s.KIND] == "survey" and row[s.LINE] == 2
    assert row["region"] == "North West" and row["service_type"] == "community"
    interview = docs.loc["interviews/CE01.txt#CE01#interview"]
    assert interview[s.KIND] == "interview" and interview["organisation"] == "third sector"
    assert interview[s.TEXT].startswith("Q: How have things changed")


def test_non_answers_duplicates_and_blank_ids_are_explained(waves_dir):
    result = ingest_wave(waves_dir / "mini-wave")
    rejected = result.rejected.set_index([s.RESPONDENT_ID, s.QUESTION_ID])
    assert rejected.loc[("S003", "q1_needs_met"), s.DETAIL] == "'N/A'"
    assert "see above" in rejected.loc[("S003", "q2_local_gaps"), s.DETAIL]
    duplicate = rejected.loc[("S002", "q1_needs_met")]
    assert duplicate[s.REASON] == "duplicate" and duplicate[s.LINE] == 7
    assert "line 3" in duplicate[s.DETAIL]
    # A blank id keeps the answer under a line-based id and says so.
    assert "survey.csv line 8: no respondent id; using 'line-8'" in result.notes
    assert (result.documents[s.RESPONDENT_ID] == "line-8").sum() == 2


def test_answer_with_line_break_keeps_its_physical_line_number(waves_dir):
    docs = ingest_wave(waves_dir / "mini-wave").documents.set_index(s.DOCUMENT_ID)
    assert docs.loc["survey.csv#S004#q1_needs_met", s.TEXT] == (
        "We work well with families.\nParents are involved from the first assessment.")
    assert docs.loc["survey.csv#line-8#q1_needs_met", s.LINE] == 8


def test_folder_without_manifest_is_inferred_and_says_so(waves_dir):
    result = ingest_wave(waves_dir / "no-manifest")
    assert result.inferred and result.manifest.id == "no-manifest"
    assert set(result.documents[s.QUESTION_ID]) == {"needs_met", "local_gaps", "interview"}
    assert {"region", "service_type"} <= set(result.documents.columns)
    assert any("id column 'service_id'" in note for note in result.notes)
    assert any("ce01.txt: inferred interview" in note for note in result.notes)
    assert result.items_in == len(result.documents) + len(result.rejected)


def test_broken_file_and_malformed_row_become_rejected_rows(waves_dir):
    result = ingest_wave(waves_dir / "broken-file")
    rejected = result.rejected
    binary = rejected[rejected[s.SOURCE] == "interviews/CE02.txt"]
    assert binary[s.REASON].tolist() == ["unreadable"]
    assert "NUL bytes" in binary[s.DETAIL].iloc[0]
    malformed = rejected[rejected[s.REASON] == "malformed"]
    assert malformed[s.LINE].unique().tolist() == [9]
    assert malformed[s.DETAIL].str.contains("survey.csv line 9").all()
    # The rest of the wave is read as before.
    assert len(result.documents) == 8
    assert result.items_in == len(result.documents) + len(rejected)


def test_windows_1252_transcript_is_decoded(tmp_path, waves_dir):
    folder = tmp_path / "cp1252-wave"
    folder.mkdir()
    text = ("Q: How is housing?\n\n"
            "A: There\u2019s no \u201cdry house\u201d \u2013 it costs \u00a3400.\n")
    (folder / "ce09.txt").write_bytes(text.encode("cp1252"))
    docs = ingest_wave(folder).documents
    assert docs[s.TEXT].iloc[0] == text


def test_missing_source_file_is_a_rejected_row_naming_the_field(tmp_path, waves_dir):
    folder = tmp_path / "missing"
    shutil.copytree(waves_dir / "mini-wave", folder)
    (folder / "survey.csv").unlink()
    result = ingest_wave(folder)
    row = result.rejected[result.rejected[s.SOURCE] == "survey.csv"].iloc[0]
    assert row[s.REASON] == "unreadable"
    assert "sources[0].file" in row[s.DETAIL]
    assert len(result.documents) == 1  # the interview is still read


def test_invalid_manifest_names_file_and_field(tmp_path, waves_dir):
    folder = tmp_path / "bad"
    shutil.copytree(waves_dir / "mini-wave", folder)
    manifest = folder / "wave.yaml"
    manifest.write_text(manifest.read_text().replace("    respondent_id: service_id\n", ""))
    with pytest.raises(ConfigError) as err:
        ingest_wave(folder)
    assert "wave.yaml" in str(err.value) and "sources[0].respondent_id" in str(err.value)


def test_an_answer_quoting_someone_after_the_first_8_kb_stays_one_row(tmp_path):
    from pipeline.ingest import ingest_wave

    rows = ["id,answer"] + [f"R{i:03d},The hostel is fine and my keyworker rings weekly ({i})."
                           for i in range(150)]
    rows.append('R999,"The GP said ""come back in a month"", then nothing, so I went without."')
    rows.append("R1000,Housing support is missing locally.")
    folder = tmp_path / "quoted"
    folder.mkdir()
    (folder / "answers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert len("\n".join(rows[:150])) > 8192  # the quote lies beyond the sniffed sample
    ingested = ingest_wave(folder)
    assert ingested.rejected.empty, ingested.rejected["detail"].tolist()
    answers = ingested.documents.set_index("respondent_id")["text"]
    assert answers["R999"] == ('The GP said "come back in a month", then nothing, so I went '
                               "without.")
    assert len(ingested.documents) == 152


def test_each_source_read_is_reported_with_its_counts_and_no_answers(waves_dir):
    lines: list[str] = []
    result = ingest_wave(waves_dir / "mini-wave", progress=lines.append)
    counts = [line.rsplit(", ", 1)[0] for line in lines]  # the seconds vary
    assert counts == ["ingest: source 1/2 read, 12 items in, 7 documents, 5 rejected",
                      "ingest: source 2/2 read, 1 items in, 1 documents, 0 rejected"]
    assert all(line.endswith(" s") for line in lines)
    assert not any(text in line for text in result.documents[s.TEXT] for line in lines)


def test_past_twenty_sources_each_line_counts_the_sources_since_the_one_before(waves_dir,
                                                                               tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    transcript = (waves_dir / "mini-wave/interviews/CE01.txt").read_text(encoding="utf-8")
    for number in range(1, 31):
        (folder / f"CE{number:02d}.txt").write_text(transcript, encoding="utf-8")
    lines: list[str] = []
    result = ingest_wave(folder, progress=lines.append)
    counts = [line.rsplit(", ", 1)[0] for line in lines]  # a line per 3 sources: 10 lines
    assert counts == [f"ingest: sources {last - 2}-{last}/30 read, 3 items in, 3 documents, "
                      "0 rejected" for last in range(3, 31, 3)]
    assert sum(int(line.split(" read, ")[1].split(" ")[0]) for line in lines) == (
        result.items_in)


def test_files_wave_yaml_does_not_list_are_named_and_a_gold_file_is_not_one(tmp_path, waves_dir):
    folder = tmp_path / "wave"
    shutil.copytree(waves_dir / "mini-wave", folder)
    (folder / "gold.csv").write_text("segment_id,text,code_id\n", encoding="utf-8")
    (folder / "gold.provenance.yaml").write_text("real: true\n", encoding="utf-8")
    shutil.copy(folder / "survey.csv", folder / "survey-late.csv")
    result = ingest_wave(folder)
    assert "not listed in wave.yaml, not read: ['survey-late.csv']" in result.notes
