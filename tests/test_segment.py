"""Segment: sentences with stable ids and exact offsets; interview turns keep their question."""

from __future__ import annotations

import pandas as pd
from spacy.strings import get_string_id

from pipeline import schema as s
from pipeline.ingest import ingest_wave
from pipeline.nlp import blank_english, load_nlp
from pipeline.segment import iter_segments, segment_documents, sentence_bounds


def documents(*rows):
    frame = pd.DataFrame([
        {s.DOCUMENT_ID: doc_id, s.WAVE: "w", s.SOURCE: "f", s.KIND: kind, s.RESPONDENT_ID: "r",
         s.QUESTION_ID: "q", s.QUESTION: question, s.TEXT: text, s.LINE: 1}
        for doc_id, kind, question, text in rows
    ])
    return s.conform(frame, s.DOCUMENTS)


def test_offsets_point_into_the_document_text(waves_dir):
    docs = ingest_wave(waves_dir / "mini-wave").documents
    segments = segment_documents(docs, interviewer_labels=["Q"])
    text_of = docs.set_index(s.DOCUMENT_ID)[s.TEXT]
    for row in segments.itertuples(index=False):
        assert text_of[row.document_id][row.start:row.end] == row.text


def test_survey_answer_splits_into_sentences_with_question_as_context():
    docs = documents(("d1", "survey", "What is missing?",
                      "Housing is the gap. Mental health waits are long!  Jobs too?"))
    segments = segment_documents(docs)
    assert segments[s.TEXT].tolist() == [
        "Housing is the gap.", "Mental health waits are long!", "Jobs too?"]
    assert segments[s.CONTEXT].unique().tolist() == ["What is missing?"]
    assert segments[s.START].tolist() == [0, 20, 51]


def test_pdf_wrapped_lines_do_not_end_sentences():
    text = ("The biggest change is funding. Our budget was cut by a fifth when the\n"
            "contract was re-tendered, and the new contract covers three boroughs\n"
            "instead of one.\n\nA new paragraph starts here.")
    segments = segment_documents(documents(("d1", "document", None, text)))
    assert segments[s.TEXT].tolist() == [
        "The biggest change is funding.",
        "Our budget was cut by a fifth when the\ncontract was re-tendered, and the new contract "
        "covers three boroughs\ninstead of one.",
        "A new paragraph starts here.",
    ]
    assert all(text[a:b] == t for a, b, t in segments[[s.START, s.END, s.TEXT]].itertuples(
        index=False))


def test_interviews_keep_every_turn_with_role_and_the_prompting_question(waves_dir):
    docs = ingest_wave(waves_dir / "mini-wave").documents
    interview = docs[docs[s.KIND] == "interview"]
    segments = segment_documents(interview, interviewer_labels=["Q"])
    assert segments[s.SPEAKER].unique().tolist() == ["Q", "A"]
    roles = segments.groupby(s.SPEAKER)[s.ROLE].unique().map(list).to_dict()
    assert roles == {"Q": ["interviewer"], "A": ["respondent"]}
    asked = segments[segments[s.ROLE] == "interviewer"]
    assert asked[s.TEXT].tolist() == [
        "How have things changed for your service over the last year?",
        "And how is housing for your clients?"]
    assert asked[s.CONTEXT].isna().all()
    by_text = segments.set_index(s.TEXT)[s.CONTEXT]
    assert by_text["The biggest change is funding."] == (
        "How have things changed for your service over the last year?")
    assert by_text["Housing is the gap."] == "And how is housing for your clients?"


def test_segment_ids_are_stable_and_chunking_does_not_change_them(waves_dir):
    docs = ingest_wave(waves_dir / "mini-wave").documents
    whole = segment_documents(docs, interviewer_labels=["Q"])
    chunked = pd.concat(list(iter_segments(docs, interviewer_labels=["Q"], chunk_size=3)),
                        ignore_index=True)
    pd.testing.assert_frame_equal(whole, chunked)
    again = segment_documents(ingest_wave(waves_dir / "mini-wave").documents,
                              interviewer_labels=["Q"])
    assert whole[s.SEGMENT_ID].tolist() == again[s.SEGMENT_ID].tolist()
    assert whole[s.SEGMENT_ID].is_unique


def test_punctuation_only_pieces_are_not_segments():
    segments = segment_documents(documents(("d1", "survey", "q", "Housing.\n\n--\n\nJobs.")))
    assert segments[s.TEXT].tolist() == ["Housing.", "Jobs."]


def transcript_documents(data_dir, *names):
    from pipeline.ingest.transcripts import transcript_text

    return documents(*[(name, "interview", None,
                        transcript_text(data_dir / "transcripts" / name)[0]) for name in names])


