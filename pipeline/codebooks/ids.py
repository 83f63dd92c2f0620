"""Code ids from the names people give codes: slugs matching the codebook's id pattern, unique.

QDA packages identify codes by name (and a guid); a codebook identifies them by an id that is
safe in column names (``code_<id>``), SQL and file names. An id is derived from the name
(``Don't know`` -> ``dont_know``); a clash is resolved by prefixing the parent's id
(``staff_positive`` beside ``access_positive``), then by a number.
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.config import CODE_ID_PATTERN

MAX_ID_LENGTH = 64  # long enough to read, short enough for a spreadsheet column header
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u00b4]")
_NOT_ID = re.compile(r"[^a-z0-9]+")
_ID = re.compile(CODE_ID_PATTERN)


def is_code_id(text: str) -> bool:
    """Whether ``text`` is a valid code id (``^[a-z][a-z0-9_]*$``)."""
    return bool(_ID.match(text))


def _shorten(slug: str, limit: int) -> str:
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    # Cut at a word boundary when there is one, so an id never ends in half a word.
    return cut.rsplit("_", 1)[0] if "_" in cut[limit // 2:] else cut


def slugify(name: str, *, limit: int = MAX_ID_LENGTH) -> str:
    """A code id derived from a code's name: lower-case ASCII words joined by ``_``.

    Apostrophes vanish (``don't`` -> ``dont``), accents are dropped (``café`` -> ``cafe``),
    every other run of non-alphanumerics becomes one ``_``; an id that would start with a digit
    or be empty is prefixed with ``code``.
    """
    text = _APOSTROPHES.sub("", name.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_ID.sub("_", text).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"code_{slug}".rstrip("_")
    return _shorten(slug, limit)


class IdAllocator:
    """Hands out unique code ids, derived from names, in the order codes are visited."""

    def __init__(self, reserved: set[str] | None = None) -> None:
        self.used: set[str] = set(reserved or ())

    def allocate(self, name: str, parent_id: str | None = None) -> str:
        """A new unique id for a code called ``name`` under the code ``parent_id``."""
        slug = slugify(name)
        candidates = [slug]
        if parent_id:
            candidates.append(_shorten(f"{parent_id}_{slug}", MAX_ID_LENGTH))
        for candidate in candidates:
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        number = 2
        while f"{candidates[-1]}_{number}" in self.used:
            number += 1
        self.used.add(f"{candidates[-1]}_{number}")
        return f"{candidates[-1]}_{number}"
