"""Redaction of a wave's documents: recall on a seeded corpus, stable placeholders, no leaks."""

from __future__ import annotations

import logging
import re

import pandas as pd
import pytest

from benchmarks.redaction_corpus import (
    DISTRACTOR,
    KINDS,
    PERSON,
    documents_frame,
    generate,
    leaked,
    score,
)
from pipeline import schema as s
from pipeline.errors import ConfigError, InputError
from pipeline.redact import RedactConfig, find_identifiers, redact_documents

PLACEHOLDER = re.compile(r"\[(PERSON|EMAIL|PHONE|POSTCODE|NHS_NUMBER|ADDRESS)_\d+\]")


@pytest.fixture(scope="session")
def corpus():
    """300 seeded answers (a seed not used while tuning), redacted once for the session."""
    answers = generate(300, seed=11)
    documents = documents_frame(answers, wave="w11")
    return answers, documents, redact_documents(documents, wave="w11")


@pytest.fixture(scope="session")
def fixture_answers(data_dir) -> pd.DataFrame:
    return pd.read_csv(data_dir / "redact" / "answers.csv", dtype={"line": "int64"})


@pytest.fixture(scope="session")
def fixture_redacted(fixture_answers):
    documents = fixture_answers.assign(wave="fx", kind="survey", question_id="q1", question="Q")
    return redact_documents(documents, wave="fx", columns=["notes"])


def test_recall_per_identifier_type_is_at_least_095(corpus):
    answers, _, _ = corpus
    findings = find_identifiers([a.text for a in answers])
    result = score(answers, [[(f.start, f.end) for f in found] for found in findings])
    assert all(result["planted"][kind] >= 30 for kind in KINDS), result["planted"]
    assert {k: r for k, r in result["recall"].items() if r < 0.95} == {}
    assert result["precision"] >= 0.95
    kept = result["kept_by_group"]
    # services on the keep list, places, dates, money and sentence starters all survive;
    # local services the keep list does not know are measured by the benchmark, not held here
    assert min(kept[g] for g in ("service", "place", "date", "money")) == 1.0, kept
    assert kept["starter"] >= 0.95, kept


def test_no_planted_identifier_is_left_in_the_redacted_text(corpus):
    answers, documents, redacted = corpus
    leaks = leaked(answers, list(redacted.documents[s.TEXT]))
    # emails, phones, postcodes, NHS numbers and addresses: none left; names: recall above
    assert [kind for _, kind in leaks if kind != PERSON] == []
    names = sum(1 for a in answers for p in a.planted if p.kind == PERSON)
    assert len(leaks) <= 0.03 * names
    assert len(redacted.documents) == len(documents)
    assert list(redacted.documents.columns) == list(documents.columns)


def test_every_identifier_of_the_written_fixture_is_replaced(fixture_answers, fixture_redacted):
    text = "\n".join(fixture_redacted.documents[s.TEXT])
    for raw in ["Chidi", "Okafor", "Patel", "07700 900123", "gary.mensah@hotmail.co.uk",
                "27 Albert Road", "LS6 2AB", "943 476 5919", "9434765919", "Agnieszka",
                "7700 900123", "0161 496 0000"]:
        assert raw not in text, raw
    # the notes column was asked for, so it is redacted too; other columns are untouched.
    # "Agnieszka" opens a sentence in d5's text, where one capitalised word says too little;
    # the note names her after a cue ("worker Agnieszka"), and a name found anywhere in the
    # wave is replaced everywhere in it.
    notes = list(fixture_redacted.documents["notes"].fillna(""))
    assert "Chidi" not in notes[0] and "Albert Road" not in notes[2]
    assert notes[4].startswith("new worker [PERSON_") and notes[4].endswith("since May")
    assert list(fixture_redacted.documents["respondent_id"]) == list(
        fixture_answers["respondent_id"])


def test_distractors_are_kept(fixture_redacted):
    text = "\n".join(fixture_redacted.documents[s.TEXT])
    for kept in ["Turning Point", "every Monday", "Dr [PERSON_", "PIP form", "Leeds",
                 "Jobcentre Plus in Manchester", "March 2024", "Honestly the £85.60 a week",
                 "NHS number", "the pharmacy"]:
        assert kept in text, kept


