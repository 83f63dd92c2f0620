"""Evidence offsets of a linear model's n-gram features in the text they came from."""

from __future__ import annotations

import re

from pipeline.coding.linear import new_vectorizers
from pipeline.coding.ngram_spans import _whole_words, locate_char_ngram, locate_word_ngram

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


def _regex_word(text: str, term: str) -> tuple[int, int] | None:
    match = re.search(r"\b" + r"\W+".join(re.escape(w) for w in term.split()) + r"\b", text,
                      re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def _regex_char(text: str, gram: str) -> tuple[int, int] | None:
    pattern = (r"(?<!\w)" if gram.startswith(" ") else "") + re.escape(gram.strip()) + (
        r"(?!\w)" if gram.endswith(" ") else "")
    match = re.search(pattern, text, re.IGNORECASE)
    return _whole_words(text, match.start(), match.end()) if match else None


def test_string_search_finds_what_the_regex_finds_in_real_comments(comments_gold):
    """Every n-gram of every comment, and each in the other comments: same span or none."""
    texts = [*comments_gold.texts, TEXT, "Staff_room & staff-room: STAFF room", "x_y xy  x y",
             "naïve café staff", "Car-park, car park; CAR PARK"]
    words, chars = new_vectorizers()
    grams = sorted({g for text in texts for g in words.build_analyzer()(text)}), sorted(
        {g for text in texts for g in chars.build_analyzer()(text)})
    found = 0
    for text in texts:
        for term in grams[0]:
            assert locate_word_ngram(text, term) == _regex_word(text, term), (text, term)
            found += _regex_word(text, term) is not None
        for gram in grams[1]:
            assert locate_char_ngram(text, gram) == _regex_char(text, gram), (text, gram)
    assert found > len(texts)
