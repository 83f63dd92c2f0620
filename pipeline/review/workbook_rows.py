"""Rows of a filled review workbook turned into decisions, with a message for each bad row.

What a row may say (``decision`` / ``corrected_code``):

* ``accept`` (corrected code blank or the same code) → the coding is accepted;
* ``reject`` (corrected code blank) → rejected;
* ``recode`` + a different code → the coding is rejected and the new code added on its passage
  (a code is named by its id or its label, case and spacing ignored);
* ``add`` + a code, on any segment → the code is added to the whole segment;
* ``none`` on a passage the machine left uncoded (code blank) → read whole, no code applies
  (a random sample's passages: ``export-review --sample``);
* nothing at all → not reviewed (counted, not a decision); a row without a segment or code
  id is not counted either (a spreadsheet's empty rows).

Anything else names the row and what is wrong, and the row is not used. Two rows that decide
the same coding differently are both refused: the workbook contradicts itself. A row accepting
the machine's code X and another recoding (or adding) X on the same segment agree: X stands
once, as accepted, and the recode's rejection of the old code stands too. ``none`` and a code
given on the same passage by the same reviewer contradict each other: all of those rows are
refused.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from pipeline import schema as s
from pipeline.code_names import CodeNames
from pipeline.config import Codebook

ACCEPT, REJECT, RECODE, ADD, NONE = "accept", "reject", "recode", "add", "none"
DECISIONS = (ACCEPT, REJECT, RECODE, ADD, NONE)  # the workbook's drop-down, in order
_SPELLINGS = {ACCEPT: ACCEPT, "accepted": ACCEPT, REJECT: REJECT, "rejected": REJECT,
              RECODE: RECODE, "recoded": RECODE, ADD: ADD, "added": ADD, NONE: NONE,
              "no code": NONE}


class RowReader:
    """Reads workbook rows one at a time; :meth:`decisions` gives the result."""

    def __init__(self, file_name: str, codings: pd.DataFrame, segments: pd.DataFrame,
                 codebook: Codebook, reviewer: str | None, *, sample: bool = False) -> None:
        self.file_name = file_name
        self.sample = sample  # a random sample's rows: their decisions are marked so
        self.default_reviewer = (reviewer or "").strip()
        self.code_ids = set(codebook.code_ids())
        self.names = CodeNames(codebook)
        self.segments = segments.set_index(s.SEGMENT_ID)
        machine = codings[codings[s.METHOD] != "human"]
        self.codings = {(r.segment_id, r.code_id): r for r in machine.itertuples(index=False)}
        self.coded_segments = set(machine[s.SEGMENT_ID])
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.blank_rows = 0
        self._rows: list[dict] = []
        self._said: dict[tuple[str, str, str], dict[str, list[int]]] = defaultdict(
            lambda: defaultdict(list))

    def _problem(self, number: int, message: str) -> None:
        self.problems.append(f"{self.file_name} row {number}: {message}")

    def _known_code(self, number: int, code_id: str, column: str) -> bool:
        if code_id in self.code_ids:
            return True
        self._problem(number, f"unknown code '{code_id}' in {column} (the codebook's ids are "
                              f"on the 'codebook' sheet)")
        return False

    def read(self, number: int, row: dict[str, str]) -> None:
        """Read one row (``number`` is its Excel row number, for messages)."""
        raw, corrected = row.get(s.DECISION, ""), row.get(s.CORRECTED_CODE, "")
        segment_id, code_id = row.get(s.SEGMENT_ID, ""), row.get(s.CODE_ID, "")
        if not raw and not corrected:
            # a row with no coding and no decision is no row at all: LibreOffice writes back the
            # empty rows its drop-downs cover, hundreds of them
            self.blank_rows += bool(segment_id or code_id)
            return
        ids = self.names.resolve(corrected) if corrected else ()
        if len(ids) > 1:
            self._problem(number, f"corrected_code '{corrected}' is the label of {len(ids)} "
                                  f"codes ({', '.join(ids)}): write the code's id")
            return
        corrected = ids[0] if ids else corrected  # a reviewer may write the label ("Housing")
        decision = _SPELLINGS.get(raw.casefold())
        if raw and decision is None:
            self._problem(number, f"decision '{raw}' is not one of {', '.join(DECISIONS)}")
            return
        if decision is None:
            self._problem(number, f"corrected_code '{corrected}' but no decision: write recode "
                                  "to replace the code, or add to add it")
            return
        reviewer = row.get(s.REVIEWER, "") or self.default_reviewer
        if not reviewer:
            self._problem(number, "no reviewer: fill the reviewer column (or pass --reviewer)")
            return
        if segment_id not in self.segments.index:
            self._problem(number, f"segment '{segment_id}' is not a segment of this wave"
                          if segment_id else "no segment_id")
            return
        if decision == ADD:
            self._add(number, segment_id, corrected or code_id, reviewer)
        elif decision == NONE:
            self._none(number, segment_id, code_id or corrected, reviewer)
        else:
            self._on_coding(number, decision, segment_id, code_id, corrected, reviewer)

    def _add(self, number: int, segment_id: str, code_id: str, reviewer: str) -> None:
        if not code_id:
            self._problem(number, "add needs the code to add in corrected_code")
            return
        if not self._known_code(number, code_id, s.CORRECTED_CODE):
            return
        segment = self.segments.loc[segment_id]
        self._keep(number, reviewer, s.DECISION_ADDED, segment_id, code_id,
                   int(segment[s.START]), int(segment[s.END]), str(segment[s.TEXT]))

    def _none(self, number: int, segment_id: str, code_id: str, reviewer: str) -> None:
        if code_id:
            self._problem(number, f"none names code '{code_id}': to drop a machine coding "
                                  "write reject; none is for a passage without codings")
            return
        if segment_id in self.coded_segments:
            self._problem(number, f"none on segment {segment_id}, which has machine codings: "
                                  "accept or reject each of them instead")
            return
        segment = self.segments.loc[segment_id]
        self._keep(number, reviewer, s.DECISION_NO_CODE, segment_id, "",
                   int(segment[s.START]), int(segment[s.END]), "")

    def _on_coding(self, number: int, decision: str, segment_id: str, code_id: str,
                   corrected: str, reviewer: str) -> None:
        coding = self.codings.get((segment_id, code_id))
        if coding is None and not code_id:
            self._problem(number, f"{decision} needs a machine coding, and this row names no "
                                  "code: write none if no code applies, or add a code")
            return
        if coding is None:
            self._problem(number, f"segment {segment_id} has no machine coding '{code_id}' to "
                                  f"{decision} (to code it, use add)")
            return
        if decision == ACCEPT and corrected and corrected != code_id:
            self._problem(number, f"accept with corrected_code '{corrected}' contradicts "
                                  f"itself: write recode to replace {code_id}")
            return
        if decision == REJECT and corrected:
            self._problem(number, f"reject with corrected_code '{corrected}' contradicts "
                                  "itself: write recode to replace the code, or clear "
                                  "corrected_code")
            return
        if decision == RECODE and (not corrected or corrected == code_id):
            self._problem(number, "recode needs a different code in corrected_code"
                          if not corrected else f"recode to the same code '{code_id}': "
                          "write accept")
            return
        if decision == RECODE and not self._known_code(number, corrected, s.CORRECTED_CODE):
            return
        span = (int(coding.start), int(coding.end), str(coding.evidence))
        if decision == ACCEPT:
            self._keep(number, reviewer, s.DECISION_ACCEPTED, segment_id, code_id, *span)
        else:
            self._keep(number, reviewer, s.DECISION_REJECTED, segment_id, code_id, *span,
                       detail=f"recoded to {corrected}" if decision == RECODE else None)
        if decision == RECODE:
            self._keep(number, reviewer, s.DECISION_ADDED, segment_id, corrected, *span,
                       detail=f"recoded from {code_id}")

    def _keep(self, number: int, reviewer: str, decision: str, segment_id: str, code_id: str,
              start: int, end: int, evidence: str, detail: str | None = None) -> None:
        self._said[(reviewer, segment_id, code_id)][decision].append(number)
        detail = detail or f"row {number}"
        self._rows.append({s.SEGMENT_ID: segment_id, s.CODE_ID: code_id, s.DECISION: decision,
                           s.REVIEWER: reviewer, s.START: start, s.END: end,
                           s.EVIDENCE: evidence, s.DETAIL: f"{s.SAMPLE_MARK}: {detail}"
                           if self.sample else detail, "_row": number})

    def decisions(self) -> pd.DataFrame:
        """The decisions read, without any the workbook contradicts; problems are recorded."""
        refused: set[int] = set()
        redundant: set[tuple[int, str, str]] = set()  # (row, segment, code) of a needless add
        given: dict[tuple[str, str], list[int]] = defaultdict(list)  # codes given per passage
        for (reviewer, segment_id, _code), said in self._said.items():
            given[(reviewer, segment_id)] += [n for decision in (s.DECISION_ACCEPTED,
                                                                 s.DECISION_ADDED)
                                              for n in said.get(decision, [])]
        for (reviewer, segment_id, code_id), said in self._said.items():
            if s.DECISION_NO_CODE in said and given[(reviewer, segment_id)]:
                numbers = sorted([*said[s.DECISION_NO_CODE], *given[(reviewer, segment_id)]])
                refused.update(numbers)
                self.problems.append(
                    f"{self.file_name} rows {', '.join(map(str, numbers))}: {reviewer} wrote "
                    f"none on segment {segment_id} and gave it a code; none applied")
            elif set(said) == {s.DECISION_ACCEPTED, s.DECISION_ADDED}:
                # the machine's code, accepted on one row and put there on another: consistent
                redundant.update((n, segment_id, code_id) for n in said[s.DECISION_ADDED])
            elif len(said) > 1:
                numbers = sorted(n for rows in said.values() for n in rows)
                refused.update(numbers)
                listed = ", ".join(f"{d} (row {', '.join(map(str, sorted(r)))})"
                                   for d, r in sorted(said.items()))
                self.problems.append(
                    f"{self.file_name} rows {', '.join(map(str, numbers))}: {reviewer} decided "
                    f"{code_id} on segment {segment_id} both ways: {listed}; none applied")
        rows = [r for r in self._rows if r["_row"] not in refused and not (
            r[s.DECISION] == s.DECISION_ADDED
            and (r["_row"], r[s.SEGMENT_ID], r[s.CODE_ID]) in redundant)]
        if self.blank_rows:
            self.notes.append(f"{self.file_name}: {self.blank_rows} rows have no decision "
                                 "(not reviewed yet); their codings keep their status")
        frame = pd.DataFrame(rows, columns=[*s.REVIEW_LOG.names, "_row"]).drop_duplicates(
            [s.SEGMENT_ID, s.CODE_ID, s.DECISION, s.REVIEWER])
        return frame.drop(columns="_row").reset_index(drop=True)
