"""Pure text helpers shared by the stages."""

from __future__ import annotations

import hashlib

# One-for-one replacements, so offsets into the result are offsets into the original:
# wrapped lines join into sentences, and curly quotes and dashes match straight patterns.
_MATCHABLE = str.maketrans({
    "\n": " ", "\t": " ", "\r": " ", "\u00a0": " ", "\u2028": " ",
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
})


def matchable(text: str) -> str:
    """``text`` with line breaks as spaces and typographic quotes/dashes as ASCII, same length."""
    return text.translate(_MATCHABLE)


def some_of(items: list[str], shown: int, sep: str = ", ") -> str:
    """The first ``shown`` of ``items`` joined by ``sep``, then how many more there are.

    ``a, b and 3 more``; with ``sep="; "`` (items that hold commas) ``a; b; and 3 more``.
    """
    named = sep.join(items[:shown])
    if len(items) > shown:
        named += f"{' ' if sep == ', ' else sep}and {len(items) - shown} more"
    return named


def stable_id(*parts: object, length: int = 16) -> str:
    """A short hex id derived only from ``parts``: identical across runs and machines."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return digest.hexdigest()[:length]


def sha256_file(path: object) -> str:
    """The sha256 hex digest of a file's bytes."""
    from pathlib import Path

    digest = hashlib.sha256()
    with Path(str(path)).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
