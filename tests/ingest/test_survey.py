"""Which survey answers are non-answers: said nothing to code, so listed with why, not coded."""

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
    "_" * 25 + " none",  # underscores are word characters: they stay when folded
    "None none none none none none",
])
def test_answers_that_contain_those_words_are_answers(text):
    assert non_answer(text) is None
