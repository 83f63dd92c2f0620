"""Speaker turns: every fixture layout, roles, the inferred interviewer, every character."""

from __future__ import annotations

import re

import pytest

from pipeline.turns import (
    is_guide_prompt,
    is_question,
    parse_transcript,
    parse_turns,
    transcript_form,
)

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
        ("other", "", "Telephone interview, 12 June 2013"),
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


def test_unlabelled_title_before_the_first_question_is_front_matter():
    text = "Interview with the chief executive\n\nWhat changed?\n\nFunding was cut."
    assert said(text, parse_turns(text, INTERVIEWER)) == [
        ("other", "", "Interview with the chief executive"),
        ("interviewer", "interviewer", "What changed?"),
        ("respondent", "respondent", "Funding was cut."),
    ]


# ------------------------------------------------------------------ the fixture layouts
# file -> (form, interviewer speakers, respondent speakers, interviewer turns, other turns)
LAYOUTS = {
    "numbered-labels.txt": ("labelled", {"Interviewer 1", "Interviewer1", "interviewer"},
                            {"Interviewee1", "Interviewee"}, 4, 0),
    "think-aloud.txt": ("interviewer-only", {"MODERATOR", ""}, {""}, 5, 1),
    "timestamps.txt": ("labelled", {"Speaker 1"}, {"Speaker 2"}, 3, 1),
    "names-teams.txt": ("labelled", {"Priya Shah"}, {"Tom Reid"}, 2, 0),
    "bracketed.txt": ("labelled", {"Facilitator"}, {"Participant 2", "Participant 5"}, 2, 0),
    "bare-labels.txt": ("labelled", {"Q"}, {"A"}, 3, 0),
    "published-qa.txt": ("questions", {"interviewer"}, {"respondent"}, 3, 2),
    "teams.vtt": ("labelled", {"Helen Ward"}, {"Sam Okafor"}, 2, 0),
    "zoom.srt": ("labelled", {"Interviewer"}, {"Respondent"}, 2, 0),
    "table-transcript.docx": ("labelled", {"Interviewer"}, {"Respondent"}, 2, 1),
    "think-aloud.odt": ("interviewer-only", {"MODERATOR", ""}, {""}, 3, 1),
}


def fixture_text(data_dir, name):
    from pipeline.ingest.transcripts import transcript_text

    return transcript_text(data_dir / "transcripts" / name)[0]


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_layout_tells_speakers_apart(data_dir, name):
    form, interviewers, respondents, asked, other = LAYOUTS[name]
    text = fixture_text(data_dir, name)
    transcript = parse_transcript(text)
    assert transcript.form == form
    by_role = {role: {t.speaker for t in transcript.turns if t.role == role}
               for role in ("interviewer", "respondent", "other")}
    assert by_role["interviewer"] == interviewers
    assert by_role["respondent"] == respondents
    assert sum(t.role == "interviewer" for t in transcript.turns) == asked
    assert sum(t.role == "other" for t in transcript.turns) == other
    # No turn starts with a label, and no label is left inside what was said.
    for turn in transcript.turns:
        said = text[turn.start:turn.end]
        assert not re.match(r"(Interviewe[er]\s*\d*\s*:|Speaker \d:|\[|\d\d:\d\d)", said,
                            re.IGNORECASE), said


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_character_is_accounted_for(data_dir, name):
    text = fixture_text(data_dir, name)
    chars = parse_transcript(text).accounting()
    assert chars["dropped"] == 0
    assert (chars["respondent"] + chars["interviewer"] + chars["other"] + chars["labels"]
            + chars["layout"]) == chars["length"] == len(text)
    assert chars["respondent"] > 0 and chars["interviewer"] > 0


def test_interviewer_is_inferred_with_evidence(data_dir):
    by_name = parse_transcript(fixture_text(data_dir, "numbered-labels.txt")).evidence
    assert by_name["how"] == "label names the role"
    by_questions = parse_transcript(fixture_text(data_dir, "names-teams.txt")).evidence
    assert by_questions["interviewer"] == ["Priya Shah"]
    assert by_questions["how"] == "asks the most questions"
    assert by_questions["questions_asked"] == {"Priya Shah": 2, "Tom Reid": 0}


def test_wave_yaml_labels_decide_the_interviewer_in_any_case():
    text = "Anna: How do you refer people?\nBen: By phone.\nanna: And then?\nben: We wait.\n"
    transcript = parse_transcript(text, ["ANNA"])
    assert [(t.role, t.speaker) for t in transcript.turns] == [
        ("interviewer", "Anna"), ("respondent", "Ben"), ("interviewer", "anna"),
        ("respondent", "ben")]
    assert transcript.evidence["how"] == "named in wave.yaml"
    swapped = parse_transcript(text, respondent_labels=["Anna"]).turns
    assert swapped[0].role == "respondent" and swapped[1].role == "interviewer"


