"""Map character spans of an edited text back to the text it was exported as.

Texts are aligned line by line (line breaks are tokens of their own, so changed breaks leave the
lines aligned), then word by word inside changed lines, then character by character with
``difflib``. A span maps back only through runs that are unchanged; a span touching an edit
does not map at all, so a reviewer's selection is never silently misplaced.
"""

from __future__ import annotations

import bisect
import difflib
import os
import re

_TOKENS = (re.compile(r"[^\r\n]+|\r\n|\r|\n"), re.compile(r"\s*\S+\s*|\s+"))
_CHAR_DIFF_LIMIT = 4_000_000  # changed runs larger than this (chars x chars) stay unaligned


def _trim(a: str, b: str) -> tuple[int, int]:
    """Lengths of the common prefix and (after it) the common suffix of ``a`` and ``b``."""
    prefix = len(os.path.commonprefix([a, b]))
    return prefix, len(os.path.commonprefix([a[prefix:][::-1], b[prefix:][::-1]]))


def _aligned(a: str, b: str, level: int = 0) -> list[tuple[int, int, int]]:
    """Runs of ``b`` equal to runs of ``a``: (start in b, end in b, start in a)."""
    prefix, suffix = _trim(a, b)
    blocks = [(0, prefix, 0), (len(b) - suffix, len(b), len(a) - suffix)]
    mid_a, mid_b = a[prefix:len(a) - suffix], b[prefix:len(b) - suffix]
    if not mid_a or not mid_b:
        return blocks
    if level == len(_TOKENS):
        if len(mid_a) * len(mid_b) <= _CHAR_DIFF_LIMIT:
            matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False)
            blocks += [(prefix + j1, prefix + j2, prefix + i1) for tag, i1, _, j1, j2
                       in matcher.get_opcodes() if tag == "equal"]
        return blocks
    ta = [(m.start(), m.group()) for m in _TOKENS[level].finditer(mid_a)]
    tb = [(m.start(), m.group()) for m in _TOKENS[level].finditer(mid_b)]
    matcher = difflib.SequenceMatcher(None, [tok for _, tok in ta], [tok for _, tok in tb],
                                      autojunk=level > 0)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a0, a1 = (ta[i][0] if i < len(ta) else len(mid_a) for i in (i1, i2))
        b0, b1 = (tb[j][0] if j < len(tb) else len(mid_b) for j in (j1, j2))
        if tag == "equal":
            blocks.append((prefix + b0, prefix + b1, prefix + a0))
        elif tag == "replace":
            blocks += [(prefix + b0 + s, prefix + b0 + e, prefix + a0 + o)
                       for s, e, o in _aligned(mid_a[a0:a1], mid_b[b0:b1], level + 1)]
    return blocks


class OffsetMap:
    """Maps spans of a source's text as found back to the exported text, through equal runs."""

    def __init__(self, exported: str, found: str) -> None:
        self.identical = exported == found
        self.line_breaks_only = not self.identical and (
            exported.replace("\r\n", "\n") == found.replace("\r\n", "\n"))
        self.length = len(found)
        merged: list[tuple[int, int, int]] = []
        for start, end, old in sorted(_aligned(exported, found) if not self.identical else []):
            if merged and merged[-1][1] == start and merged[-1][2] + start - merged[-1][0] == old:
                merged[-1] = (merged[-1][0], end, merged[-1][2])
            elif end > start:
                merged.append((start, end, old))
        self.blocks = merged
        self.starts = [block[0] for block in merged]
        matched = sum(end - start for start, end, _ in merged)
        self.changed = 0 if self.identical else max(len(exported), len(found)) - matched

    def back(self, start: int, end: int) -> tuple[int, int] | None:
        """The exported span of found ``[start, end)``, or None when it touches an edit."""
        if not 0 <= start < end <= self.length:
            return None
        if self.identical:
            return start, end
        index = bisect.bisect_right(self.starts, start) - 1
        if index < 0:
            return None
        j1, j2, i1 = self.blocks[index]
        return (i1 + start - j1, i1 + end - j1) if end <= j2 else None
