"""ftfy's mojibake test, searched only near the non-ASCII characters of a text.

``ftfy.fix_encoding`` leaves a text alone unless ``ftfy.badness.is_bad`` finds mojibake, and
``is_bad`` runs one large regex (``BADNESS_RE``) over the whole text: about 1.6 s for a 2.7 MB
survey export, most of ingest. Every match of that regex holds a non-ASCII character and is a
few characters long, and its only assertion is ``^``; so searching a short window around each
non-ASCII character (with ``pos``/``endpos``, under which ``^`` still means the text's start)
finds a match exactly when the whole search would, in a hundredth of the time on English text.
Those properties are checked on the installed ftfy's regex when this module loads; if a later
ftfy breaks them, :func:`looks_mojibaked` falls back to ``is_bad`` itself.
"""

from __future__ import annotations

import re
import re._constants as _c  # the parsed form of a regex (Python 3.11's sre internals)
import re._parser as _parser

import ftfy
from ftfy.badness import BADNESS_RE, is_bad

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_REACH = 8  # a match longer than this rules the window search out
_ALLOWED = {_c.LITERAL, _c.IN, _c.ANY, _c.BRANCH, _c.SUBPATTERN, _c.MAX_REPEAT, _c.MIN_REPEAT,
            _c.AT}


def _non_ascii_only(op: object, value: object) -> bool:
    """Whether one parsed item matches nothing but non-ASCII characters."""
    if op is _c.LITERAL:
        return value >= 128  # type: ignore[operator]
    if op is not _c.IN:
        return False
    return all((kind is _c.LITERAL and item >= 128)  # type: ignore[operator]
               or (kind is _c.RANGE and item[0] >= 128)  # type: ignore[index]
               for kind, item in value)  # type: ignore[attr-defined]


def _items_allowed(items: object) -> bool:
    for op, value in items:  # type: ignore[attr-defined]
        if op not in _ALLOWED:
            return False
        if op is _c.AT and value is not _c.AT_BEGINNING:
            return False
        if op is _c.BRANCH and not all(_items_allowed(b) for b in value[1]):
            return False
        if op is _c.SUBPATTERN and not _items_allowed(value[3]):
            return False
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and not _items_allowed(value[2]):
            return False
    return True


def window_search_is_exact(pattern: re.Pattern[str]) -> bool:
    """Whether a search near each non-ASCII character finds what a whole search finds.

    True when the pattern's matches are at most ``_REACH`` characters, its only assertion is
    ``^``, it ignores no case, and every top-level alternative needs a character that matches
    only non-ASCII characters.
    """
    if pattern.flags & (re.IGNORECASE | re.MULTILINE):
        return False
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 (private parser: any surprise means "use is_bad")
        return False
    if tree.getwidth()[1] > _REACH or not _items_allowed(tree):
        return False
    items = list(tree)
    alternatives = items[0][1][1] if len(items) == 1 and items[0][0] is _c.BRANCH else [items]
    return all(any(_non_ascii_only(op, value) for op, value in alternative)
               for alternative in alternatives)


_EXACT = window_search_is_exact(BADNESS_RE)


def looks_mojibaked(text: str) -> bool:
    """``ftfy.badness.is_bad(text)``: whether ``text`` seems to hold mojibake."""
    if not _EXACT:
        return is_bad(text)
    for found in _NON_ASCII.finditer(text):
        at = found.start()
        if BADNESS_RE.search(text, max(0, at - _REACH + 1), at + _REACH):
            return True
    return False


def fix_encoding(text: str) -> str:
    """``ftfy.fix_encoding(text)``, which returns a text that does not look mojibaked as is."""
    return ftfy.fix_encoding(text) if looks_mojibaked(text) else text
