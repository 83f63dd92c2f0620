"""Speaker turns: labelled forms and unlabelled Q&A, with offsets into the transcript."""

from __future__ import annotations

from pipeline.turns import parse_turns, transcript_form

INTERVIEWER = ["Q", "INT", "Interviewer", "I", "Int"]


def said(text, turns):
    return [(t.role, t.speaker, text[t.start:t.end]) for t in turns]


def test_q_a_labels():
    text = "Q: How is housing?\nA: Poor. There is no\ndry house here.\n"
    assert said(text, parse_turns(text, INTERVIEWER)) == [
        ("interviewer", "Q", "How is housing?"),
        ("respondent", "A", "Poor. There is no\ndry house here."),
    ]


def test_named_speakers_and_preamble():
    text = ("Telephone interview, 12 June 2013\n\nInterviewer: What changed?\n"
            "Jane Smith: Funding was cut.\nInterviewer: By how much?\nJane Smith: A fifth.\n")
    turns = parse_turns(text, INTERVIEWER)
    assert said(text, turns) == [
        ("preamble", "", "Telephone interview, 12 June 2013"),
        ("interviewer", "Interviewer", "What changed?"),
        ("respondent", "Jane Smith", "Funding was cut."),
        ("interviewer", "Interviewer", "By how much?"),
        ("respondent", "Jane Smith", "A fifth."),
    ]
    assert transcript_form(text, INTERVIEWER) == "labelled"


def test_int_r1_labels_without_colons():
    text = "INT  How do you work with the PCC?\nR1   Quite well, we meet monthly.\n"
    assert said(text, parse_turns(text, INTERVIEWER)) == [
        ("interviewer", "INT", "How do you work with the PCC?"),
        ("respondent", "R1", "Quite well, we meet monthly."),
    ]


def test_unlabelled_questions_are_short_paragraphs_ending_in_question_mark():
    text = ("How are mental health needs met?\n\nBadly. Thresholds went up.\n\n"
            "We now wait twelve weeks.\n\nAnd housing?\n\nThere is none.")
    assert transcript_form(text, INTERVIEWER) == "questions"
    assert said(text, parse_turns(text, INTERVIEWER)) == [
        ("interviewer", "interviewer", "How are mental health needs met?"),
        ("respondent", "respondent", "Badly. Thresholds went up.\n\nWe now wait twelve weeks."),
        ("interviewer", "interviewer", "And housing?"),
        ("respondent", "respondent", "There is none."),
    ]


def test_a_colon_inside_an_answer_is_not_a_speaker():
    text = "Q: What is missing?\nA: Three things: housing, jobs and detox beds.\n"
    turns = parse_turns(text, INTERVIEWER)
    assert len(turns) == 2
    assert text[turns[1].start:turns[1].end] == "Three things: housing, jobs and detox beds."


def test_unlabelled_title_before_the_first_question_is_a_preamble():
    text = "Interview with the chief executive\n\nWhat changed?\n\nFunding was cut."
    assert said(text, parse_turns(text, INTERVIEWER)) == [
        ("preamble", "", "Interview with the chief executive"),
        ("interviewer", "interviewer", "What changed?"),
        ("respondent", "respondent", "Funding was cut."),
    ]


def test_a_redacted_speaker_label_is_still_a_speaker():
    text = ("Interviewer: What changed?\n[PERSON_1]: [PERSON_2] kept turning up.\n"
            "Interviewer: Anyone else?\n[PERSON_1]: No.\n")
    assert said(text, parse_turns(text, INTERVIEWER)) == [
        ("interviewer", "Interviewer", "What changed?"),
        ("respondent", "[PERSON_1]", "[PERSON_2] kept turning up."),
        ("interviewer", "Interviewer", "Anyone else?"),
        ("respondent", "[PERSON_1]", "No."),
    ]
