"""A coded wave as a REFI-QDA project (``.qdpx``) that NVivo, ATLAS.ti, MAXQDA or QualCoder open.

The project holds one text source per transcript and one per respondent's survey answers (each
answer under its question heading), the codebook as nested codes, respondents as cases with
their attributes as variables, and every machine coding as a plain-text selection coded by a
user named after the coder. A researcher recodes it in their tool; :mod:`pipeline.review.qdpx_read`
reads their decisions back.

Every guid is a uuid5 of stable ids, and the zip's members carry a fixed date, so exporting the
same outputs twice gives identical bytes. Positions are character offsets (code points) into
the plain text of a source; :func:`wave_layout` maps every document's text to its offset in its
source, and the importer rebuilds the same layout to check and map selections back.
"""

from __future__ import annotations

import math
import re
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from lxml import etree

from pipeline import schema as s
from pipeline.config import Code, Codebook
from pipeline.errors import InputError
from pipeline.outputs import WaveOutputs, as_wave
from pipeline.review.status import REVIEWER_CODER

NAMESPACE = "urn:QDA-XML:project:1.0"
PROJECT_MEMBER = "project.qde"
SOURCES_DIR = "sources"
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:wavecoder:refi-qda")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # a fixed member date: re-exports are byte-identical
CODING_TAG = "wavecoder coding:"  # last line of a selection's description: segment and code
CODE_ID_TAG = "Code id:"  # last line of a code's description


def stable_guid(kind: str, *parts: str) -> str:
    """A guid derived from a kind and stable ids, the same on every export."""
    return str(uuid.uuid5(_GUID_NAMESPACE, "\x1f".join((kind, *parts))))


def code_guid(code_id: str) -> str:
    """The guid of a codebook code (independent of the wave, so projects can be merged)."""
    return stable_guid("code", code_id)


def machine_user_guid(coder: str) -> str:
    """The guid of the user standing for a machine coder."""
    return stable_guid("user", "machine", coder)


def reviewer_user_guid(name: str) -> str:
    """The guid of a human reviewer's user."""
    return stable_guid("user", "reviewer", name)


def _user_of(coder: str) -> tuple[str, str]:
    """The project user (guid, name) of a coding's coder.

    A coding people added (coder ``reviewer:<name>``) belongs to that reviewer, any other to
    the machine coder.
    """
    if coder.startswith(REVIEWER_CODER):
        name = coder[len(REVIEWER_CODER):]
        return reviewer_user_guid(name), name
    return machine_user_guid(coder), coder


def coding_tag(segment_id: str, code_id: str) -> str:
    """The line identifying a machine coding in its selection's description."""
    return f"{CODING_TAG} segment={segment_id} code={code_id}"


@dataclass(frozen=True)
class SourcePlan:
    """One exported text source: its text and where each document's text starts in it."""

    guid: str
    name: str
    respondent_id: str
    text: str
    offsets: dict[str, int]  # document_id -> offset of the document's text in ``text``

    @property
    def path(self) -> str:
        """The member of the zip holding the plain text."""
        return f"{SOURCES_DIR}/{self.guid}.txt"


@dataclass(frozen=True)
class MachineSelection:
    """One machine coding placed in its source: source offsets and the coding it stands for."""

    guid: str
    coding_guid: str
    source_guid: str
    start: int  # offsets into the source text
    end: int
    segment_id: str
    document_id: str
    code_id: str
    doc_start: int  # offsets into the document text, as in codings
    doc_end: int
    evidence: str
    confidence: float
    negated: bool
    needs_review: bool
    method: str
    pattern: str
    coder: str

    @property
    def key(self) -> tuple[str, str]:
        """The coding's identity: (segment_id, code_id)."""
        return self.segment_id, self.code_id


@dataclass
class WaveLayout:
    """A wave's outputs laid out as REFI-QDA sources, cases and selections."""

    wave: str
    sources: list[SourcePlan]
    selections: list[MachineSelection]
    documents: pd.DataFrame
    segments: pd.DataFrame
    coders: list[str]
    attributes: list[str]
    source_of_document: dict[str, SourcePlan] = field(default_factory=dict)


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _text(value: object) -> str:
    return "" if _missing(value) else str(value)


def _source_text(group: pd.DataFrame) -> tuple[str, dict[str, int]]:
    """The text of one source: a lone transcript as is, else answers under question headings."""
    first = group.iloc[0]
    if len(group) == 1 and first[s.KIND] != "survey":
        return _text(first[s.TEXT]), {first[s.DOCUMENT_ID]: 0}
    blocks: list[str] = []
    offsets: dict[str, int] = {}
    position = 0
    for doc in group.to_dict("records"):
        heading = f"[{_text(doc[s.QUESTION_ID])}] {_text(doc[s.QUESTION])}".strip()
        offsets[doc[s.DOCUMENT_ID]] = position + len(heading) + 1
        blocks.append(f"{heading}\n{_text(doc[s.TEXT])}\n")
        position += len(blocks[-1]) + 1  # blocks are separated by a blank line
    return "\n".join(blocks), offsets


