"""Reviewer decisions from a ``.qdpx`` a researcher recoded in NVivo, ATLAS.ti, MAXQDA or QualCoder.

The wave's outputs are laid out again exactly as :func:`pipeline.review.qdpx.export_qdpx` wrote
them, and the project is compared with that layout:

* a machine selection still carrying its code is **accepted**; if it also carries other codes,
  each of those is **added**;
* a machine selection that was deleted, or whose code was removed, is **rejected**;
* a selection whose machine code was replaced by another (in place, or by deleting the machine
  selection and coding the same span anew) is a recode: **rejected** plus **added**;
* a new selection is **added** to the segment it lies in (the one it overlaps most when it spans
  several; the detail says so).

Machine selections are recognised by guid, else by the coding line of their description, else by
span and code. A source whose text differs from the exported text is named in a problem; its
selections are mapped back only through text that is unchanged (``difflib`` alignment) and any
selection touching an edit is skipped, never guessed. Codes and sources that wavecoder did not
export are reported, naming the selection.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from lxml import etree

from pipeline import schema as s
from pipeline.config import Codebook, ConfigError, load_codebook
from pipeline.review import ReviewImport
from pipeline.review.qdpx import (
    CODE_ID_TAG,
    CODING_TAG,
    MachineSelection,
    SourcePlan,
    WaveLayout,
    code_guid,
    codebook_path_of_run,
    machine_user_guid,
    wave_layout,
)

_CODING_LINE = re.compile(re.escape(CODING_TAG) + r" segment=(\S+) code=(\S+)\s*$", re.M)
_CODE_ID_LINE = re.compile(re.escape(CODE_ID_TAG) + r" ([a-z][a-z0-9_]*)\s*$", re.M)
_ORDER = {s.DECISION_REJECTED: 0, s.DECISION_ADDED: 1, s.DECISION_ACCEPTED: 2}


@dataclass
class _Coding:
    guid: str
    code: str  # guid of the code referred to
    user: str
    created: str


@dataclass
class _Selection:
    guid: str
    start: int
    end: int
    created_by: str
    created_at: str
    modified_by: str
    modified_at: str
    description: str
    codings: list[_Coding]


@dataclass
class _Source:
    guid: str
    name: str
    text: str | None
    selections: list[_Selection]
    whole_codings: int


@dataclass
class _Project:
    users: dict[str, str]
    codes: dict[str, tuple[str, str]]  # guid -> (name, description)
    sources: list[_Source]
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


def _codings(node: etree._Element) -> list[_Coding]:
    found = []
    for coding in _kids(node, "Coding"):
        refs = _kids(coding, "CodeRef")
        found.append(_Coding(guid=_guid(coding.get("guid")),
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


def read_project(path: Path) -> _Project:
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
                selections.append(_Selection(
                    guid=_guid(sel.get("guid")), start=start, end=end,
                    created_by=_guid(sel.get("creatingUser")),
                    created_at=sel.get("creationDateTime") or "",
                    modified_by=_guid(sel.get("modifyingUser")),
                    modified_at=sel.get("modifiedDateTime") or "",
                    description=_text_of(sel, "Description"), codings=_codings(sel)))
            sources.append(_Source(guid=_guid(node.get("guid")), name=node.get("name") or "",
                                   text=_source_text(archive, node), selections=selections,
                                   whole_codings=len(_kids(node, "Coding"))))
    return _Project(users=users, codes=codes, sources=sources,
                    modified_by=_guid(root.get("modifyingUserGUID")),
                    modified_at=root.get("modifiedDateTime") or "")


# --------------------------------------------------------------------------- offsets

# Texts are aligned line by line (line breaks are tokens of their own, so changed breaks leave
# the lines aligned), then word by word inside changed lines, then character by character.
_TOKENS = (re.compile(r"[^\r\n]+|\r\n|\r|\n"), re.compile(r"\s*\S+\s*|\s+"))
_CHAR_DIFF_LIMIT = 4_000_000  # changed runs larger than this (chars x chars) stay unaligned


def _trim(a: str, b: str) -> tuple[int, int]:
    """Lengths of the common prefix and (after it) the common suffix of ``a`` and ``b``."""
    prefix = len(os.path.commonprefix([a, b]))
    return prefix, len(os.path.commonprefix([a[prefix:][::-1], b[prefix:][::-1]]))


def _aligned(a: str, b: str, level: int = 0) -> list[tuple[int, int, int]]:
    """Runs of ``b`` equal to runs of ``a``: (start in b, end in b, start in a)."""
    prefix, suffix = _trim(a, b)
    blocks = [(0, prefix, 0), (len(b) - suffix, len(b), len(a) - suffix)]
    mid_a, mid_b = a[prefix:len(a) - suffix], b[prefix:len(b) - suffix]
    if not mid_a or not mid_b:
        return blocks
    if level == len(_TOKENS):
        if len(mid_a) * len(mid_b) <= _CHAR_DIFF_LIMIT:
            matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False)
            blocks += [(prefix + j1, prefix + j2, prefix + i1) for tag, i1, _, j1, j2
                       in matcher.get_opcodes() if tag == "equal"]
        return blocks
    ta = [(m.start(), m.group()) for m in _TOKENS[level].finditer(mid_a)]
    tb = [(m.start(), m.group()) for m in _TOKENS[level].finditer(mid_b)]
    matcher = difflib.SequenceMatcher(None, [tok for _, tok in ta], [tok for _, tok in tb],
                                      autojunk=level > 0)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a0, a1 = (ta[i][0] if i < len(ta) else len(mid_a) for i in (i1, i2))
        b0, b1 = (tb[j][0] if j < len(tb) else len(mid_b) for j in (j1, j2))
        if tag == "equal":
            blocks.append((prefix + b0, prefix + b1, prefix + a0))
        elif tag == "replace":
            blocks += [(prefix + b0 + s, prefix + b0 + e, prefix + a0 + o)
                       for s, e, o in _aligned(mid_a[a0:a1], mid_b[b0:b1], level + 1)]
    return blocks


class _OffsetMap:
    """Maps spans of a source's text as found back to the exported text, through equal runs."""

    def __init__(self, exported: str, found: str) -> None:
        self.identical = exported == found
        self.line_breaks_only = not self.identical and (
            exported.replace("\r\n", "\n") == found.replace("\r\n", "\n"))
        self.length = len(found)
        merged: list[tuple[int, int, int]] = []
        for start, end, old in sorted(_aligned(exported, found) if not self.identical else []):
            if merged and merged[-1][1] == start and merged[-1][2] + start - merged[-1][0] == old:
                merged[-1] = (merged[-1][0], end, merged[-1][2])
            elif end > start:
                merged.append((start, end, old))
        self.blocks = merged
        self.starts = [block[0] for block in merged]
        matched = sum(end - start for start, end, _ in merged)
        self.changed = 0 if self.identical else max(len(exported), len(found)) - matched

    def back(self, start: int, end: int) -> tuple[int, int] | None:
        """The exported span of found ``[start, end)``, or None when it touches an edit."""
        if not 0 <= start < end <= self.length:
            return None
        if self.identical:
            return start, end
        index = bisect.bisect_right(self.starts, start) - 1
        if index < 0:
            return None
        j1, j2, i1 = self.blocks[index]
        return (i1 + start - j1, i1 + end - j1) if end <= j2 else None