def test_every_word_of_every_transcript_is_in_a_segment(data_dir):
    from pipeline.turns import parse_transcript

    names = sorted(p.name for p in (data_dir / "transcripts").iterdir())
    docs = transcript_documents(data_dir, *names)
    segments = segment_documents(docs)
    for doc in docs.itertuples(index=False):
        text = doc.text
        covered = [False] * len(text)
        for start, end in segments.loc[segments[s.DOCUMENT_ID] == doc.document_id,
                                       [s.START, s.END]].itertuples(index=False):
            covered[start:end] = [True] * (end - start)
        for start, end in parse_transcript(text).labels:
            covered[start:end] = [True] * (end - start)
        missed = "".join(c for c, seen in zip(text, covered, strict=True)
                         if not seen and c.isalnum())
        assert missed == "", doc.document_id


def test_think_aloud_lines_are_separate_segments_with_roles_and_prompt(data_dir):
    segments = segment_documents(transcript_documents(data_dir, "think-aloud.txt"))
    rows = segments.set_index(s.TEXT)
    assert rows.loc["Right, so I'm on the home page now.", s.ROLE] == "respondent"
    assert rows.loc["A little bit slower than I expected to load.", s.ROLE] == "respondent"
    assert rows.loc["Take your time, there's no rush.", s.SPEAKER] == "MODERATOR"
    assert rows.loc["Usability session 3", s.ROLE] == "other"
    assert rows.loc["(The participant scrolls to the bottom of the page)",
                    s.ROLE] == "respondent"
    assert rows.loc["Not really, it says community alcohol team and then recovery hub.",
                    s.CONTEXT] == "1.a Was it clear which service you were referring to?"
    # with a guide, the moderator's remarks between its prompts are not the question
    assert rows.loc["I can see the self-referral button but the text is tiny.",
                    s.CONTEXT] == "1 Open the referral form on the service website."
    assert rows.loc["I would expect one name for the whole service.",
                    s.CONTEXT] == "1.a Was it clear which service you were referring to?"
    assert pd.isna(rows.loc["Take your time, there's no rush.", s.CONTEXT])


def test_fillers_are_flagged_and_kept(data_dir):
    segments = segment_documents(transcript_documents(data_dir, "think-aloud.txt"))
    flagged = segments.loc[segments[s.FILLER], s.TEXT].tolist()
    assert flagged == ["Okay.", "Um, yeah.", "Thank you."]
    assert not segments.loc[~segments[s.FILLER], s.TEXT].isin(flagged).any()


def test_survey_segments_are_the_respondents():
    segments = segment_documents(documents(("d1", "survey", "q", "Housing.\nJobs, too.")))
    assert segments[s.TEXT].tolist() == ["Housing.", "Jobs, too."]
    assert segments[s.ROLE].unique().tolist() == ["respondent"]
    assert segments[s.SPEAKER].isna().all()


TRICKY_SENTENCES = [
    "Housing is the gap.  Mental health waits are long!?Jobs too... e.g. the Work Programme",
    "No.\n\nNone.",
    "?!",
    "Funding fell (again). \u201cWorse.\u201d Then: fine\u3002\u6c34 ok\uff01 yes",
    "U.S. style rehab, etc. is rare . Very rare",
    "Cuts 3.5% in 2013.Next year more.",
    "   leading spaces. trailing spaces.   ",
    "One sentence without an end",
]


def test_sentence_bounds_are_the_sentencizers_own_spans():
    nlp = load_nlp()
    stops = frozenset(get_string_id(mark) for mark in nlp.get_pipe("sentencizer").punct_chars)
    for text in TRICKY_SENTENCES:
        with nlp.select_pipes(enable=["sentencizer"]):
            expected = [(sent.start_char, sent.end_char) for sent in nlp(text).sents]
        assert sentence_bounds(nlp.make_doc(text), stops) == expected, text
    assert sentence_bounds(nlp.make_doc(""), stops) == []
    text = "U.S. style rehab, etc. is rare . Very rare"  # spaCy's tokens decide, as before
    assert [text[a:b] for a, b in sentence_bounds(nlp.make_doc(text), stops)] == [
        "U.S. style rehab, etc.", "is rare .", "Very rare"]


def test_the_pipelines_own_sentence_marks_cut_the_segments():
    nlp = blank_english()
    nlp.add_pipe("sentencizer", config={"punct_chars": [";"]})
    docs = documents(("d1", "survey", "Q?", "Housing is the gap. Jobs too; and rehab."))
    segments = segment_documents(docs, nlp=nlp)
    assert segments[s.TEXT].tolist() == ["Housing is the gap. Jobs too;", "and rehab."]
    assert segments[s.START].tolist() == [0, 30]
