"""Codebook regexes that backtrack exponentially are refused; ordinary ones pass."""

from __future__ import annotations

import pytest

from pipeline.untrusted import overlapping_alternatives, regex_risk

REFUSED = {  # pattern -> the two alternatives named
    "(a|a)*b": ("a", "a"), "^(a|ab)*c$": ("a", "ab"), "(\\w|\\d)+": ("\\w", "\\d"),
    "(a|b|ab)*": ("a", "ab"), "(x(a|ab))+": ("a", "ab"), "(?:yes|y)+": ("yes", "y"),
    "(?P<w>a|A){1,40}": ("a", "A"), "(a|)*": ("a", ""), "((a|aa)b)*": ("a", "aa"),
}
ACCEPTED = ["(cat|dog)+", "^[a-z]+ing$", "(?:yes|no)*", "(a|b){2}", "(a|ab)", "housing|homes",
            "([|]|a)+", "(\\(|a)+", "(?=a|a)x", "^(?:re)?hous(?:e|ed|ing)$", "[a|a]+",
            "(a|ab){1,3}c"]


@pytest.mark.parametrize("pattern", sorted(REFUSED))
def test_alternatives_that_overlap_under_a_repeat_are_refused(pattern):
    assert overlapping_alternatives(pattern) == REFUSED[pattern]
    assert "catastrophic backtracking" in regex_risk(pattern)


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_exclusive_or_unrepeated_alternatives_pass(pattern):
    assert overlapping_alternatives(pattern) is None
    assert regex_risk(pattern) is None


def test_nested_repeats_and_bad_syntax_are_still_refused():
    assert "nested repeat" in regex_risk("(a+)+")
    assert regex_risk("[unclosed").startswith("not a valid regular expression")