def test_the_same_original_gets_the_same_placeholder_across_documents(fixture_redacted):
    texts = list(fixture_redacted.documents[s.TEXT])
    mapping = fixture_redacted.mapping
    chidi = mapping.loc[mapping[s.ORIGINAL] == "Chidi Okafor", s.PLACEHOLDER].item()
    assert chidi in texts[0] and chidi in texts[1]
    # two spellings of one phone number and one NHS number share a placeholder
    phone = mapping.loc[mapping[s.ORIGINAL] == "07700 900123", s.PLACEHOLDER].item()
    assert mapping.loc[mapping[s.ORIGINAL] == "+44 7700 900123", s.PLACEHOLDER].item() == phone
    assert phone in texts[1] and phone in texts[4]
    assert set(mapping.loc[mapping[s.ENTITY_TYPE] == "NHS_NUMBER", s.PLACEHOLDER]) == {
        "[NHS_NUMBER_1]"}
    assert texts[3].count("[NHS_NUMBER_1]") == 2
    # numbered per type in order of first appearance
    assert PLACEHOLDER.findall(texts[0]) == ["PERSON", "PERSON"]
    assert texts[0].index("[PERSON_1]") < texts[0].index("[PERSON_2]")
    assert list(mapping.columns) == s.REDACTION_MAPPING.names
    assert set(mapping[s.WAVE]) == {"fx"}


def test_a_rerun_gives_the_same_documents_and_mapping(fixture_answers, fixture_redacted):
    documents = fixture_answers.assign(wave="fx", kind="survey", question_id="q1", question="Q")
    again = redact_documents(documents, wave="fx", columns=["notes"])
    pd.testing.assert_frame_equal(again.documents, fixture_redacted.documents)
    pd.testing.assert_frame_equal(again.mapping, fixture_redacted.mapping)
    assert again.counts == fixture_redacted.counts


def test_the_previous_mapping_keeps_placeholders_when_documents_are_added(
        fixture_answers, fixture_redacted):
    documents = fixture_answers.assign(wave="fx", kind="survey", question_id="q1", question="Q")
    added = pd.concat([documents.iloc[[5]].assign(
        document_id="d0", text="Ask for Dr Okonkwo, she knows Chidi Okafor too."),
        documents], ignore_index=True)
    rerun = redact_documents(added, wave="fx", columns=["notes"],
                             previous=fixture_redacted.mapping)
    old = fixture_redacted.mapping.set_index(s.ORIGINAL)[s.PLACEHOLDER]
    new = rerun.mapping.set_index(s.ORIGINAL)[s.PLACEHOLDER]
    assert (new[old.index] == old).all()
    okonkwo = new["Okonkwo"]
    assert int(okonkwo.strip("[]").split("_")[1]) > max(
        int(p.strip("[]").split("_")[1]) for p in old if p.startswith("[PERSON"))
    assert rerun.documents[s.TEXT].iloc[0] == (
        f"Ask for Dr {okonkwo}, she knows {old['Chidi Okafor']} too.")


def test_an_nhs_number_needs_its_check_digit(fixture_redacted):
    texts = list(fixture_redacted.documents[s.TEXT])
    # 943 476 5910 fails the modulus-11 check and has no leading 0: neither NHS nor phone
    assert "943 476 5910" in texts[5]
    assert "Office is [PHONE_" in texts[5]
    assert "[NHS_NUMBER" not in texts[5]


def test_words_of_answers_stay_out_of_logs(caplog, fixture_answers):
    documents = fixture_answers.assign(wave="fx", kind="survey", question_id="q1", question="Q")
    with caplog.at_level(logging.DEBUG):
        redact_documents(documents, wave="fx-logs")
    for raw in ["Chidi", "07700 900123", "gary.mensah", "Albert Road", "943 476 5919"]:
        assert raw not in caplog.text


