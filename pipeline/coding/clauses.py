"""Split a text into clauses with exact character offsets, for clause-level scoring.

A comment often names several themes, one per sentence or clause ("the staff were lovely but
the wait was long"); a whole-comment vector blurs them, a clause vector does not. Splits fall
after sentence punctuation, at line breaks and semicolons, and before a contrasting or joining
conjunction that follows a comma (or "but" anywhere). Clauses keep their own text exactly:
``text[start:end] == clause``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Where one clause ends and the next begins: sentence ends, line breaks, semicolons, a comma
# before a conjunction, and "but"/"however"/"although" even without a comma.
_BREAK = re.compile(
    r"(?<=[.!?])\s+|[\r\n]+|;\s*|,\s*(?=(?:and|but|although|though|however|whereas|so|because)\b)"
    r"|\s+(?=(?:but|however|although|though|whereas)\b)",
    re.IGNORECASE)
_WORD = re.compile(r"\w+")
MIN_WORDS = 2
"""A piece with fewer words is joined to its neighbour (a text of one word is one clause)."""


class Clause(NamedTuple):
    """A clause of a text and where it lies in it."""

    start: int
    end: int
    text: str


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_clauses(text: str) -> list[Clause]:
    """The clauses of ``text`` in order, each with exact offsets; [] for a blank text.

    Pieces of fewer than :data:`MIN_WORDS` words are merged into the clause before them (or
    after, at the start) so that a stray "and" or "Also," is not scored on its own.
    """
    pieces: list[tuple[int, int]] = []
    position = 0
    for match in _BREAK.finditer(text):
        pieces.append((position, match.start()))
        position = match.end()
    pieces.append((position, len(text)))
    spans = [_trimmed(text, a, b) for a, b in pieces]
    spans = [(a, b) for a, b in spans if b > a and _WORD.search(text[a:b])]
    merged: list[list[int]] = []
    for a, b in spans:
        short = len(_WORD.findall(text[a:b])) < MIN_WORDS
        if merged and (short or len(_WORD.findall(text[merged[-1][0]:merged[-1][1]]))
                       < MIN_WORDS):
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [Clause(a, b, text[a:b]) for a, b in merged]