def wave_layout(outputs: Path | WaveOutputs) -> WaveLayout:
    """Lay a wave's outputs folder out as sources and machine selections.

    Args:
        outputs: ``outputs/<wave>/``, or the wave already read from it
            (:func:`pipeline.outputs.read_wave`).

    Returns:
        The layout; raises ValueError naming a coding whose evidence is not the text at its
        offsets (the outputs are inconsistent).
    """
    read = as_wave(outputs)
    docs, segments, codings, wave = read.documents, read.segments, read.codings, read.wave
    keys = docs[s.SOURCE].fillna("").astype(str) + "\x1f" + docs[s.RESPONDENT_ID].fillna("")
    sources: list[SourcePlan] = []
    by_document: dict[str, SourcePlan] = {}
    for key, group in docs.groupby(keys, sort=False):
        source, respondent = str(key).split("\x1f", 1)
        text, offsets = _source_text(group)
        plan = SourcePlan(guid=stable_guid("source", wave, source, respondent),
                          name=f"{respondent} ({source})", respondent_id=respondent,
                          text=text, offsets=offsets)
        sources.append(plan)
        by_document.update({doc_id: plan for doc_id in offsets})
    if s.STATUS in codings.columns:  # codings a reviewer rejected are not offered again
        codings = codings[codings[s.STATUS].fillna(s.STATUS_MACHINE) != s.STATUS_REJECTED]
    document_of = dict(zip(segments[s.SEGMENT_ID], segments[s.DOCUMENT_ID], strict=True))
    selections: list[MachineSelection] = []
    for row in codings.to_dict("records"):
        segment_id, code_id = str(row[s.SEGMENT_ID]), str(row[s.CODE_ID])
        document_id = document_of.get(segment_id)
        if document_id is None or document_id not in by_document:
            raise InputError(f"coding ({segment_id}, {code_id}): its segment is not in "
                             "segments.parquet or its document is not in documents.parquet")
        plan = by_document[document_id]
        offset = plan.offsets[document_id]
        start, end = offset + int(row[s.START]), offset + int(row[s.END])
        evidence = _text(row[s.EVIDENCE])
        if plan.text[start:end] != evidence:
            raise InputError(f"coding ({segment_id}, {code_id}): its evidence is not the text "
                             f"at {row[s.START]}:{row[s.END]} of {document_id}")
        wave_key = (wave, segment_id, code_id)
        selections.append(MachineSelection(
            guid=stable_guid("selection", *wave_key), coding_guid=stable_guid("coding", *wave_key),
            source_guid=plan.guid, start=start, end=end, segment_id=segment_id,
            document_id=document_id, code_id=code_id, doc_start=int(row[s.START]),
            doc_end=int(row[s.END]), evidence=evidence,
            confidence=math.nan if _missing(row[s.CONFIDENCE]) else float(row[s.CONFIDENCE]),
            negated=not _missing(row[s.NEGATED]) and bool(row[s.NEGATED]),
            needs_review=not _missing(row.get(s.NEEDS_REVIEW)) and bool(row.get(s.NEEDS_REVIEW)),
            method=_text(row[s.METHOD]), pattern=_text(row[s.PATTERN]),
            coder=_text(row[s.CODER]) or "wavecoder",
        ))
    order = {plan.guid: i for i, plan in enumerate(sources)}
    selections.sort(key=lambda sel: (order[sel.source_guid], sel.start, sel.end, sel.code_id,
                                     sel.segment_id))
    attributes = [c for c in docs.columns if c not in s.DOCUMENTS.names]
    coders = sorted({sel.coder for sel in selections})
    return WaveLayout(wave=wave, sources=sources, selections=selections, documents=docs,
                      segments=segments, coders=coders, attributes=attributes,
                      source_of_document=by_document)


# --------------------------------------------------------------------------- project XML


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """``text`` with characters XML 1.0 cannot hold (control characters) replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _element(parent: etree._Element | None, local: str, text: str | None = None, /,
             **attributes: str) -> etree._Element:
    tag = f"{{{NAMESPACE}}}{local}"
    node = (etree.Element(tag, nsmap={None: NAMESPACE}) if parent is None
            else etree.SubElement(parent, tag))
    for key, value in attributes.items():
        node.set(key, _xml(value))
    if text is not None:
        node.text = _xml(text)
    return node


def _code_description(code: Code) -> str:
    lines = [code.definition.strip()]
    if code.when_to_use.strip():
        lines.append(f"Use when: {code.when_to_use.strip()}")
    if code.when_not_to_use.strip():
        lines.append(f"Do not use when: {code.when_not_to_use.strip()}")
    lines.append(f"{CODE_ID_TAG} {code.id}")
    return "\n\n".join(lines)


def _add_codes(parent: etree._Element, codes: list[Code]) -> None:
    for code in codes:
        node = _element(parent, "Code", guid=code_guid(code.id), name=code.label,
                        isCodable="true")
        _element(node, "Description", _code_description(code))
        _add_codes(node, code.children)


def _selection_description(sel: MachineSelection, label: str) -> str:
    confidence = "n/a" if math.isnan(sel.confidence) else f"{sel.confidence:.2f}"
    rule = f"{sel.method} {sel.pattern}".strip()
    return (f"{label}: \"{sel.evidence}\"\n"
            f"confidence {confidence}; negated: {'yes' if sel.negated else 'no'}; "
            f"needs review: {'yes' if sel.needs_review else 'no'}; {rule}; coder {sel.coder}\n"
            + coding_tag(sel.segment_id, sel.code_id))


def _first_values(docs: pd.DataFrame, columns: list[str]) -> dict[str, dict[str, str]]:
    """Each respondent's attribute values (the first non-empty value of each attribute)."""
    values: dict[str, dict[str, str]] = {}
    for doc in docs.to_dict("records"):
        mine = values.setdefault(_text(doc[s.RESPONDENT_ID]), {})
        for column in columns:
            value = _text(doc[column])
            if value and column not in mine:
                mine[column] = value
    return values