def test_a_sentence_starting_with_a_is_not_speaker_a():
    text = ("MODERATOR: Try the search box.\nA little bit slow, but it works.\n"
            "A lot of results come up.\n")
    turns = parse_transcript(text).turns
    assert [(t.role, t.speaker) for t in turns] == [("interviewer", "MODERATOR"),
                                                    ("respondent", "")]
    assert text[turns[1].start:turns[1].end].startswith("A little bit slow")


def test_continuation_lines_belong_to_the_previous_speaker():
    text = "Interviewer: What changed?\nRespondent: The funding.\nAnd the staff.\n"
    turns = parse_transcript(text).turns
    assert text[turns[1].start:turns[1].end] == "The funding.\nAnd the staff."


def test_multi_sentence_questions_are_questions():
    assert is_question("The contract starts in April. Does it worry you? Be frank.")
    assert is_question("What would you change first?")
    assert not is_question("Was it worth it? Absolutely. We saw people recover.",
                           after_question=True)
    assert not is_question("We wait. Then we wait more. Nobody calls.")


def test_text_before_the_first_question_is_kept(data_dir):
    text = fixture_text(data_dir, "published-qa.txt")
    turns = parse_transcript(text).turns
    assert [t.role for t in turns[:4]] == ["other", "other", "respondent", "interviewer"]
    assert text[turns[2].start:turns[2].end].startswith("Our service took over")


def test_a_redacted_speaker_label_is_still_a_speaker():
    text = ("Interviewer: What changed?\n[PERSON_1]: [PERSON_2] kept turning up.\n"
            "Interviewer: Anyone else?\n[PERSON_1]: No.\n")
    assert said(text, parse_turns(text, INTERVIEWER)) == [
        ("interviewer", "Interviewer", "What changed?"),
        ("respondent", "[PERSON_1]", "[PERSON_2] kept turning up."),
        ("interviewer", "Interviewer", "Anyone else?"),
        ("respondent", "[PERSON_1]", "No."),
    ]


def test_guide_prompts_are_the_unlabelled_numbered_interviewer_lines(data_dir):
    text = (data_dir / "transcripts" / "think-aloud.txt").read_text(encoding="utf-8")
    transcript = parse_transcript(text)
    prompts = [" ".join(text[t.start:t.end].split()) for t in transcript.turns
               if is_guide_prompt(t, text)]
    assert prompts == ["1 Open the referral form on the service website.",
                       "1.a Was it clear which service you were referring to?",
                       "2 Submit the form with the test details."]
    labelled = "Q: 1. How did you hear about us?\nA: From my GP.\nQ: 2. And then?\nA: I rang.\n"
    assert not any(is_guide_prompt(t, labelled) for t in parse_transcript(labelled).turns)


def test_a_cast_list_names_who_interviews_and_is_front_matter(data_dir):
    text = fixture_text(data_dir, "cast-list.txt")  # "Interviewer: JS", "Participant: CE13 (...)"
    transcript = parse_transcript(text)
    said = [(t.speaker, t.role, text[t.start:t.end][:20]) for t in transcript.turns]
    assert said == [("", "other", "Interview date: 14/0"), ("Interviewer", "other", "JS"),
                    ("Participant", "other", "CE13 (chief executiv"),
                    ("JS", "interviewer", "How has housing supp"),
                    ("CE13", "respondent", "We lost the supporte"),
                    ("JS", "interviewer", "And mental health se"),
                    ("CE13", "respondent", "The threshold was ra")]
    assert transcript.evidence["how"] == "named in the transcript's cast list"


def test_a_role_label_that_also_speaks_is_not_a_cast_line():
    text = ("Interviewer: JS\n\nInterviewer: How has housing support changed?\n\n"
            "JS: It got worse when the dry house closed.\n\n"
            "Interviewer: And mental health?\n\nJS: The threshold was raised.\n")
    roles = [(t.speaker, t.role) for t in parse_transcript(text).turns]
    assert roles == [("Interviewer", "interviewer")] * 2 + [("JS", "respondent"),
                                                             ("Interviewer", "interviewer"),
                                                             ("JS", "respondent")]


def test_an_aside_after_the_label_is_not_part_of_it():
    text = ("Interviewer (JS): How has housing support changed since last year?\n\n"
            "Respondent (CE14): We lost the supported housing scheme in March.\n\n"
            "Interviewer (JS): And mental health? [00:12:01]\n\n"
            "Respondent (CE14) : The threshold was raised.\n")
    turns = parse_transcript(text).turns
    assert [(t.speaker, t.role, text[t.start:t.end]) for t in turns] == [
        ("Interviewer", "interviewer", "How has housing support changed since last year?"),
        ("Respondent", "respondent", "We lost the supported housing scheme in March."),
        ("Interviewer", "interviewer", "And mental health? [00:12:01]"),
        ("Respondent", "respondent", "The threshold was raised.")]