# --------------------------------------------------------------------------- decisions


@dataclass
class _Place:
    document_id: str
    segment_id: str
    start: int  # document offsets
    end: int
    evidence: str
    note: str


class _Review:
    """One pass over a project against the wave's layout, collecting decisions and problems."""

    def __init__(self, layout: WaveLayout, project: _Project, file_name: str, digest: str,
                 code_ids: set[str], complete: bool) -> None:
        self.layout, self.project, self.file_name, self.digest = layout, project, file_name, digest
        self.rows: list[dict] = []
        self.problems: list[str] = []
        self.state: dict[tuple[str, str], str] = {}  # coding key -> decided | unsure
        self.by_guid = {sel.guid: sel for sel in layout.selections}
        self.by_key = {sel.key: sel for sel in layout.selections}
        self.order = {plan.guid: i for i, plan in enumerate(layout.sources)}
        self.code_of = {code_guid(c): c for c in code_ids}
        for guid, (_name, description) in project.codes.items():
            match = _CODE_ID_LINE.search(description)
            if guid not in self.code_of and match and (match[1] in code_ids or not complete):
                self.code_of[guid] = match[1]
        machine = {machine_user_guid(c) for c in layout.coders}
        self.humans = {g: n for g, n in project.users.items()
                       if g not in machine and n not in layout.coders}
        docs = layout.documents
        self.doc_text = dict(zip(docs[s.DOCUMENT_ID], docs[s.TEXT].fillna(""), strict=True))
        self.segment_document = dict(zip(layout.segments[s.SEGMENT_ID],
                                         layout.segments[s.DOCUMENT_ID], strict=True))
        self.doc_segments: dict[str, list[tuple[int, int, str]]] = {}
        for seg in layout.segments.itertuples(index=False):
            self.doc_segments.setdefault(seg.document_id, []).append(
                (int(seg.start), int(seg.end), seg.segment_id))
        self.fallback_reviewer: str | None = None

    # ---- who and when

    def project_reviewer(self) -> str:
        if self.fallback_reviewer is None:
            active = {u for src in self.project.sources for sel in src.selections
                      for u in (sel.created_by, sel.modified_by, *(c.user for c in sel.codings))
                      if u in self.humans}
            if self.project.modified_by in self.humans:
                chosen = [self.project.modified_by]
            else:
                chosen = sorted(active or self.humans, key=lambda g: self.humans[g])
            self.fallback_reviewer = ", ".join(self.humans[g] for g in chosen) or "unknown"
            if not chosen:
                self.problems.append(f"{self.file_name}: the project has no human user; "
                                     "decisions no user signed are attributed to 'unknown'")
        return self.fallback_reviewer

    def reviewer(self, *users: str) -> str:
        human = next((u for u in users if u in self.humans), None)
        return self.humans[human] if human else self.project_reviewer()

    def when(self, *pairs: tuple[str, str]) -> str | None:
        """The first time signed by a human user, else the project's modification time."""
        stamp = next((t for u, t in pairs if t and u in self.humans), "")
        return stamp or self.project.modified_at or None

    # ---- where

    def place(self, plan: SourcePlan, start: int, end: int) -> _Place | str:
        """The document and segment of exported-source span ``[start, end)``, or why none."""
        overlaps = []
        for doc_id, offset in plan.offsets.items():
            overlap = min(end, offset + len(self.doc_text[doc_id])) - max(start, offset)
            if overlap > 0:
                overlaps.append((overlap, -offset, doc_id))
        if not overlaps:
            return "lies outside every answer or transcript text (a question heading?)"
        doc_id = max(overlaps)[2]
        notes = [f"spans {len(overlaps)} answers; cut to the part in {doc_id}"] * (
            len(overlaps) > 1)
        offset = plan.offsets[doc_id]
        d_start = max(start, offset) - offset
        d_end = min(end - offset, len(self.doc_text[doc_id]))
        segs = [(min(d_end, e) - max(d_start, b), -b, e, seg) for b, e, seg in
                self.doc_segments.get(doc_id, []) if min(d_end, e) > max(d_start, b)]
        if not segs:
            return f"lies outside every coded segment of {doc_id} (an interviewer turn?)"
        _, minus_start, seg_end, segment = max(segs)
        if len(segs) > 1:
            notes.append(f"spans {len(segs)} segments; cut to {segment}, the largest overlap")
        d_start, d_end = max(d_start, -minus_start), min(d_end, seg_end)
        return _Place(doc_id, segment, d_start, d_end, self.doc_text[doc_id][d_start:d_end],
                      "; ".join(notes))

    # ---- rows

    def position(self, segment_id: str, start: int) -> int:
        """Where a passage starts in its source (rows are listed in reading order)."""
        document_id = self.segment_document.get(segment_id, "")
        plan = self.layout.source_of_document.get(document_id)
        return start + (plan.offsets[document_id] if plan else 0)

    def row(self, decision: str, segment_id: str, code_id: str, start: int, end: int,
            evidence: str, reviewer: str, decided_at: str | None, detail: str,
            plan_guid: str) -> None:
        self.rows.append({
            s.WAVE: self.layout.wave, s.SEGMENT_ID: segment_id, s.CODE_ID: code_id,
            s.DECISION: decision, s.REVIEWER: reviewer, s.DECIDED_AT: decided_at,
            s.START: start, s.END: end, s.EVIDENCE: evidence, s.REVIEW_FILE: self.file_name,
            s.REVIEW_FILE_SHA256: self.digest, s.DETAIL: detail,
            "_order": (self.order.get(plan_guid, 0), self.position(segment_id, start),
                       end - start, code_id, _ORDER[decision]),
        })

    def machine_row(self, decision: str, sel: MachineSelection, reviewer: str,
                    decided_at: str | None, detail: str) -> None:
        self.state[sel.key] = "decided"
        self.row(decision, sel.segment_id, sel.code_id, sel.doc_start, sel.doc_end, sel.evidence,
                 reviewer, decided_at, detail, sel.source_guid)

    def code(self, coding: _Coding, sel: _Selection, source: _Source) -> str | None:
        code_id = self.code_of.get(coding.code)
        if code_id is None:
            name = self.project.codes.get(coding.code, (None, ""))[0]
            what = (f"code '{name}' ({coding.code}) is not in the codebook" if name is not None
                    else f"refers to code {coding.code}, which the project does not define")
            self.problems.append(f"selection {sel.guid} [{sel.start}:{sel.end}] in source "
                                 f"'{source.name}': {what}; that coding was skipped")
        return code_id

    def selection_codes(self, sel: _Selection, source: _Source) -> dict[str, _Coding]:
        codes: dict[str, _Coding] = {}
        for coding in sel.codings:
            code_id = self.code(coding, sel, source)
            if code_id is not None:
                codes.setdefault(code_id, coding)
        return codes

    # ---- the three passes

    def machine_selection(self, plan: SourcePlan, source: _Source, sel: _Selection,
                          machine: MachineSelection, span: tuple[int, int]) -> bool:
        """Decide on a selection wavecoder exported; False when it moved to another segment."""
        place = self.place(plan, *span)
        moved = span != (machine.start, machine.end)
        if moved and (isinstance(place, str) or place.segment_id != machine.segment_id):
            return False  # treated as the machine coding deleted and a new selection made
        if isinstance(place, str):  # a machine coding always lies in its segment; just in case
            place = _Place(machine.document_id, machine.segment_id, machine.doc_start,
                           machine.doc_end, machine.evidence, "")
        codes = self.selection_codes(sel, source)
        others = {c: coding for c, coding in codes.items() if c != machine.code_id}
        signers = [sel.modified_by, *(coding.user for coding in others.values())]
        stamps = [(sel.modified_by, sel.modified_at),
                  *((coding.user, coding.created) for coding in others.values())]
        if machine.code_id in codes:
            detail = "kept in the QDA project"
            if moved:
                detail += (f"; the selection was resized from {machine.evidence!r} to "
                           f"{place.evidence!r}")
                self.state[machine.key] = "decided"
                self.row(s.DECISION_ACCEPTED, machine.segment_id, machine.code_id, place.start,
                         place.end, place.evidence, self.reviewer(sel.modified_by),
                         self.when((sel.modified_by, sel.modified_at)), detail, plan.guid)
            else:
                self.machine_row(s.DECISION_ACCEPTED, machine, self.reviewer(sel.modified_by),
                                 self.when((sel.modified_by, sel.modified_at)), detail)
        elif others:
            self.machine_row(s.DECISION_REJECTED, machine, self.reviewer(*signers),
                             self.when(*stamps),
                             f"recoded: the selection now carries {', '.join(others)} instead")
        else:
            self.machine_row(s.DECISION_REJECTED, machine, self.reviewer(sel.modified_by),
                             self.when((sel.modified_by, sel.modified_at)),
                             f"the code was removed from selection {sel.guid}")
        for code_id, coding in others.items():
            detail = (f"added to machine selection {sel.guid}" if machine.code_id in codes
                      else f"recode of {machine.code_id} on selection {sel.guid}")
            self.row(s.DECISION_ADDED, machine.segment_id, code_id, place.start, place.end,
                     place.evidence, self.reviewer(coding.user, sel.modified_by),
                     self.when((coding.user, coding.created), (sel.modified_by, sel.modified_at)),
                     detail, plan.guid)
        return True

    def new_selection(self, plan: SourcePlan, source: _Source, sel: _Selection,
                      span: tuple[int, int]) -> None:
        """Decide on a selection wavecoder did not export (or one moved to another segment)."""
        codes = self.selection_codes(sel, source)
        if not codes:
            return
        place = self.place(plan, *span)
        if isinstance(place, str):
            self.problems.append(f"selection {sel.guid} [{sel.start}:{sel.end}] in source "
                                 f"'{source.name}' {place}; skipped")
            return
        at_span = [m for m in self.layout.selections if m.source_guid == plan.guid
                   and (m.start, m.end) == span and m.key not in self.state]
        for code_id, coding in codes.items():
            reviewer = self.reviewer(coding.user, sel.created_by, sel.modified_by)
            when = self.when((coding.user, coding.created), (sel.created_by, sel.created_at),
                             (sel.modified_by, sel.modified_at))
            same = [m for m in at_span if m.code_id == code_id and m.key not in self.state]
            if same:
                self.machine_row(s.DECISION_ACCEPTED, same[0], reviewer, when,
                                 f"kept: selection {sel.guid} codes the machine coding's span "
                                 "with the same code")
                continue
            replaced = [m for m in at_span if m.key not in self.state and m.code_id != code_id]
            for machine in replaced:
                self.machine_row(s.DECISION_REJECTED, machine, reviewer, when,
                                 f"recoded to {code_id}: the machine selection was deleted and "
                                 f"selection {sel.guid} codes the same span")
            notes = [f"new selection {sel.guid}"]
            notes += [f"recode of {', '.join(m.code_id for m in replaced)}"] * bool(replaced)
            notes += [place.note] * bool(place.note)
            self.row(s.DECISION_ADDED, place.segment_id, code_id, place.start, place.end,
                     place.evidence, reviewer, when, "; ".join(notes), plan.guid)

    def run(self) -> ReviewImport:
        plans = {plan.guid: plan for plan in self.layout.sources}
        named = {plan.name: plan for plan in self.layout.sources}
        seen: set[str] = set()
        pending: list[tuple[SourcePlan, _Source, _Selection, tuple[int, int]]] = []
        moved: dict[tuple[str, str], str] = {}  # machine coding -> the selection now elsewhere
        for source in self.project.sources:
            plan = plans.get(source.guid) or named.get(source.name)
            if plan is None:
                self.problems.append(
                    f"source '{source.name}' ({source.guid}) is not one wavecoder exported for "
                    f"wave {self.layout.wave}; its {len(source.selections)} selections were "
                    "skipped")
                continue
            seen.add(plan.guid)
            if source.text is None:
                self.problems.append(f"source '{source.name}' ({source.guid}): its text is not "
                                     "in the file; its selections were skipped")
                self.state.update({m.key: "unsure" for m in self.layout.selections
                                   if m.source_guid == plan.guid})
                continue
            offsets = _OffsetMap(plan.text, source.text)
            if not offsets.identical:
                what = ("its line breaks were changed after export" if offsets.line_breaks_only
                        else f"its text was edited after export ({offsets.changed} characters "
                        "differ)")
                self.problems.append(
                    f"source '{source.name}' ({source.guid}): {what}; selections were mapped "
                    "back through the unchanged text and any touching an edit were skipped")
            if source.whole_codings:
                self.problems.append(f"source '{source.name}': {source.whole_codings} coding(s) "
                                     "of the whole source were skipped (only selections count)")
            for sel in source.selections:
                machine = self.by_guid.get(sel.guid)
                match = _CODING_LINE.search(sel.description)
                if machine is None and match:
                    machine = self.by_key.get((match[1], match[2]))
                if machine is not None and machine.source_guid != plan.guid:
                    machine = None
                span = offsets.back(sel.start, sel.end)
                if span is None:
                    self.problems.append(
                        f"selection {sel.guid} [{sel.start}:{sel.end}] in source "
                        f"'{source.name}' touches edited text or lies outside it; skipped")
                    if machine is not None:
                        self.state[machine.key] = "unsure"
                    continue
                if machine is None or machine.key in self.state:
                    pending.append((plan, source, sel, span))
                elif not self.machine_selection(plan, source, sel, machine, span):
                    moved[machine.key] = sel.guid
                    pending.append((plan, source, sel, span))
        for plan, source, sel, span in pending:
            self.new_selection(plan, source, sel, span)
        missing: dict[str, int] = {}
        for machine in self.layout.selections:
            if machine.key in self.state:
                continue
            if machine.source_guid not in seen:
                missing[machine.source_guid] = missing.get(machine.source_guid, 0) + 1
                continue
            detail = (f"the selection was moved to another passage ({moved[machine.key]})"
                      if machine.key in moved else "the coding was removed in the QDA project "
                      f"(selection {machine.guid} deleted)")
            self.machine_row(s.DECISION_REJECTED, machine, self.project_reviewer(),
                             self.project.modified_at or None, detail)
        for guid, count in missing.items():
            self.problems.append(f"source '{plans[guid].name}' ({guid}) is not in the file: "
                                 f"its {count} machine codings were left undecided")
        rows = sorted(self.rows, key=lambda r: r["_order"])
        frame = pd.DataFrame([{k: v for k, v in r.items() if k != "_order"} for r in rows],
                             columns=s.REVIEW_LOG.names)
        return ReviewImport(decisions=s.conform(frame, s.REVIEW_LOG), problems=self.problems)


