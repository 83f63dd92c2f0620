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


LONG = """respondent,region,question,answer
S01,North West,Q1,There is no supported housing for people leaving detox.
S01,North West,Q2,Our budget was cut by a fifth when the contract was re-tendered.
S02,London,Q1,Mental health teams will not see our clients until they are abstinent.
S02,London,Q2,N/A
S02,London,Q1,"A second answer to the first question, from the same service."
S03,London,Q9,An answer to a question the wave does not list.
,London,Q1,An answer without its respondent.
S03,London,Q2
"""

LONG_MANIFEST = """id: long-2024
sources:
  - kind: survey
    file: answers.csv
    respondent_id: respondent
    question_column: question
    answer_column: answer
    attributes: [region]
    questions:
      - {id: q1_gaps, column: Q1, text: "What support is missing?"}
      - {id: q2_funding, column: Q2, text: "How has funding changed?"}
"""


def _long_wave(tmp_path, answers: str = LONG) -> object:
    from pipeline.ingest import ingest_wave

    folder = tmp_path / "wave"
    folder.mkdir()
    (folder / "answers.csv").write_text(answers, encoding="utf-8")
    (folder / "wave.yaml").write_text(LONG_MANIFEST, encoding="utf-8")
    return ingest_wave(folder)


def test_a_long_file_reads_a_row_per_answer_and_lists_every_other_row(tmp_path):
    result = _long_wave(tmp_path)
    docs = result.documents
    assert docs[["respondent_id", "question_id", "line"]].values.tolist() == [
        ["S01", "q1_gaps", 2], ["S01", "q2_funding", 3], ["S02", "q1_gaps", 4]]
    assert docs["question"].tolist() == ["What support is missing?", "How has funding changed?",
                                         "What support is missing?"]
    assert docs["region"].tolist() == ["North West", "North West", "London"]
    assert docs["text"].iloc[2] == ("Mental health teams will not see our clients until they "
                                    "are abstinent.")
    assert result.rejected[["line", "reason", "question_id"]].values.tolist() == [
        [9, "malformed", None],  # read apart from the others, as a wide file's are
        [5, "non-answer", "q2_funding"], [6, "duplicate", "q1_gaps"],
        [7, "unlisted question", None], [8, "missing-id", "q1_gaps"]]
    assert "already answered this question at line 4" in result.rejected["detail"].iloc[2]
    assert "its question 'Q9' is not a question listed" in result.rejected["detail"].iloc[3]
    assert result.items_in == len(docs) + len(result.rejected) == 8  # every row accounted for


def test_a_long_file_names_a_missing_column(tmp_path):
    result = _long_wave(tmp_path, LONG.replace("question,answer", "item,answer"))
    assert result.documents.empty and result.items_in == len(result.rejected) == 8
    assert set(result.rejected["reason"]) == {"unreadable"}
    assert "column 'question' (wave.yaml question_column) is not in the header" in (
        result.rejected["detail"].iloc[0])


def test_a_long_file_needs_both_columns_and_an_id(tmp_path):
    from pydantic import ValidationError

    from pipeline.config import SurveySource

    with pytest.raises(ValidationError, match="needs both question_column and answer_column"):
        SurveySource(file="a.csv", respondent_id="id", questions=[{"id": "q1", "column": "Q1"}],
                     question_column="question")
    with pytest.raises(ValidationError, match="needs a respondent_id column"):
        SurveySource(file="a.csv", respondent_id="(row)", question_column="question",
                     answer_column="answer", questions=[{"id": "q1", "column": "Q1"}])
