"""Where a model's n-gram feature lies in a text: the offsets its evidence points to.

A word n-gram is lower-cased tokens joined by spaces; a ``char_wb`` n-gram marks word edges
with spaces. Both are found case-insensitively; a character n-gram is widened to its words.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"\w")


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``text[start:end]`` to the word characters on either side."""
    while start > 0 and _WORD.match(text[start - 1]):
        start -= 1
    while end < len(text) and _WORD.match(text[end]):
        end += 1
    return start, end


@lru_cache(maxsize=50_000)  # re's own cache holds 512 patterns: a wave's evidence needs more
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


def locate_word_ngram(text: str, term: str) -> tuple[int, int] | None:
    """Offsets of a word n-gram (lower-cased tokens joined by spaces) in ``text``."""
    words = [re.escape(w) for w in term.split()]
    match = _compiled(r"\b" + r"\W+".join(words) + r"\b").search(text)
    return (match.start(), match.end()) if match else None


def locate_char_ngram(text: str, gram: str) -> tuple[int, int] | None:
    """Offsets of the whole word(s) holding a ``char_wb`` n-gram (spaces mark word edges)."""
    core = gram.strip()
    if not core:
        return None
    pattern = (r"(?<!\w)" if gram.startswith(" ") else "") + re.escape(core) + (
        r"(?!\w)" if gram.endswith(" ") else "")
    match = _compiled(pattern).search(text)
    return _whole_words(text, match.start(), match.end()) if match else None
