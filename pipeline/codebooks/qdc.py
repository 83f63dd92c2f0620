"""REFI-QDA codebooks: read a ``.qdc`` (or the codebook of a ``.qdpx``), write a ``.qdc``.

NVivo, ATLAS.ti, MAXQDA and QualCoder exchange codebooks as QDA-XML (``urn:QDA-XML:codebook:1.0``;
a project's ``project.qde`` holds the same ``CodeBook`` in ``urn:QDA-XML:project:1.0``). Elements
are found by local name, so either namespace reads. A code's name becomes its label, its
description (and, in a project, its memos) its definition, its colour is kept, and nested codes
stay nested. The writer puts the code id on the description's last line, as the ``.qdpx``
export does (:mod:`pipeline.review.qdpx`), so a codebook survives the trip out and back.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from pipeline.codebooks.draft import (
    DRAFT_VERSION,
    Draft,
    DraftCode,
    build_codebook,
    clean_colour,
    codebook_id_for,
)
from pipeline.codebooks.files import MAX_XML_BYTES, kind_of
from pipeline.config import Code, Codebook
from pipeline.errors import InputError
from pipeline.review.qdpx import CODE_ID_TAG, _code_description, _xml, code_guid
from pipeline.untrusted import MAX_PROJECT_BYTES, check_size, parse_xml, read_member

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
USE_WHEN = "Use when:"  # the paragraphs pipeline.review.qdpx writes into a code's description
NOT_WHEN = "Do not use when:"
ORIGIN = "wavecoder: codebook"  # the CodeBook's origin attribute: "<ORIGIN> <id> <version>"
_ORIGIN = re.compile(rf"^{ORIGIN} ([a-z0-9][a-z0-9_-]*) (\S+)$")


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _kids(node: etree._Element, name: str) -> list[etree._Element]:
    return [kid for kid in node if _local(kid) == name]


def _first_text(node: etree._Element, name: str) -> str:
    kids = _kids(node, name)
    return (kids[0].text or "") if kids else ""


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _from_description(text: str, code: DraftCode) -> None:
    """Fill a draft's definition; a wavecoder description also gives the id and when to use."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if not paragraphs or not paragraphs[-1].startswith(CODE_ID_TAG):
        code.definition = text.strip()
        return
    code.known_id = paragraphs.pop()[len(CODE_ID_TAG):].strip()
    rest = []
    for paragraph in paragraphs:
        if paragraph.startswith(USE_WHEN):
            code.when_to_use = paragraph[len(USE_WHEN):].strip()
        elif paragraph.startswith(NOT_WHEN):
            code.when_not_to_use = paragraph[len(NOT_WHEN):].strip()
        else:
            rest.append(paragraph)
    code.definition = "\n\n".join(rest)


def _codes(parent: etree._Element, memos: dict[str, str], where: str,
           notes: list[str]) -> list[DraftCode]:
    found = []
    for node in _kids(parent, "Code"):
        name = (node.get("name") or "").strip()
        if not name:
            raise InputError(f"{where}: the Code with guid '{_guid(node.get('guid'))}' has no "
                             "name")
        code = DraftCode(name=name, colour=clean_colour(node.get("color")))
        if node.get("color") and code.colour is None:
            notes.append(f"code '{name}': colour '{node.get('color')}' is not #RRGGBB; dropped")
        _from_description(_first_text(node, "Description"), code)
        texts = [memos[g] for g in (_guid(r.get("targetGUID")) for r in _kids(node, "NoteRef"))
                 if memos.get(g)]
        code.definition = "\n\n".join(t for t in [code.definition, *texts] if t)
        code.children = _codes(node, memos, where, notes)
        found.append(code)
    return found


def _memo_texts(root: etree._Element, path: Path) -> dict[str, str]:
    """Notes (memos) of a project by guid: inline text, or the member a note points to."""
    with zipfile.ZipFile(path) as archive:  # a memo whose file is missing is skipped
        members = {name.lower() for name in archive.namelist()}
    memos = {}
    for note in (n for n in root.iter() if _local(n) == "Note"):
        text = _first_text(note, "PlainTextContent")
        target = (note.get("plainTextPath") or "").removeprefix("internal://").lower()
        wanted = f"sources/{target}"
        if not text and target and wanted in members:
            _, data = read_member(path, lambda name, w=wanted: name.lower() == w,
                                  f"memo {wanted}", MAX_XML_BYTES)
            text = data.decode("utf-8-sig", errors="replace")
        memos[_guid(note.get("guid"))] = text.strip()
    return memos


