"""Hierarchy from code names written as paths: ``parent->child`` or ``parent/child``.

Taguette and gold files have flat lists of names; teams encode a hierarchy in the name. ``->``
always separates levels. ``/`` is also common inside a name (``Transport to/ from services``), so
it separates levels only where the name's parent path is itself a code or is shared by at
least two codes: a hierarchy has siblings or a named parent, a phrase with a slash has neither.
"""

from __future__ import annotations

from collections import Counter

from pipeline.codebooks.draft import DraftCode

ARROW = "->"
SLASH = "/"


def _split(name: str, separator: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in name.split(separator))


def _path(name: str, slash_parents: Counter[tuple[str, ...]], names: set[tuple[str, ...]]
          ) -> tuple[str, ...]:
    if ARROW in name:
        parts = _split(name, ARROW)
        return parts if all(parts) else (name.strip(),)
    if SLASH in name:
        parts = _split(name, SLASH)
        if all(parts) and (slash_parents[parts[:-1]] >= 2 or parts[:-1] in names):
            return parts
    return (name.strip(),)


def nest_by_path(flat: list[DraftCode]) -> list[DraftCode]:
    """Nest codes whose names are paths; a parent named only in paths is created, undefined.

    A child keeps the last part of its path as its name. Codes keep their order of first
    appearance; a name given twice is merged into the first (the later definition fills a
    missing one, counts add up).
    """
    slash_parents: Counter[tuple[str, ...]] = Counter()
    for code in flat:
        if ARROW not in code.name and SLASH in code.name:
            slash_parents[_split(code.name, SLASH)[:-1]] += 1
    names = {_split(c.name, ARROW) if ARROW in c.name else _split(c.name, SLASH) for c in flat}
    names |= {(c.name.strip(),) for c in flat}
    nodes: dict[tuple[str, ...], DraftCode] = {}
    top: list[DraftCode] = []
    for code in flat:
        path = _path(code.name, slash_parents, names)
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key not in nodes:
                nodes[key] = DraftCode(name=key[-1])
                (nodes[key[:-1]].children if depth > 1 else top).append(nodes[key])
        _merge(nodes[path], code)
    return top


def _merge(node: DraftCode, code: DraftCode) -> None:
    node.definition = node.definition or code.definition
    node.colour = node.colour or code.colour
    if code.count is not None:
        node.count = (node.count or 0) + code.count
