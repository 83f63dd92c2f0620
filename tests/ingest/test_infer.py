"""Inferring a wave without wave.yaml: ids must be ids, every sheet is a source or refused."""

from __future__ import annotations

import shutil

import pytest

from pipeline import schema as s
from pipeline.config import ConfigError
from pipeline.ingest import ingest_wave


def test_an_id_column_that_repeats_is_refused_naming_the_candidates(tmp_path, data_dir):
    folder = tmp_path / "wave"
    folder.mkdir()
    shutil.copy(data_dir / "exports" / "status-only.csv", folder)
    with pytest.raises(ConfigError) as error:
        ingest_wave(folder)
    message = str(error.value)
    assert message.startswith("status-only.csv: no unique respondent id")
    assert "'status_id' (3 repeated)" in message and "respondent_id" in message
    assert "Waiting times" not in message  # never quotes answers


def test_each_sheet_is_a_source_or_refused_with_a_reason(tmp_path, data_dir):
    folder = tmp_path / "wave"
    folder.mkdir()
    shutil.copy(data_dir / "exports" / "two-waves.xlsx", folder)
    result = ingest_wave(folder)
    assert result.documents[s.DOCUMENT_ID].tolist() == [
        "two-waves.xlsx[2023]#S01#biggest_gap", "two-waves.xlsx[2023]#S02#biggest_gap",
        "two-waves.xlsx[2024]#S01#biggest_gap", "two-waves.xlsx[2024]#S03#biggest_gap"]
    refused = result.rejected.iloc[0]
    assert (refused[s.SOURCE], refused[s.REASON]) == ("two-waves.xlsx[Notes]", "unreadable")
    assert "sheet 'Notes': no free-text column" in refused[s.DETAIL]
    assert result.items_in == len(result.documents) + len(result.rejected) == 5


def test_transcript_folder_with_every_layout_is_read(tmp_path, data_dir):
    folder = tmp_path / "wave"
    shutil.copytree(data_dir / "transcripts", folder)
    result = ingest_wave(folder)
    assert result.rejected.empty
    assert len(result.documents) == len(list((data_dir / "transcripts").iterdir()))
    assert set(result.documents[s.KIND]) == {"interview"}
    notes = "\n".join(result.notes)
    assert "think-aloud.odt: inferred interview (interviewer labels only); interviewer " \
           "['MODERATOR']" in notes
    assert "names-teams.txt: inferred interview (speaker labels); interviewer ['Priya Shah'] " \
           "(asks the most questions)" in notes


def test_a_wave_with_nothing_readable_stops_naming_each_file_and_its_reason(tmp_path):
    folder = tmp_path / "wave"
    folder.mkdir()
    (folder / "services.csv").write_text(
        "service_id,service_type\nS01,Residential rehab\nS02,Community\nS03,Community\n",
        encoding="utf-8")
    (folder / "minutes.pdf").write_bytes(b"%PDF-1.4\n")
    with pytest.raises(ConfigError) as error:
        ingest_wave(folder)
    message = str(error.value)
    assert message.startswith(f"{folder}: no readable survey or transcript files to ingest: ")
    assert "minutes.pdf: unsupported file type '.pdf'" in message
    assert "services.csv: no free-text column found to treat as an open question" in message
    assert "Residential rehab" not in message  # the files' form, never their words


def test_past_five_unreadable_files_the_error_counts_the_rest(tmp_path):
    folder = tmp_path / "wave"
    folder.mkdir()
    for n in range(7):
        (folder / f"scan-{n}.pdf").write_bytes(b"%PDF-1.4\n")
    with pytest.raises(ConfigError) as error:
        ingest_wave(folder)
    message = str(error.value)
    assert message.count("unsupported file type '.pdf'") == 5
    assert message.endswith("; and 2 more")


