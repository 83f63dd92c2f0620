"""Statuses from the review log: which machine codings stand, fell, or were added by people.

Per reviewer, the latest decision on a coding (segment × code) is theirs; across reviewers the
latest decision of anyone decides the coding's ``status``. "Latest" is by the time the decision
was made (``decided_at``), then by its place in the log. The machine's codings are never
edited: statuses are worked out again from the machine codings and the whole log each time, so
applying the same log twice gives the same table.

* accepted → ``status = accepted``;
* rejected → ``status = rejected`` (the row stays, so nothing is lost; analyst tables skip it);
* added on a passage the machine did not code → a new ``human-added`` row carrying the
  reviewer's passage; added where the machine had the same code → accepted;
* accepted where there is no machine coding (a person added it, or the coder no longer makes
  it) → ``human-added``: a reviewer said the code applies there; rejected where a person had
  added it → the addition is withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline import schema as s
from pipeline.interning import share_strings

HUMAN_METHOD = "human"
REVIEWER_CODER = "reviewer:"  # the coder of a coding a person added: "reviewer:<name>"


def latest_decisions(log: pd.DataFrame, *, per_reviewer: bool) -> pd.DataFrame:
    """The decision that stands for each coding (and reviewer, with ``per_reviewer``)."""
    if log.empty:
        return log.copy()
    keys = [s.SEGMENT_ID, s.CODE_ID] + ([s.REVIEWER] if per_reviewer else [])
    ordered = log.sort_values([s.DECIDED_AT, s.LOG_SEQ], kind="stable", na_position="first")
    return ordered.drop_duplicates(keys, keep="last").sort_values(s.LOG_SEQ).reset_index(
        drop=True)


def machine_codings(codings: pd.DataFrame) -> pd.DataFrame:
    """The machine's own codings, their status reset: human-added rows dropped."""
    machine = codings[codings[s.METHOD] != HUMAN_METHOD].copy()
    machine[s.STATUS] = s.STATUS_MACHINE
    return machine.reset_index(drop=True)


@dataclass
class Applied:
    """Codings with statuses, and decisions that could not be applied (with why)."""

    codings: pd.DataFrame
    problems: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Codings per status."""
        return {k: int(v) for k, v in self.codings[s.STATUS].value_counts().sort_index().items()}


def apply_decisions(codings: pd.DataFrame, segments: pd.DataFrame,
                    log: pd.DataFrame) -> Applied:
    """Give each coding its reviewed status and add the codings people added.

    Args:
        codings: the wave's codings (machine rows; earlier human-added rows are dropped and
            made again from the log).
        segments: the wave's segments, to place added passages and check segment ids.
        log: the review log (schema.STORED_REVIEW_LOG), any order.

    Returns:
        :class:`Applied`: codings in schema.CODINGS order (machine rows in their order, human
        additions after them, by segment), and a problem per decision naming a segment or
        coding this run does not have.
    """
    final = latest_decisions(log, per_reviewer=False)
    if final.empty and _machine_made(codings):
        # A first run's codings are already what an empty log makes of them; a copy of a
        # million-answer wave's codings cost a gigabyte held to the end of the run.
        return Applied(codings)
    machine = machine_codings(codings)
    if final.empty:
        return Applied(_sharing(s.conform(machine, s.CODINGS), codings))
    known_segments = set(segments[s.SEGMENT_ID])
    adds = log[log[s.DECISION] == s.DECISION_ADDED]
    people_added = set(zip(adds[s.SEGMENT_ID], adds[s.CODE_ID], strict=True))
    rows_of: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(zip(machine[s.SEGMENT_ID], machine[s.CODE_ID], strict=True)):
        rows_of.setdefault(key, []).append(i)
    status = machine[s.STATUS].to_numpy(dtype=object).copy()
    added, problems = [], []
    for row in final.itertuples(index=False):
        if row.decision == s.DECISION_NO_CODE:
            continue  # a passage read and left uncoded: no coding to change
        key = (row.segment_id, row.code_id)
        where = f"{row.review_file}: {row.decision} {row.code_id} on segment {row.segment_id}"
        if row.segment_id not in known_segments:
            problems.append(f"{where}: this run has no such segment (inputs or segmentation "
                            "changed since the review); decision kept in the log, not applied")
            continue
        rows = rows_of.get(key, [])
        if not rows and row.decision != s.DECISION_REJECTED:
            added.append(row)  # added, or accepted where a person had added it before
        elif not rows and key not in people_added:
            problems.append(f"{where}: the machine no longer makes this coding; decision kept "
                            "in the log, not applied")
        else:
            for i in rows:
                status[i] = (s.STATUS_REJECTED if row.decision == s.DECISION_REJECTED
                             else s.STATUS_ACCEPTED)
    machine[s.STATUS] = status
    human = _human_rows(added, segments)
    table = pd.concat([machine, human], ignore_index=True) if len(human) else machine
    return Applied(_sharing(s.conform(table, s.CODINGS), codings), problems)


def _machine_made(codings: pd.DataFrame) -> bool:
    """Whether ``codings`` are already what applying an empty log gives back.

    That is machine rows only, each with the machine status, in the schema's column order and
    types, with a fresh row index.
    """
    index = codings.index
    return (list(codings.columns) == s.CODINGS.names
            and isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
            and codings.dtypes.equals(s.conform(codings.head(0), s.CODINGS).dtypes)
            and bool((codings[s.METHOD] != HUMAN_METHOD).all())
            and bool((codings[s.STATUS] == s.STATUS_MACHINE).all()))


def _sharing(applied: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """``applied`` holding the strings of ``codings`` it repeats: both are kept to publish."""
    return share_strings(applied, codings, {c: c for c in applied.columns})


def _human_rows(added: list, segments: pd.DataFrame) -> pd.DataFrame:
    if not added:
        return s.empty(s.CODINGS)
    by_id = segments.set_index(s.SEGMENT_ID)
    rows = []
    for row in added:
        segment = by_id.loc[row.segment_id]
        start = int(row.start) if pd.notna(row.start) else int(segment[s.START])
        end = int(row.end) if pd.notna(row.end) else int(segment[s.END])
        evidence = row.evidence if isinstance(row.evidence, str) and row.evidence else str(
            segment[s.TEXT])
        rows.append({s.SEGMENT_ID: row.segment_id, s.CODE_ID: row.code_id, s.START: start,
                     s.END: end, s.EVIDENCE: evidence, s.METHOD: HUMAN_METHOD,
                     s.PATTERN: None, s.CONFIDENCE: 1.0, s.NEGATED: False,
                     s.CODER: f"{REVIEWER_CODER}{row.reviewer}", s.NEEDS_REVIEW: False,
                     s.STATUS: s.STATUS_HUMAN_ADDED})
    return pd.DataFrame(rows).sort_values([s.SEGMENT_ID, s.START, s.CODE_ID], kind="stable")

