"""Survey answers: non-answers listed with why (not coded), documents as ``document_row`` gives."""

from __future__ import annotations

import pytest

from pipeline.ingest.survey import non_answer


@pytest.mark.parametrize("text, why", [
    ("N/A", "'N/A'"),
    ("  None. ", "'none'"),
    ("See above", "refers to an earlier answer ('see above')"),
    ("--", "punctuation only"),
    # the placeholders of blank questions in survey systems' exports (NHS FFT: "Did not answer")
    ("Did not answer", "'did not answer'"),
    ("didn’t answer", "'did not answer'"),
    ("No response.", "'no response'"),
    ("Not answered", "'not answered'"),
    # however much punctuation and space surround it (only word characters bound the check)
    ("- " * 200 + "See previous answer!!!" + " ." * 200, "refers to an earlier answer"),
    ("?" * 500, "punctuation only"),
])
def test_non_answers_say_why(text, why):
    assert non_answer(text) == why


@pytest.mark.parametrize("text", [
    "I did not answer the phone because nobody told me it would ring.",
    "No answer from reception for two days.",
    "No.",
    "Nothing to improve, the staff were lovely.",
    # an answer to the question asked: to "What could we do better?" it is praise
    "Nothing.",
    "nothing!",
    "_" * 25 + " none",  # underscores are word characters: they stay when folded
    "None none none none none none",
])
def test_answers_that_contain_those_words_are_answers(text):
    assert non_answer(text) is None


def test_survey_documents_are_the_rows_document_row_gives_column_for_column(tmp_path):
    from pipeline.config import Question, SurveySource
    from pipeline.ingest.records import document_row
    from pipeline.ingest.survey import read_survey

    (tmp_path / "s.csv").write_text(
        "id,region,text,q1,q2\n"
        "R1,North, shown ,Housing is short.,N/A\n"
        "R2,,,,Waiting lists are longer.\n", encoding="utf-8")
    source = SurveySource(file="s.csv", respondent_id="id", attributes=["region", "text"],
                          questions=[Question(id="q1", column="q1", text="What is missing?"),
                                     Question(id="q2", column="q2")])
    read = read_survey(tmp_path / "s.csv", source, wave="w1", name="s.csv")
    expected = [document_row(wave="w1", source="s.csv", kind="survey", respondent_id=r,
                             question_id=q, question=wording, text=text, line=line,
                             attributes={"region": region, "text": shown})
                for r, q, wording, text, line, region, shown in [
                    ("R1", "q1", "What is missing?", "Housing is short.", 2, "North", "shown"),
                    ("R2", "q2", "q2", "Waiting lists are longer.", 3, None, None)]]
    assert [list(row.items()) for row in read.documents] == [list(row.items())
                                                             for row in expected]
    assert [(row["line"], row["reason"]) for row in read.rejected] == [
        (2, "non-answer"), (3, "empty")]
