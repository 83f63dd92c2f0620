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

import datetime as dt
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


def user_of(coder: str) -> tuple[str, str]:
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
    name: str  # file-safe: QDA tools copy sources to files named after them
    respondent_id: str
    text: str
    offsets: dict[str, int]  # document_id -> offset of the document's text in ``text``
    origin: str = ""  # the input file the text comes from, as documents.parquet names it
    questions: tuple[str, ...] = ()  # survey questions answered in the source

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
    created: str = ""  # when the run coded the wave (ISO 8601, UTC), for creationDateTime


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


_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')


def source_name(respondent: str, source: str, taken: set[str]) -> str:
    """A source's name as a file name: ``CE01 - interviews_CE01.txt``, unique within ``taken``.

    QualCoder copies a source to a file named after it, so a ``/`` or ``:`` in the name breaks
    the import; the origin, as written, goes in the source's description instead.
    """
    base = _UNSAFE.sub("_", f"{respondent} - {source}" if source else respondent).strip(" .")
    base = base[:150] or "source"
    name, number = base, 1
    while name.casefold() in taken:
        number += 1
        name = f"{base} ({number})"
    taken.add(name.casefold())
    return name


def _created(directory: Path) -> str:
    """When the run wrote the wave's segments (UTC): the machine codings' creation time.

    The same on every export of the same outputs, so exports stay byte-identical.
    """
    try:
        stamp = (directory / "segments.parquet").stat().st_mtime
    except OSError:
        return ""
    return dt.datetime.fromtimestamp(int(stamp), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    taken: set[str] = set()
    for key, group in docs.groupby(keys, sort=False):
        source, respondent = str(key).split("\x1f", 1)
        text, offsets = _source_text(group)
        survey = group[group[s.KIND] == "survey"]
        plan = SourcePlan(guid=stable_guid("source", wave, source, respondent),
                          name=source_name(respondent, source, taken), respondent_id=respondent,
                          text=text, offsets=offsets, origin=source,
                          questions=tuple(dict.fromkeys(survey[s.QUESTION_ID].dropna())))
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
                      source_of_document=by_document, created=_created(read.directory))


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
    from pipeline.review.qdpx_xml import project_xml  # the XML writer builds on this module

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
