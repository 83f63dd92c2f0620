"""Read a REFI-QDA project (``project.qde`` inside a ``.qdpx``) into plain records.

Only what review needs: users, codes, and per text source its plain text and selections with
their codings, creators and dates. Namespaces and the tools' optional attributes are ignored.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pipeline.errors import InputError
from pipeline.untrusted import MAX_PROJECT_BYTES, open_zip, parse_xml, read_bounded

MAX_SOURCE_BYTES = 64 * 2**20  # one source text: a very long transcript is a few MB


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


def _source_text(archive: zipfile.ZipFile, node: etree._Element, path: Path) -> str | None:
    inline = _kids(node, "PlainTextContent")
    if inline:
        return inline[0].text or ""
    text_path = node.get("plainTextPath") or ""
    if not text_path.startswith("internal://"):
        return None
    wanted = f"sources/{text_path.removeprefix('internal://')}".lower()
    for info in archive.infolist():
        if info.filename.lower() == wanted:
            data = read_bounded(archive, info, path, MAX_SOURCE_BYTES)
            try:
                return data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: {info.filename} is not UTF-8 text (byte "
                                 f"{exc.start})") from None
    return None


def read_project(path: Path) -> Project:
    """Parse a ``.qdpx``: users, codes, text sources with their texts, selections and codings.

    The file is untrusted: members are size-checked before they are inflated and the XML is
    parsed without entities or network (InputError naming the file otherwise).
    """
    with open_zip(path) as archive:
        infos = [i for i in archive.infolist() if i.filename.lower().endswith(".qde")]
        if not infos:
            raise InputError(f"{path}: holds no project.qde, so it is not a REFI-QDA project")
        root = parse_xml(read_bounded(archive, infos[0], path, MAX_PROJECT_BYTES),
                         f"{path}: {infos[0].filename}")
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
                                   text=_source_text(archive, node, path), selections=selections,
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