def project_xml(layout: WaveLayout, codebook: Codebook, reviewers: Sequence[str] = ()) -> bytes:
    """The ``project.qde`` document of a wave's layout, as UTF-8 bytes."""
    known = set(codebook.code_ids())
    unknown = sorted({sel.code_id for sel in layout.selections} - known)
    if unknown:
        raise InputError(f"codings use codes that codebook '{codebook.id}' does not have: "
                         f"{', '.join(unknown)}")
    users = list(dict.fromkeys([_user_of(c) for c in layout.coders]
                               + [(reviewer_user_guid(name), name) for name in reviewers]))
    attributes = {"name": layout.wave, "origin": "wavecoder"}
    if users:
        attributes["creatingUserGUID"] = users[0][0]
    root = _element(None, "Project", **attributes)
    if users:
        users_node = _element(root, "Users")
        for guid, name in users:
            _element(users_node, "User", guid=guid, name=name)
    _add_codes(_element(_element(root, "CodeBook"), "Codes"), codebook.codes)
    if layout.attributes:
        variables = _element(root, "Variables")
        for name in layout.attributes:
            _element(variables, "Variable", guid=stable_guid("variable", layout.wave, name),
                     name=name, typeOfVariable="Text")
    values = _first_values(layout.documents, layout.attributes)
    respondents = list(dict.fromkeys(plan.respondent_id for plan in layout.sources))
    if respondents:
        cases = _element(root, "Cases")
        for respondent in respondents:
            case = _element(cases, "Case", guid=stable_guid("case", layout.wave, respondent),
                            name=respondent)
            for name, value in values.get(respondent, {}).items():
                node = _element(case, "VariableValue")
                _element(node, "VariableRef",
                         targetGUID=stable_guid("variable", layout.wave, name))
                _element(node, "TextValue", value)
            for plan in layout.sources:
                if plan.respondent_id == respondent:
                    _element(case, "SourceRef", targetGUID=plan.guid)
    labels = codebook.labels()
    by_source: dict[str, list[MachineSelection]] = {}
    for sel in layout.selections:
        by_source.setdefault(sel.source_guid, []).append(sel)
    if layout.sources:
        sources = _element(root, "Sources")
        for plan in layout.sources:
            node = _element(sources, "TextSource", guid=plan.guid, name=plan.name,
                            plainTextPath=f"internal://{plan.guid}.txt")
            for sel in by_source.get(plan.guid, []):
                user = _user_of(sel.coder)[0]
                selection = _element(node, "PlainTextSelection", guid=sel.guid,
                                     startPosition=str(sel.start), endPosition=str(sel.end),
                                     creatingUser=user)
                _element(selection, "Description",
                         _selection_description(sel, labels[sel.code_id]))
                coding = _element(selection, "Coding", guid=sel.coding_guid, creatingUser=user)
                _element(coding, "CodeRef", targetGUID=code_guid(sel.code_id))
    coders = ", ".join(layout.coders) or "none"
    _element(root, "Description",
             f"wavecoder coding of wave {layout.wave}: codebook {codebook.id} "
             f"{codebook.version} (sha256 {codebook.sha256 or 'unknown'}), coder {coders}. "
             f"Each selection's description ends with the coding it stands for.")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def export_qdpx(outputs: Path | WaveOutputs, codebook: Codebook, out: Path | None = None,
                reviewers: Sequence[str] = ()) -> Path:
    """Write a wave's outputs as a REFI-QDA project for a researcher to review in a QDA tool.

    Args:
        outputs: ``outputs/<wave>/`` of a run, or the wave already read from it.
        codebook: the codebook the wave was coded with.
        out: the ``.qdpx`` to write (default ``outputs/<wave>/<wave>.qdpx``).
        reviewers: names of human reviewers to create as users, so their tool can code as them.

    Returns:
        The path written. Raises ValueError when the outputs are inconsistent with each other or
        with the codebook.
    """
    wave = as_wave(outputs)
    layout = wave_layout(wave)
    xml = project_xml(layout, codebook, list(reviewers))
    out = out or wave.directory / f"{layout.wave}.qdpx"
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        _write_member(archive, PROJECT_MEMBER, xml)
        for plan in layout.sources:
            _write_member(archive, plan.path, plan.text.encode("utf-8"))
    partial.replace(out)
    return out
