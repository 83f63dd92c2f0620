"""Read a REFI-QDA project (``project.qde`` inside a ``.qdpx``) into plain records.

Only what review needs: users, codes, and per text source its plain text and selections with
their codings, creators and dates. Namespaces and the tools' optional attributes are ignored.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree


@dataclass
class CodingRecord:
    """A code applied to a selection, by whom and when."""

    guid: str
    code: str  # guid of the code referred to
    user: str
    created: str


@dataclass
class Selection:
    """A plain-text selection: its span in the source and its codings."""

    guid: str
    start: int
    end: int
    created_by: str
    created_at: str
    modified_by: str
    modified_at: str
    description: str
    codings: list[CodingRecord]


@dataclass
class Source:
    """A text source: its plain text and its selections."""

    guid: str
    name: str
    text: str | None
    selections: list[Selection]
    whole_codings: int


@dataclass
class Project:
    """The parts of a REFI-QDA project that review reads."""

    users: dict[str, str]
    codes: dict[str, tuple[str, str]]  # guid -> (name, description)
    sources: list[Source]
    modified_by: str
    modified_at: str


# --------------------------------------------------------------------------- reading the file


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _kids(node: etree._Element, name: str) -> list[etree._Element]:
    return [kid for kid in node if isinstance(kid.tag, str) and _local(kid) == name]


def _text_of(node: etree._Element, name: str) -> str:
    kids = _kids(node, name)
    return (kids[0].text or "") if kids else ""


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _codings(node: etree._Element) -> list[CodingRecord]:
    found = []
    for coding in _kids(node, "Coding"):
        refs = _kids(coding, "CodeRef")
        found.append(CodingRecord(guid=_guid(coding.get("guid")),
                             code=_guid(refs[0].get("targetGUID")) if refs else "",
                             user=_guid(coding.get("creatingUser")),
                             created=coding.get("creationDateTime") or ""))
    return found


def _source_text(archive: zipfile.ZipFile, node: etree._Element) -> str | None:
    inline = _kids(node, "PlainTextContent")
    if inline:
        return inline[0].text or ""
    path = node.get("plainTextPath") or ""
    if not path.startswith("internal://"):
        return None
    wanted = f"sources/{path.removeprefix('internal://')}".lower()
    for member in archive.namelist():
        if member.lower() == wanted:
            return archive.read(member).decode("utf-8-sig")
    return None


def read_project(path: Path) -> Project:
    """Parse a ``.qdpx``: users, codes, text sources with their texts, selections and codings."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"{path.name}: not a .qdpx (zip) file: {exc}") from None
    with archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".qde")]
        if not names:
            raise ValueError(f"{path.name}: holds no project.qde")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        try:
            root = etree.fromstring(archive.read(names[0]), parser)
        except etree.XMLSyntaxError as exc:
            raise ValueError(f"{path.name}: {names[0]} is not well-formed XML: {exc}") from None
        users = {_guid(u.get("guid")): u.get("name") or u.get("id") or _guid(u.get("guid"))
                 for u in root.iter() if isinstance(u.tag, str) and _local(u) == "User"}
        codes = {_guid(c.get("guid")): (c.get("name") or "", _text_of(c, "Description"))
                 for c in root.iter() if isinstance(c.tag, str) and _local(c) == "Code"}
        sources = []
        for node in (n for n in root.iter() if isinstance(n.tag, str)
                     and _local(n) == "TextSource"):
            selections = []
            for sel in _kids(node, "PlainTextSelection"):
                try:
                    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                except (TypeError, ValueError):
                    start = end = -1
                selections.append(Selection(
                    guid=_guid(sel.get("guid")), start=start, end=end,
                    created_by=_guid(sel.get("creatingUser")),
                    created_at=sel.get("creationDateTime") or "",
                    modified_by=_guid(sel.get("modifyingUser")),
                    modified_at=sel.get("modifiedDateTime") or "",
                    description=_text_of(sel, "Description"), codings=_codings(sel)))
            sources.append(Source(guid=_guid(node.get("guid")), name=node.get("name") or "",
                                   text=_source_text(archive, node), selections=selections,
                                   whole_codings=len(_kids(node, "Coding"))))
    return Project(users=users, codes=codes, sources=sources,
                    modified_by=_guid(root.get("modifyingUserGUID")),
                    modified_at=root.get("modifiedDateTime") or "")


def validate_project(xml: bytes, schema: Path) -> list[str]:
    """Validate ``project.qde`` bytes against a REFI-QDA schema; returns the errors (none: [])."""
    validator = etree.XMLSchema(etree.parse(str(schema)))
    document = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    if validator.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in validator.error_log]
