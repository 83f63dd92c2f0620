"""Evidence offsets of a linear model's n-gram features in the text they came from."""

from __future__ import annotations

from pipeline.coding.ngram_spans import locate_char_ngram, locate_word_ngram

TEXT = "The Waiting-list for counselling is far too long."


def test_word_ngram_found_whatever_the_case_and_punctuation_between():
    start, end = locate_word_ngram(TEXT, "waiting list")
    assert TEXT[start:end] == "Waiting-list"
    assert locate_word_ngram(TEXT, "list counselling") is None  # "for" stands between


def test_char_ngram_is_widened_to_its_whole_word():
    start, end = locate_char_ngram(TEXT, "nsel")
    assert TEXT[start:end] == "counselling"
    start, end = locate_char_ngram(TEXT, " lon")  # a leading space: the start of a word
    assert TEXT[start:end] == "long"
    assert locate_char_ngram(TEXT, "ong ") is not None and locate_char_ngram(TEXT, "elli ") is None
    assert locate_char_ngram(TEXT, "   ") is None
