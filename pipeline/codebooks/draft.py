"""A codebook drafted from another tool's codes: names, descriptions, colours and hierarchy.

Every importer (REFI-QDA ``.qdc``/``.qdpx``, Taguette's CSV, a gold file) reads its file into a
tree of :class:`DraftCode`; :func:`build_codebook` turns the tree into a validated
:class:`~pipeline.config.Codebook`, giving each code an id derived from its name (or the id a
wavecoder export carried), and :class:`Draft` says what is still to do before coding with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import ValidationError

from pipeline.codebooks.ids import IdAllocator, is_code_id
from pipeline.config import Code, Codebook
from pipeline.errors import InputError

_COLOUR = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
DRAFT_VERSION = "0.1"


@dataclass
class DraftCode:
    """One code as another tool holds it, before it has an id."""

    name: str
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    colour: str | None = None
    count: int | None = None  # how often the source used it, where the source says
    known_id: str | None = None  # the id a wavecoder export recorded, kept if still free
    children: list["DraftCode"] = field(default_factory=list)


def walk_drafts(codes: list[DraftCode], depth: int = 1) -> Iterator[tuple[DraftCode, int]]:
    """Every draft code with its depth (1 at the top), parents before children."""
    for code in codes:
        yield code, depth
        yield from walk_drafts(code.children, depth + 1)


def clean_colour(value: str | None) -> str | None:
    """A REFI-QDA colour (``#RRGGBB`` or ``#RGB``) as written, or None if absent or unusable."""
    value = (value or "").strip()
    return value if _COLOUR.match(value) else None


@dataclass
class Draft:
    """A drafted codebook, where it came from, and what a person still has to do."""

    codebook: Codebook
    source: str  # the file's name
    kind: str  # what the file was, e.g. "REFI-QDA codebook (.qdc)"
    counts: dict[str, int] = field(default_factory=dict)  # code id -> uses in the source
    notes: list[str] = field(default_factory=list)  # things changed on the way in

    def depth(self) -> int:
        """Levels of the hierarchy (1 for a flat list)."""
        levels = {code.id: 1 for code in self.codebook.codes}
        for code, parent in self.codebook.walk():
            if parent is not None:
                levels[code.id] = levels[parent] + 1
        return max(levels.values())

    def needs_definition(self) -> list[str]:
        """Ids of codes with no definition yet (a human coder could not apply them)."""
        return [code.id for code, _ in self.codebook.walk() if not code.definition.strip()]

    def needs_patterns(self) -> list[str]:
        """Ids of codes the rule coder cannot apply yet (no patterns)."""
        return [code.id for code, _ in self.codebook.walk() if not code.patterns]


def _to_code(draft: DraftCode, code_id: str, children: list[Code]) -> Code:
    return Code(id=code_id, label=draft.name, definition=draft.definition.strip(),
                when_to_use=draft.when_to_use.strip(),
                when_not_to_use=draft.when_not_to_use.strip(),
                colour=clean_colour(draft.colour), children=children)


def build_codebook(drafts: list[DraftCode], *, codebook_id: str, title: str, source: str,
                   description: str = "", version: str = DRAFT_VERSION
                   ) -> tuple[Codebook, dict[str, int]]:
    """A validated codebook from a tree of draft codes, and each code's count by its new id.

    Ids a wavecoder export recorded are kept when valid and unique; every other code gets a
    slug of its name, made unique by its parent's id or a number.
    """
    if not drafts:
        raise InputError(f"{source}: holds no codes")
    recorded = [d.known_id for d, _ in walk_drafts(drafts) if d.known_id and is_code_id(d.known_id)]
    kept = {i for i in recorded if recorded.count(i) == 1}
    ids = IdAllocator(reserved=kept)
    counts: dict[str, int] = {}

    def convert(codes: list[DraftCode], parent: str | None) -> list[Code]:
        built = []
        for draft in codes:
            code_id = draft.known_id if draft.known_id in kept else ids.allocate(draft.name,
                                                                                parent)
            if draft.count is not None:
                counts[code_id] = draft.count
            built.append(_to_code(draft, code_id, convert(draft.children, code_id)))
        return built

    try:
        codebook = Codebook(id=codebook_id, version=version, title=title,
                            description=description, codes=convert(drafts, None))
    except ValidationError as exc:
        raise InputError(f"{source}: cannot make a codebook of it: "
                         f"{exc.errors()[0]['msg']}") from None
    return codebook, counts


def codebook_id_for(name: str) -> str:
    """A codebook id (``^[a-z0-9][a-z0-9_-]*$``) from a file or project name."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    return slug or "codebook"
