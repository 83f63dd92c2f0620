"""Codes named as people write them: by id or by label, case and spacing ignored.

A gold file's columns, a long file's codes and a reviewer's corrected code may each name a code
either way. A label two codes share (``Positive`` under two parents, as QDA codebooks have) names
neither: guessing one would put a human's code on the wrong theme, so callers ask for the id.
"""

from __future__ import annotations

import re

from pipeline.config import Codebook


def name_key(name: str) -> str:
    """``name`` as it is compared: spacing collapsed, case folded."""
    return re.sub(r"\s+", " ", str(name)).strip().casefold()


class CodeNames:
    """Each way of naming the codebook's codes → the code ids it may mean."""

    def __init__(self, codebook: Codebook) -> None:
        by_label: dict[str, list[str]] = {}
        for code, _ in codebook.walk():
            by_label.setdefault(name_key(code.label), []).append(code.id)
        self._ids = {name_key(c): (c,) for c in codebook.code_ids()}
        self._labels = {key: tuple(ids) for key, ids in by_label.items()}

    def resolve(self, name: str) -> tuple[str, ...]:
        """The code ids ``name`` may mean: one, none (unknown) or several (a shared label).

        An id wins over a label that happens to read the same.
        """
        key = name_key(name)
        return self._ids.get(key) or self._labels.get(key, ())

    def knows(self, name: str) -> bool:
        """Whether ``name`` is some code's id or label."""
        return bool(self.resolve(name))
