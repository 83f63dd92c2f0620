"""A scripted researcher: recodes an exported ``.qdpx`` the way a QDA tool saves it.

The edit is described in wavecoder's terms (codings by segment and code id, passages by
document offsets) and written as NVivo, MAXQDA or QualCoder write a project back: the reviewer
becomes a ``<User>`` (reusing the exported one of the same name), deleted selections disappear,
a recode replaces the selection's ``<Coding>`` with a new one signed by the reviewer, new
selections get fresh guids, and the project records who modified it and when. Machine
selections are found by the coding line of their description and codes by their id line, as a
person reading the project would; the layout only supplies where a document starts in its
source.

Used by the review round-trip tests and the end-to-end test.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pipeline.review.qdpx import NAMESPACE, wave_layout

Q = f"{{{NAMESPACE}}}"
_TOOL = uuid.UUID("6f1c1a52-3a6e-4d0b-9d43-0d5d6c9e2a10")  # the tool's own guids, reproducible


def tool_guid(*parts: str) -> str:
    """A fresh guid as a tool would make, but the same on every test run."""
    return str(uuid.uuid5(_TOOL, "/".join(parts)))


@dataclass
class ReviewerEdit:
    """What a researcher did to the project in their QDA tool.

    Codings are ``(segment_id, code_id)``; added passages are ``(document_id, start, end,
    code_id)`` in document offsets; ``edit_text`` replaces ``old`` by ``new`` in the source of
    ``document_id``, moving the selections after it as a tool does.
    """

    reviewer: str = "Ann Reviewer"
    when: str = "2024-03-05T10:15:00Z"
    remove: list[tuple[str, str]] = field(default_factory=list)
    recode: dict[tuple[str, str], str] = field(default_factory=dict)
    add: list[tuple[str, int, int, str]] = field(default_factory=list)
    touch: dict[tuple[str, str], str] = field(default_factory=dict)  # coding -> modified time
    edit_text: list[tuple[str, str, str]] = field(default_factory=list)
    code_guids: dict[str, str] = field(default_factory=dict)  # code id -> guid to use instead


def _selections(root: etree._Element) -> dict[tuple[str, str], etree._Element]:
    found = {}
    for sel in root.iter(f"{Q}PlainTextSelection"):
        match = re.search(r"segment=(\S+) code=(\S+)\s*$", sel.findtext(f"{Q}Description") or "")
        if match:
            found[(match[1], match[2])] = sel
    return found


def _code_guids(root: etree._Element) -> dict[str, str]:
    codes = {}
    for code in root.iter(f"{Q}Code"):
        match = re.search(r"Code id: (\S+)\s*$", code.findtext(f"{Q}Description") or "")
        if match:
            codes[match[1]] = code.get("guid")
    return codes


def _reviewer_guid(root: etree._Element, name: str) -> str:
    users = root.find(f"{Q}Users")
    for user in users.iter(f"{Q}User"):
        if user.get("name") == name:
            return user.get("guid")
    guid = tool_guid("user", name)
    etree.SubElement(users, f"{Q}User", guid=guid, name=name)
    return guid


def _coding(parent: etree._Element, guid: str, code: str, user: str, when: str) -> None:
    coding = etree.SubElement(parent, f"{Q}Coding", guid=guid, creatingUser=user,
                              creationDateTime=when)
    etree.SubElement(coding, f"{Q}CodeRef", targetGUID=code)


def recode_qdpx(exported: Path, out: Path, outputs_dir: Path, edit: ReviewerEdit) -> Path:
    """Apply ``edit`` to the exported project and save it to ``out`` as a QDA tool would."""
    with zipfile.ZipFile(exported) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(members["project.qde"])
    user = _reviewer_guid(root, edit.reviewer)
    selections = _selections(root)
    codes = _code_guids(root) | edit.code_guids
    for key in edit.remove:
        selection = selections[key]
        selection.getparent().remove(selection)
    for key, code_id in edit.recode.items():
        selection = selections[key]
        for coding in selection.findall(f"{Q}Coding"):
            selection.remove(coding)
        _coding(selection, tool_guid("coding", *key, code_id), codes[code_id], user, edit.when)
        selection.set("modifyingUser", user)
        selection.set("modifiedDateTime", edit.when)
    for key, when in edit.touch.items():
        selections[key].set("modifyingUser", user)
        selections[key].set("modifiedDateTime", when)
    layout = wave_layout(outputs_dir)
    sources = {node.get("guid"): node for node in root.iter(f"{Q}TextSource")}
    for document_id, start, end, code_id in edit.add:
        plan = layout.source_of_document[document_id]
        offset = plan.offsets[document_id]
        node = sources[plan.guid]
        selection = etree.Element(
            f"{Q}PlainTextSelection", guid=tool_guid("selection", document_id, str(start),
                                                     str(end), code_id),
            name="", startPosition=str(offset + start), endPosition=str(offset + end),
            creatingUser=user, creationDateTime=edit.when, modifyingUser=user,
            modifiedDateTime=edit.when)
        etree.SubElement(selection, f"{Q}Description").text = ""
        _coding(selection, tool_guid("coding", document_id, str(start), code_id),
                codes[code_id], user, edit.when)
        kept = node.findall(f"{Q}PlainTextSelection")
        if kept:
            kept[-1].addnext(selection)
        else:  # selections follow the source's Description and PlainTextContent
            heads = node.findall(f"{Q}Description") + node.findall(f"{Q}PlainTextContent")
            node.insert(len(heads), selection)
    for document_id, old, new in edit.edit_text:
        plan = layout.source_of_document[document_id]
        name = f"sources/{plan.guid}.txt"
        text = members[name].decode("utf-8")
        at = text.index(old, plan.offsets[document_id])
        text = text[:at] + new + text[at + len(old):]
        members[name] = text.encode("utf-8")
        shift = len(new) - len(old)
        for selection in sources[plan.guid].iter(f"{Q}PlainTextSelection"):
            for attribute in ("startPosition", "endPosition"):
                position = int(selection.get(attribute))
                if position >= at + len(old) or (attribute == "endPosition" and position > at):
                    selection.set(attribute, str(position + shift))
    root.set("modifyingUserGUID", user)
    root.set("modifiedDateTime", edit.when)
    members["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members, key=lambda n: (n != "project.qde", n)):
            archive.writestr(name, members[name])
    return out