def test_missing_columns_and_bad_settings_are_config_errors(fixture_answers):
    with pytest.raises(ConfigError, match=r"no column\(s\) \['comments'\]"):
        redact_documents(fixture_answers, wave="fx", columns=["comments"])
    with pytest.raises(ConfigError, match="threshold"):
        RedactConfig(threshold=2.0)
    with pytest.raises(ConfigError, match="names"):
        RedactConfig(names="transformers")


def test_empty_and_missing_texts_pass_through():
    documents = pd.DataFrame({s.DOCUMENT_ID: ["a", "b", "c"], s.TEXT: ["", None, "Fine, thanks."]})
    redacted = redact_documents(documents, wave="w")
    assert list(redacted.documents[s.TEXT].fillna("<na>")) == ["", "<na>", "Fine, thanks."]
    assert redacted.mapping.empty and list(redacted.mapping.columns) == s.REDACTION_MAPPING.names


def test_the_corpus_distractors_are_never_planted_identifiers():
    # the generator's own contract: distractor spans and planted spans never overlap
    for answer in generate(200, seed=3):
        assert all(a.text[p.start:p.end] == p.value for a in [answer]
                   for p in (*answer.planted, *answer.distractors))
        assert all(d.kind.startswith(DISTRACTOR) for d in answer.distractors)
        assert all(p.end <= d.start or p.start >= d.end
                   for p in answer.planted for d in answer.distractors)


def test_a_redacted_wave_segments_with_valid_offsets_and_named_speakers(data_dir):
    from pipeline.ingest import ingest_wave
    from pipeline.segment import segment_documents

    ingested = ingest_wave(data_dir / "redact" / "wave", "rw")
    redacted = redact_documents(ingested.documents, wave="rw")
    segments = segment_documents(redacted.documents)
    texts = redacted.documents.set_index(s.DOCUMENT_ID)[s.TEXT]
    assert len(segments) > 8
    for row in segments.itertuples():
        assert texts[row.document_id][row.start:row.end] == row.text
    everything = "\n".join([*texts, *segments[s.TEXT], *segments[s.SPEAKER].fillna("")])
    for raw in ["Chidi", "Okafor", "Patel", "Okonkwo", "Gary", "Mensah", "Agnieszka", "Nowak",
                "07700", "27 Albert Road", "LS6 2AB", "943 476 5919", "outlook.com"]:
        assert raw not in everything, raw
    for kept in ["Turning Point", "Jobcentre Plus", "Leeds", "every Tuesday", "Albert Road"]:
        assert kept in everything, kept
    # the named speaker of the transcript is now a placeholder, and still the respondent
    in_r07 = segments[segments[s.DOCUMENT_ID].str.contains("R07")]
    speakers = set(in_r07.loc[in_r07[s.ROLE] == "respondent", s.SPEAKER])
    assert len(speakers) == 1 and PLACEHOLDER.fullmatch(speakers.pop())
    assert set(in_r07.loc[in_r07[s.ROLE] == "interviewer", s.SPEAKER]) == {"Interviewer"}
    # the same person in the survey and the transcript has one placeholder
    chidi = redacted.mapping.loc[redacted.mapping[s.ORIGINAL] == "Chidi Okafor", s.PLACEHOLDER]
    assert sum(chidi.item() in t for t in texts) == 3


def test_a_previous_mapping_of_another_wave_or_with_bad_rows_is_refused(fixture_redacted):
    documents = pd.DataFrame({s.DOCUMENT_ID: ["a"], s.TEXT: ["Fine, thanks."]})
    with pytest.raises(InputError, match=r"for wave\(s\) \['fx'\], not 'other'"):
        redact_documents(documents, wave="other", previous=fixture_redacted.mapping)
    bad = fixture_redacted.mapping.copy()
    bad.loc[0, s.ENTITY_TYPE] = "EMAIL" if bad.loc[0, s.ENTITY_TYPE] != "EMAIL" else "PHONE"
    with pytest.raises(InputError, match="previous mapping row 1: placeholder and entity"):
        redact_documents(documents, wave="fx", previous=bad)
