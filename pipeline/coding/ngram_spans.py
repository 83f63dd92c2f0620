r"""Where a model's n-gram feature lies in a text: the offsets its evidence points to.

A word n-gram is lower-cased tokens joined by spaces; a ``char_wb`` n-gram marks word edges
with spaces. Both are found case-insensitively; a character n-gram is widened to its words.

When the text and the n-gram are plain ASCII (most answers) they are found with string searches
instead of a regular expression: compiling one pattern per n-gram was a third of a batch's
evidence time. For ASCII the two agree exactly (case-insensitive is then ``lower()``, ``\w`` is
letters, digits and ``_``); anything else goes to the regular expression.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"\w")
_ASCII_TERM = re.compile(r"[0-9A-Za-z_]+(?: [0-9A-Za-z_]+)*")  # a vectoriser's ASCII n-gram


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


def _ascii_word(char: str) -> bool:
    r"""``\w`` for one ASCII character."""
    return char.isalnum() or char == "_"


def _ascii_word_ngram(text: str, words: list[str]) -> tuple[int, int] | None:
    r"""``\bw1\W+w2…\b`` searched case-insensitively in an ASCII text, without a regex.

    Every word of a term is word characters only (the vectoriser's tokens), so at each place
    the first word is found there is at most one way to match: the gap between words is the
    whole run of non-word characters after one, and must be followed by the next.
    """
    lower, first = text.lower(), words[0]
    at = lower.find(first)
    while at >= 0:
        end = at + len(first)
        if at == 0 or not _ascii_word(lower[at - 1]):
            for word in words[1:]:
                gap = end
                while gap < len(lower) and not _ascii_word(lower[gap]):
                    gap += 1
                if gap == end or not lower.startswith(word, gap):
                    end = -1
                    break
                end = gap + len(word)
            if end >= 0 and (end == len(lower) or not _ascii_word(lower[end])):
                return at, end
        at = lower.find(first, at + 1)
    return None


def locate_word_ngram(text: str, term: str) -> tuple[int, int] | None:
    """Offsets of a word n-gram (lower-cased tokens joined by spaces) in ``text``."""
    if text.isascii() and _ASCII_TERM.fullmatch(term):
        return _ascii_word_ngram(text, term.lower().split(" "))
    words = [re.escape(w) for w in term.split()]
    match = _compiled(r"\b" + r"\W+".join(words) + r"\b").search(text)
    return (match.start(), match.end()) if match else None


def locate_char_ngram(text: str, gram: str) -> tuple[int, int] | None:
    """Offsets of the whole word(s) holding a ``char_wb`` n-gram (spaces mark word edges)."""
    core = gram.strip()
    if not core:
        return None
    if text.isascii() and gram.isascii():
        return _ascii_char_ngram(text, gram, core.lower())
    pattern = (r"(?<!\w)" if gram.startswith(" ") else "") + re.escape(core) + (
        r"(?!\w)" if gram.endswith(" ") else "")
    match = _compiled(pattern).search(text)
    return _whole_words(text, match.start(), match.end()) if match else None


def _ascii_char_ngram(text: str, gram: str, core: str) -> tuple[int, int] | None:
    """:func:`locate_char_ngram`'s regex search, for an ASCII text and n-gram, without one."""
    lower, start_edge, end_edge = text.lower(), gram.startswith(" "), gram.endswith(" ")
    at = lower.find(core)
    while at >= 0:
        end = at + len(core)
        if ((not start_edge or at == 0 or not _ascii_word(lower[at - 1]))
                and (not end_edge or end == len(lower) or not _ascii_word(lower[end]))):
            return _whole_words(text, at, end)
        at = lower.find(core, at + 1)
    return None