def test_a_wave_folder_of_no_inputs_says_which_files_are_not_inputs(tmp_path):
    (tmp_path / "README.md").write_text("Fieldwork notes.\n", encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    with pytest.raises(ConfigError) as error:
        ingest_wave(tmp_path)
    assert str(error.value) == (
        f"{tmp_path}: no readable survey or transcript files to ingest (it holds none: hidden "
        "files, wave.yaml, README and gold files are not inputs)")


def test_a_note_on_a_survey_of_many_open_columns_names_twenty_and_counts_the_rest(tmp_path):
    folder = tmp_path / "wave"
    folder.mkdir()
    phrases = ["waiting lists for the detox beds are long", "no supported housing nearby",
               "the counsellor left and was not replaced", "family groups meet monthly",
               "the GP surgery will not register people in hostels"]
    header = ["respondent_id"] + [f"question {n}" for n in range(25)]
    rows = [",".join(header)] + [
        ",".join([f"R{r}"] + [f"{phrases[(r + n) % 5]} ({r}-{n})" for n in range(25)])
        for r in range(6)]
    (folder / "wide.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = ingest_wave(folder)
    assert len(result.documents) == 6 * 25
    note = next(n for n in result.notes if n.startswith("wide.csv: inferred a survey"))
    named = str([f"question {n}" for n in range(20)])
    assert f"; 25 open question(s): {named} and 5 more; attributes: []" in note


@pytest.mark.parametrize("header, row", [
    ("Comments", '"{answer}"'),  # comments pasted into a sheet of their own
    ("Comments,Region", '"{answer}",{region}'),  # the comments first
])
def test_a_first_column_of_answers_is_the_question_not_the_id(tmp_path, header, row):
    answers = ["No supported housing for people leaving detox, so they go back to hostels.",
               "Mental health teams will not see our clients until they are abstinent.",
               "Funding was cut by a fifth when the contract was re-tendered.",
               "The Work Programme referrals stopped in the spring and never came back."]
    folder = tmp_path / "wave"
    folder.mkdir()
    lines = [row.format(answer=a, region=("North", "South")[i % 2])
             for i, a in enumerate(answers)]
    (folder / "comments.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    result = ingest_wave(folder)
    assert result.documents[s.TEXT].tolist() == answers
    assert result.documents[s.QUESTION].unique().tolist() == ["Comments"]
    assert result.documents[s.RESPONDENT_ID].tolist() == ["line-2", "line-3", "line-4", "line-5"]
    assert any("respondents numbered by line" in note for note in result.notes)


def test_a_first_column_of_long_names_beside_answers_stays_the_id(tmp_path):
    folder = tmp_path / "wave"
    folder.mkdir()
    rows = [("Northside Community Drug and Alcohol Service", "No supported housing for people "
             "leaving detox, so they go back to hostels."),
            ("Southbank Recovery and Wellbeing Partnership", "Mental health teams will not see "
             "our clients until they are abstinent."),
            ("Eastgate Residential Rehabilitation Centre", "Funding was cut by a fifth when the "
             "contract was re-tendered.")]
    (folder / "services.csv").write_text(
        "Service,What is missing locally?\n" + "".join(f'"{a}","{b}"\n' for a, b in rows),
        encoding="utf-8")
    result = ingest_wave(folder)
    assert result.documents[s.RESPONDENT_ID].tolist() == [a for a, _ in rows]
    assert result.documents[s.TEXT].tolist() == [b for _, b in rows]


def test_a_file_people_often_have_is_refused_saying_what_to_save_it_as(tmp_path):
    import zipfile

    folder = tmp_path / "wave"
    folder.mkdir()
    (folder / "responses.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    (folder / "notes.xyz").write_text("not an input", encoding="utf-8")
    with zipfile.ZipFile(folder / "interviews.zip", "w") as archive:  # as transcripts arrive
        archive.writestr("CE01.txt", "Interviewer: How is housing?\n\nRespondent: Worse.\n")
    with pytest.raises(ConfigError) as error:
        ingest_wave(folder)
    message = str(error.value)
    assert "interviews.zip: unsupported file type '.zip', unpack it into the wave folder " \
        "(wavecoder does not open archives)" in message
    assert "responses.xls: unsupported file type '.xls', save it from Excel as .xlsx (supported: " \
        ".csv, .tsv, .xlsx, .sav, .zsav, .dta, .txt, .docx, .odt, .vtt, .srt)" in message
    assert "notes.xyz: unsupported file type '.xyz' (supported: " in message


def test_a_question_most_people_skipped_is_still_the_open_question(tmp_path):
    # the NHS Friends and Family Test export writes "Did not answer" for a skipped question:
    # in its first 300 comments 134 times, more often than any answer is written
    answers = ["No supported housing for people leaving detox, so they go back to hostels.",
               "Mental health teams will not see our clients until they are abstinent.",
               "Funding was cut by a fifth when the contract was re-tendered."]
    rows = [(f"C{i}", "Community", a) for i, a in enumerate(answers)]
    rows += [(f"C{i}", "Inpatient", "Did not answer") for i in range(3, 8)] + [("C8", "111", "N/A")]
    folder = tmp_path / "wave"
    folder.mkdir()
    (folder / "fft.csv").write_text("Comment ID,Service,FFT answer\n" + "".join(
        f'{c},{service},"{text}"\n' for c, service, text in rows), encoding="utf-8")
    result = ingest_wave(folder)
    assert result.documents[s.TEXT].tolist() == answers
    assert result.documents[s.RESPONDENT_ID].tolist() == ["C0", "C1", "C2"]
    assert result.rejected[s.REASON].tolist() == ["non-answer"] * 6 and result.items_in == 9


@pytest.mark.parametrize("name, wave", [
    ("Wave 2013 — Café", "Wave-2013-Cafe"), ("sector-survey-2013", "sector-survey-2013"),
    ("wave.2013_", "wave.2013_"), ("..hidden..", "hidden"), ("«»", "wave")])
def test_a_folder_name_gives_a_valid_wave_id_and_says_so(tmp_path, waves_dir, name, wave):
    from pipeline.ingest.infer import folder_wave_id

    assert folder_wave_id(name) == wave
    if name != "Wave 2013 — Café":
        return
    shutil.copytree(waves_dir / "no-manifest", tmp_path / name)
    result = ingest_wave(tmp_path / name)
    assert set(result.documents[s.WAVE]) == {wave}
    assert result.notes[0] == ("no wave.yaml: sources inferred from the files; wave id "
                               "'Wave-2013-Cafe' from the folder's name")