def _code_ids(layout: WaveLayout, outputs_dir: Path,
              codebook: Codebook | None) -> tuple[set[str], bool]:
    """The code ids a selection may carry, and whether they are the whole codebook's."""
    ids = {sel.code_id for sel in layout.selections}
    if codebook is None:
        try:
            codebook = load_codebook(codebook_path_of_run(outputs_dir))
        except (ConfigError, FileNotFoundError):
            return ids, False
    return ids | set(codebook.code_ids()), True


def decisions_from_qdpx(path: Path, outputs_dir: Path,
                        codebook: Codebook | None = None) -> ReviewImport:
    """Read a researcher's decisions on a wave's machine codings from a recoded ``.qdpx``.

    Args:
        path: the ``.qdpx`` the researcher saved from their QDA tool.
        outputs_dir: ``outputs/<wave>/`` of the run the project was exported from.
        codebook: the wave's codebook; default the one ``run.json`` names, when it can be read
            (codes are otherwise recognised by the id line of their description).

    Returns:
        Decisions in the ``review_log`` contract (one row per accepted, rejected or added
        coding, ``review_file`` the file's name) and the problems found, each naming the
        selection or source. Raises ValueError when the file is not a readable ``.qdpx``.
    """
    layout = wave_layout(outputs_dir)
    project = read_project(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    review = _Review(layout, project, path.name, digest,
                     *_code_ids(layout, outputs_dir, codebook))
    return review.run()