def read_qdc(path: Path, codebook_id: str | None = None) -> Draft:
    """Read a REFI-QDA codebook (``.qdc``) or a project's codebook (``.qdpx``) as a draft.

    Args:
        path: the ``.qdc`` (XML) or ``.qdpx`` (zip holding ``project.qde``).
        codebook_id: the new codebook's id (default: from the file name).

    Returns:
        The draft; raises InputError naming the file for anything that is not a readable
        REFI-QDA codebook (malformed or hostile XML, too large, a zip with no project).
    """
    kind = kind_of(path)
    memos: dict[str, str] = {}
    if kind == "zip":
        member, data = read_member(path, lambda name: name.lower().endswith(".qde"),
                                   "project.qde", MAX_PROJECT_BYTES)
        where, what = f"{path} ({member})", "REFI-QDA project (.qdpx)"
    elif kind == "xml":
        check_size(path, MAX_XML_BYTES, "a REFI-QDA codebook (.qdc)")
        data, where, what = path.read_bytes(), str(path), "REFI-QDA codebook (.qdc)"
    else:
        raise InputError(f"{path}: not a REFI-QDA codebook (.qdc, XML) or project (.qdpx, zip)")
    root = parse_xml(data, where)
    books = [n for n in root.iter() if _local(n) == "CodeBook"]
    codes_nodes = _kids(books[0], "Codes") if books else []
    if not codes_nodes:
        raise InputError(f"{where}: no REFI-QDA CodeBook with Codes in it (the root element "
                         f"is <{_local(root)}>)")
    if kind == "zip":
        memos = _memo_texts(root, path)
    notes: list[str] = []
    drafts = _codes(codes_nodes[0], memos, where, notes)
    categories = sum(1 for node in codes_nodes[0].iter() if _local(node) == "Code"
                     and (node.get("isCodable") or "").strip().lower() in ("false", "0"))
    if categories:
        notes.append(f"{categories} codes are not codable in the source (categories only); "
                     "they are ordinary codes here")
    # A codebook wavecoder wrote keeps its id and version; any other starts as a draft.
    ours = _ORIGIN.match((books[0].get("origin") or "").strip())
    codebook, counts = build_codebook(
        drafts, codebook_id=codebook_id or (ours[1] if ours else codebook_id_for(path.stem)),
        version=ours[2] if ours else DRAFT_VERSION, title=root.get("name") or path.stem,
        source=str(path), description=f"Imported from {path.name}.")
    return Draft(codebook, path.name, what, counts, notes)


# --------------------------------------------------------------------------- writing


def _add_codes(parent: etree._Element, codes: list[Code]) -> None:
    for code in codes:
        node = etree.SubElement(parent, f"{{{CODEBOOK_NAMESPACE}}}Code")
        node.set("guid", code_guid(code.id))
        node.set("name", _xml(code.label))
        node.set("isCodable", "true")
        if code.colour:
            node.set("color", code.colour)
        description = etree.SubElement(node, f"{{{CODEBOOK_NAMESPACE}}}Description")
        description.text = _xml(_code_description(code))
        _add_codes(node, code.children)


def codebook_qdc(codebook: Codebook) -> bytes:
    """A codebook as REFI-QDA codebook XML (valid against ``Codebook.xsd``), UTF-8 bytes."""
    root = etree.Element(f"{{{CODEBOOK_NAMESPACE}}}CodeBook", nsmap={None: CODEBOOK_NAMESPACE})
    root.set("origin", _xml(f"{ORIGIN} {codebook.id} {codebook.version}"))
    _add_codes(etree.SubElement(root, f"{{{CODEBOOK_NAMESPACE}}}Codes"), codebook.codes)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_qdc(codebook: Codebook, out: Path) -> Path:
    """Write ``codebook`` to ``out`` (a ``.qdc``), replacing it only once fully written."""
    if out.suffix.lower() != ".qdc":
        raise InputError(f"{out}: a REFI-QDA codebook is written to a .qdc file")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(codebook_qdc(codebook))
    partial.replace(out)
    return out

