"""Agreement between the machine and its reviewers, and between reviewers, per code.

A reviewer has *reviewed* a segment when they made any decision on it. Within the segments a
reviewer reviewed, every code of the codebook is an item: the machine says 1 where it coded the
segment with the code; the reviewer says 1 for accepted or added, 0 for rejected, and 0 where
the machine was silent and so were they (had the code applied, they would have added it). A
passage without codings is reviewed when a reviewer added a code or wrote ``none`` (no code
applies). A machine coding the reviewer left undecided is not an item: silence on it is not a
judgement.

Scores come from :mod:`pipeline.quality.agreement`: Cohen's kappa (machine vs each reviewer),
Krippendorff's alpha, nominal (reviewers against each other, on the segments two or more of them
reviewed), percent agreement. By its convention a score is blank (NaN) where it is undefined,
e.g. when every item has the same value, percent agreement is still given, and an undefined
score is never below the threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.quality.agreement import below, cohen_kappa, krippendorff_alpha, percent_agreement
from pipeline.review.status import latest_decisions, machine_codings

DEFAULT_THRESHOLD = 0.6


def _reviewer_labels(decisions: pd.DataFrame, machine: set[tuple[str, str]],
                     code_ids: list[str]) -> pd.DataFrame:
    """Items (segment × code) of one reviewer with the machine's and the reviewer's 0/1."""
    scope = sorted(set(decisions[s.SEGMENT_ID]))
    said = {(r.segment_id, r.code_id): r.decision for r in decisions.itertuples(index=False)}
    rows = []
    for segment_id in scope:
        for code_id in code_ids:
            by_machine = int((segment_id, code_id) in machine)
            decision = said.get((segment_id, code_id))
            if decision is None and by_machine:
                continue  # left undecided: not a judgement
            by_reviewer = 0 if decision in (None, s.DECISION_REJECTED) else 1
            rows.append((segment_id, code_id, by_machine, by_reviewer, decision))
    return pd.DataFrame(rows, columns=[s.SEGMENT_ID, s.CODE_ID, "machine", "reviewer",
                                       s.DECISION])


def _machine_rows(items: pd.DataFrame, reviewer: str, code_ids: list[str], labels: dict,
                  threshold: float) -> list[dict]:
    rows = []
    for code_id in [*code_ids, s.ALL_CODES]:
        mine = items if code_id == s.ALL_CODES else items[items[s.CODE_ID] == code_id]
        if mine.empty:
            continue
        machine, human = mine["machine"].to_numpy(), mine["reviewer"].to_numpy()
        said_yes = mine[s.DECISION].isin([s.DECISION_ACCEPTED, s.DECISION_ADDED]).to_numpy()
        said_no = (mine[s.DECISION] == s.DECISION_REJECTED).to_numpy()
        kappa = cohen_kappa(machine, human)
        rows.append({
            s.CODE_ID: code_id, s.LABEL: labels.get(code_id, code_id),
            s.COMPARISON: s.COMPARISON_MACHINE, s.RATERS: f"machine | {reviewer}",
            s.ITEMS: len(mine),
            s.ACCEPTED: int((said_yes & (machine == 1)).sum()),
            s.REJECTED_CODINGS: int((said_no & (machine == 1)).sum()),
            s.ADDED: int((said_yes & (machine == 0)).sum()),
            s.PERCENT_AGREEMENT: round(percent_agreement(np.vstack([machine, human])), 4),
            s.KAPPA: kappa, s.ALPHA: np.nan, s.BELOW_THRESHOLD: below(kappa, threshold),
        })
    return rows


def _reviewer_rows(per_reviewer: dict[str, pd.DataFrame], code_ids: list[str], labels: dict,
                   threshold: float) -> list[dict]:
    names = sorted(per_reviewer)
    if len(names) < 2:
        return []
    table = pd.concat([items.assign(_who=name) for name, items in per_reviewer.items()])
    wide = table.pivot_table(index=[s.SEGMENT_ID, s.CODE_ID], columns="_who", values="reviewer",
                             aggfunc="first").reindex(columns=names)
    shared = wide[wide.notna().sum(axis=1) >= 2]
    rows = []
    for code_id in [*code_ids, s.ALL_CODES]:
        mine = shared if code_id == s.ALL_CODES else shared[
            shared.index.get_level_values(s.CODE_ID) == code_id]
        if mine.empty:
            continue
        matrix = mine.to_numpy(dtype=float).T  # raters × items
        alpha = krippendorff_alpha(matrix)
        rows.append({
            s.CODE_ID: code_id, s.LABEL: labels.get(code_id, code_id),
            s.COMPARISON: s.COMPARISON_REVIEWERS, s.RATERS: " | ".join(names),
            s.ITEMS: len(mine), s.ACCEPTED: 0, s.REJECTED_CODINGS: 0, s.ADDED: 0,
            s.PERCENT_AGREEMENT: round(percent_agreement(matrix), 4), s.KAPPA: np.nan,
            s.ALPHA: alpha, s.BELOW_THRESHOLD: below(alpha, threshold),
        })
    return rows


def review_agreement(codings: pd.DataFrame, log: pd.DataFrame, codebook: Codebook, wave: str,
                     *, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Per code: machine vs each reviewer (kappa), reviewers vs each other (alpha).

    Args:
        codings: the wave's codings (human-added rows are ignored: the machine's side is its own
            codings).
        log: the review log (schema.STORED_REVIEW_LOG).
        codebook: the codes scored, in order; a code a reviewer added from outside the codebook
            is scored too.
        wave: the wave id, for the table.
        threshold: agreement below this marks a code ``below_threshold`` (codebook revision).

    Returns:
        schema.REVIEW_AGREEMENT rows; each comparison ends with an ``(all codes)`` row pooling
        its items. Empty when nothing was reviewed.
    """
    if log.empty:
        return s.empty(s.REVIEW_AGREEMENT)
    machine = machine_codings(codings)
    coded = set(zip(machine[s.SEGMENT_ID], machine[s.CODE_ID], strict=False))
    decisions = latest_decisions(log, per_reviewer=True)
    given = decisions.loc[decisions[s.DECISION] != s.DECISION_NO_CODE, s.CODE_ID]
    code_ids = list(dict.fromkeys([*codebook.code_ids(), *given]))
    labels = codebook.labels()
    per_reviewer, rows = {}, []
    for reviewer, mine in decisions.groupby(s.REVIEWER, sort=True):
        items = _reviewer_labels(mine, coded, code_ids)
        per_reviewer[str(reviewer)] = items
        rows += _machine_rows(items, str(reviewer), code_ids, labels, threshold)
    rows += _reviewer_rows(per_reviewer, code_ids, labels, threshold)
    return s.conform(pd.DataFrame(rows).assign(**{s.WAVE: wave}), s.REVIEW_AGREEMENT)


def codes_to_revise(agreement: pd.DataFrame) -> list[str]:
    """Codes whose agreement (with the machine or between reviewers) is below the threshold."""
    below = agreement[agreement[s.BELOW_THRESHOLD] & (agreement[s.CODE_ID] != s.ALL_CODES)]
    return list(dict.fromkeys(below[s.CODE_ID]))
