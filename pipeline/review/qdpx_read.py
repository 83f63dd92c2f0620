"""Reviewer decisions from a ``.qdpx`` a researcher recoded in NVivo, ATLAS.ti, MAXQDA or QualCoder.

The wave's outputs are laid out again exactly as :func:`pipeline.review.qdpx.export_qdpx` wrote
them, and the project is compared with that layout:

* a machine selection still carrying its code is **accepted** when a person touched it (it
  was modified, resized or coded by a human user); one left exactly as exported says nothing,
  so its coding stays *machine* unless the import is asked to accept untouched codings; other
  codes on a machine selection are each **added**;
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

import hashlib
import re
from pathlib import Path

import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.outputs import WaveOutputs, as_wave
from pipeline.review import ReviewImport
from pipeline.review.align import OffsetMap
from pipeline.review.qdpx import (
    CODE_ID_TAG,
    CODING_TAG,
    MachineSelection,
    SourcePlan,
    WaveLayout,
    code_guid,
    machine_user_guid,
    wave_layout,
)
from pipeline.review.qdpx_place import Place, Placer
from pipeline.review.qdpx_project import CodingRecord, Project, Selection, Source, read_project

_CODING_LINE = re.compile(re.escape(CODING_TAG) + r" segment=(\S+) code=(\S+)\s*$", re.M)
_CODE_ID_LINE = re.compile(re.escape(CODE_ID_TAG) + r" ([a-z][a-z0-9_]*)\s*$", re.M)
_ORDER = {s.DECISION_REJECTED: 0, s.DECISION_ADDED: 1, s.DECISION_ACCEPTED: 2}


# --------------------------------------------------------------------------- decisions


class _Review:
    """One pass over a project against the wave's layout, collecting decisions and problems."""

    def __init__(self, layout: WaveLayout, project: Project, file_name: str, digest: str,
                 code_ids: set[str], complete: bool, reviewer: str | None = None,
                 accept_untouched: bool = False) -> None:
        self.layout, self.project, self.file_name, self.digest = layout, project, file_name, digest
        self.rows: list[dict] = []
        self.problems: list[str] = []  # something in the file was not used: exit 2
        self.warnings: list[str] = []  # everything was used, but the user should know how
        self.state: dict[tuple[str, str], str] = {}  # coding key -> decided|unsure|untouched
        self.by_guid = {sel.guid: sel for sel in layout.selections}
        self.by_key = {sel.key: sel for sel in layout.selections}
        self.order = {plan.guid: i for i, plan in enumerate(layout.sources)}
        self.code_of = {code_guid(c): c for c in code_ids}
        for guid, (_name, description) in project.codes.items():
            match = _CODE_ID_LINE.search(description)
            if guid not in self.code_of and match and (match[1] in code_ids or not complete):
                self.code_of[guid] = match[1]
        self.machine_users = {machine_user_guid(c) for c in layout.coders}
        self.humans = {g: n for g, n in project.users.items()
                       if g not in self.machine_users and n not in layout.coders}
        self.accept_untouched = accept_untouched
        self.placer = Placer(layout)
        self.place = self.placer.place
        self.segment_document = dict(zip(layout.segments[s.SEGMENT_ID],
                                         layout.segments[s.DOCUMENT_ID], strict=True))
        # decisions no human user of the project signed go to the reviewer named on import
        self.fallback_reviewer: str | None = (reviewer or "").strip() or None

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
                self.warnings.append(f"{self.file_name}: the project has no human user; "
                                     "decisions no user signed are attributed to 'unknown'")
        return self.fallback_reviewer

    def reviewer(self, *users: str) -> str:
        human = next((u for u in users if u in self.humans), None)
        return self.humans[human] if human else self.project_reviewer()

    def when(self, *pairs: tuple[str, str]) -> str | None:
        """The first time signed by a human user, else the project's modification time."""
        stamp = next((t for u, t in pairs if t and u in self.humans), "")
        return stamp or self.project.modified_at or None

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

    def code(self, coding: CodingRecord, sel: Selection, source: Source) -> str | None:
        code_id = self.code_of.get(coding.code)
        if code_id is None:
            name = self.project.codes.get(coding.code, (None, ""))[0]
            what = (f"code '{name}' ({coding.code}) is not in the codebook" if name is not None
                    else f"refers to code {coding.code}, which the project does not define")
            self.problems.append(f"selection {sel.guid} [{sel.start}:{sel.end}] in source "
                                 f"'{source.name}': {what}; that coding was skipped")
        return code_id

    def selection_codes(self, sel: Selection, source: Source) -> dict[str, CodingRecord]:
        codes: dict[str, CodingRecord] = {}
        for coding in sel.codings:
            code_id = self.code(coding, sel, source)
            if code_id is not None:
                codes.setdefault(code_id, coding)
        return codes

    # ---- the three passes

    def touched(self, sel: Selection, coding: CodingRecord) -> bool:
        """Whether a person changed a machine selection or its coding in their tool.

        A selection left as exported says nothing: the reviewer may never have looked at it.
        """
        modified = bool(sel.modified_at) and sel.modified_at != sel.created_at
        return (sel.modified_by in self.humans or coding.user in self.humans
                or (modified and sel.modified_by not in self.machine_users))

    def machine_selection(self, plan: SourcePlan, source: Source, sel: Selection,
                          machine: MachineSelection, span: tuple[int, int]) -> bool:
        """Decide on a selection wavecoder exported; False when it moved to another segment."""
        place = self.place(plan, *span)
        moved = span != (machine.start, machine.end)
        if moved and (isinstance(place, str) or place.segment_id != machine.segment_id):
            return False  # treated as the machine coding deleted and a new selection made
        if isinstance(place, str):  # a machine coding always lies in its segment; just in case
            place = Place(machine.document_id, machine.segment_id, machine.doc_start,
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
            elif self.touched(sel, codes[machine.code_id]) or others:
                self.machine_row(s.DECISION_ACCEPTED, machine, self.reviewer(sel.modified_by),
                                 self.when((sel.modified_by, sel.modified_at)), detail)
            elif self.accept_untouched:
                self.machine_row(s.DECISION_ACCEPTED, machine, self.reviewer(sel.modified_by),
                                 self.when((sel.modified_by, sel.modified_at)),
                                 "left as exported; accepted as asked (--accept-untouched)")
            else:  # nobody looked at it, as far as the file can tell: it stays machine
                self.state[machine.key] = "untouched"
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

    def new_selection(self, plan: SourcePlan, source: Source, sel: Selection,
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
                   and (m.start, m.end) == span
                   and self.state.get(m.key) in (None, "untouched")]
        for code_id, coding in codes.items():
            reviewer = self.reviewer(coding.user, sel.created_by, sel.modified_by)
            when = self.when((coding.user, coding.created), (sel.created_by, sel.created_at),
                             (sel.modified_by, sel.modified_at))
            same = [m for m in at_span if m.code_id == code_id
                    and self.state.get(m.key) in (None, "untouched")]
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
        pending: list[tuple[SourcePlan, Source, Selection, tuple[int, int]]] = []
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
            offsets = OffsetMap(plan.text, source.text)
            if not offsets.identical:
                what = ("its line breaks were changed after export" if offsets.line_breaks_only
                        else f"its text was edited after export ({offsets.changed} characters "
                        "differ)")
                self.warnings.append(  # a selection touching an edit is a problem of its own
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
            self.warnings.append(f"source '{plans[guid].name}' ({guid}) is not in the file: "
                                 f"its {count} machine codings were left undecided")
        untouched = sum(state == "untouched" for state in self.state.values())
        notes = self.warnings + [
            f"{self.file_name}: {untouched} machine codings were left as exported; they "
            "stay machine (not reviewed); pass --accept-untouched to accept them"
        ] * bool(untouched)
        rows = sorted(self.rows, key=lambda r: r["_order"])
        frame = pd.DataFrame([{k: v for k, v in r.items() if k != "_order"} for r in rows],
                             columns=s.REVIEW_LOG.names)
        return ReviewImport(decisions=s.conform(frame, s.REVIEW_LOG), problems=self.problems,
                            notes=notes)


def _code_ids(layout: WaveLayout, codebook: Codebook | None) -> tuple[set[str], bool]:
    """The code ids a selection may carry, and whether they are the whole codebook's."""
    ids = {sel.code_id for sel in layout.selections}
    if codebook is None:
        return ids, False
    return ids | set(codebook.code_ids()), True


def decisions_from_qdpx(path: Path, outputs: Path | WaveOutputs,
                        codebook: Codebook | None = None, reviewer: str | None = None,
                        accept_untouched: bool = False) -> ReviewImport:
    """Read a researcher's decisions on a wave's machine codings from a recoded ``.qdpx``.

    Args:
        path: the ``.qdpx`` the researcher saved from their QDA tool.
        outputs: ``outputs/<wave>/`` of the run the project was exported from, or the wave
            already read from it (:func:`pipeline.outputs.read_wave`).
        codebook: the wave's codebook; default the copy in the wave's folder, when there is one
            (codes are otherwise recognised by the id line of their description).
        reviewer: who made the decisions that no human user of the project signed (a tool may
            sign them with the machine's user, or with none); default the project's modifying
            user, else its human users that coded, else 'unknown' (named in a problem).
        accept_untouched: accept the machine selections left exactly as exported; by default
            they stay undecided (a reviewer may have looked at ten of a thousand).

    Returns:
        Decisions in the ``review_log`` contract (one row per accepted, rejected or added
        coding, ``review_file`` the file's name) and the problems found, each naming the
        selection or source. Raises ValueError when the file is not a readable ``.qdpx``.
    """
    wave = as_wave(outputs)
    layout = wave_layout(wave)
    project = read_project(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    review = _Review(layout, project, path.name, digest,
                     *_code_ids(layout, codebook or wave.codebook), reviewer=reviewer,
                     accept_untouched=accept_untouched)
    return review.run()
