"""Codes named as people write them: by id or by label, case and spacing ignored.

A gold file's columns, a long file's codes and a reviewer's corrected code may each name a code
either way, or by its path of labels (``Staff->Attitude``, ``Staff/Attitude``), as Taguette's
tags write a hierarchy and ``codebook from-gold`` builds one from them. A label two codes share
(``Positive`` under two parents, as QDA codebooks have) names neither: guessing one would put a
human's code on the wrong theme, so callers ask for the id.
"""

from __future__ import annotations

import re

from pipeline.config import Codebook

PATH_SEPARATORS = ("->", "/")  # as pipeline.codebooks.paths reads them


def name_key(name: str) -> str:
    """``name`` as it is compared: spacing collapsed, case folded."""
    return re.sub(r"\s+", " ", str(name)).strip().casefold()


class CodeNames:
    """Each way of naming the codebook's codes → the code ids it may mean."""

    def __init__(self, codebook: Codebook) -> None:
        by_label: dict[str, list[str]] = {}
        by_path: dict[tuple[str, ...], list[str]] = {}
        label_path: dict[str, tuple[str, ...]] = {}
        for code, parent in codebook.walk():  # parents come before their children
            key = name_key(code.label)
            by_label.setdefault(key, []).append(code.id)
            label_path[code.id] = (label_path[parent] if parent else ()) + (key,)
            path = label_path[code.id]
            for depth in range(2, len(path) + 1):  # "Attitude" under "Staff" under "Care"
                by_path.setdefault(path[-depth:], []).append(code.id)
        self._ids = {name_key(c): (c,) for c in codebook.code_ids()}
        self._labels = {key: tuple(ids) for key, ids in by_label.items()}
        self._paths = {key: tuple(ids) for key, ids in by_path.items()}

    def resolve(self, name: str) -> tuple[str, ...]:
        """The code ids ``name`` may mean: one, none (unknown) or several (a shared label).

        An id wins over a label that happens to read the same, and a whole name over a path
        (``Transport to/ from services`` may be one label).
        """
        key = name_key(name)
        found = self._ids.get(key) or self._labels.get(key, ())
        for separator in PATH_SEPARATORS:
            if found or separator not in name:
                continue
            parts = tuple(name_key(part) for part in str(name).split(separator))
            found = self._paths.get(parts, ()) if all(parts) else ()
        return found
