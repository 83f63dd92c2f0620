"""A random sample of passages, coded or not, read whole: how good the machine is on a wave.

The review queue shows the codings worth a look, so its decisions say how good the machine's
*doubtful* codings are, and nothing about what it missed where it coded nothing. A sample
drawn at random from every passage the coder read, each read whole by a reviewer (every
machine coding accepted or rejected, missed codes added, ``none`` where no code applies),
measures the machine on the wave as it stands: per code, how many of its codings the reviewer
kept (precision) and how many of the reviewer's codes it found (recall). The same passages are
gold with no bias towards what the machine coded (``retrain`` reads them like any review).
Decisions from a sample workbook are marked in the review log, so the measure is worked out
again from the log at every import and re-run (``review/sample_agreement.csv``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.quality.agreement import cohen_kappa
from pipeline.review.status import latest_decisions, machine_codings

DEFAULT_SEED = 0


def draw_sample(segments: pd.DataFrame, size: int, *, seed: int = DEFAULT_SEED,
                code_interviewer: bool = False) -> list[str]:
    """``size`` segment ids drawn at random (seeded) from the segments the coder reads.

    In the segments' order, so a reviewer reads a document's passages together. All of them
    when there are fewer than ``size``.
    """
    from pipeline.coding.stream import codable  # spaCy: only where a sample is drawn

    pool = np.flatnonzero(codable(segments, code_interviewer=code_interviewer).to_numpy())
    chosen = np.sort(np.random.default_rng(seed).permutation(pool)[:size])
    return segments[s.SEGMENT_ID].to_numpy(dtype=object)[chosen].tolist()


def sample_rows(codings: pd.DataFrame, segments: pd.DataFrame, sample: list[str]
                ) -> pd.DataFrame:
    """The sample's workbook rows: each passage's machine codings, or one row without a code.

    Columns of the codings table plus ``priority`` (the passage's place in the sample) and
    ``queue_reason``; a passage the machine left uncoded has a row whose ``code_id`` is blank,
    for the reviewer to write ``none`` or ``add`` on.
    """
    place = {segment_id: i + 1 for i, segment_id in enumerate(sample)}
    machine = machine_codings(codings)
    coded = machine[machine[s.SEGMENT_ID].isin(place)]
    at = segments.set_index(s.SEGMENT_ID)
    has_codings = set(coded[s.SEGMENT_ID])
    uncoded = [segment_id for segment_id in sample if segment_id not in has_codings]
    blank = pd.DataFrame({s.SEGMENT_ID: uncoded, s.CODE_ID: None,
                          s.START: [int(at.at[i, s.START]) for i in uncoded],
                          s.END: [int(at.at[i, s.START]) for i in uncoded],
                          s.CONFIDENCE: np.nan, s.NEEDS_REVIEW: False,
                          s.STATUS: s.STATUS_MACHINE})
    rows = pd.concat([coded, blank], ignore_index=True) if len(blank) else coded.copy()
    rows[s.PRIORITY] = rows[s.SEGMENT_ID].map(place)
    rows[s.QUEUE_REASON] = s.QUEUE_RANDOM_PASSAGE
    return rows.sort_values([s.PRIORITY, s.START], kind="stable").reset_index(drop=True)


def sampled_passages(log: pd.DataFrame) -> list[str]:
    """The passages of every random sample a reviewer decided anything on, in the log's order.

    Decisions made in a sample workbook say so in their ``detail`` (``schema.SAMPLE_MARK``);
    a passage drawn but left untouched is not among them, and would not be read whole.
    """
    marked = log[s.DETAIL].fillna("").str.startswith(f"{s.SAMPLE_MARK}:")
    return list(dict.fromkeys(log.loc[marked, s.SEGMENT_ID]))


def read_whole(codings: pd.DataFrame, decisions: pd.DataFrame, sample: list[str]
               ) -> tuple[list[str], dict[str, set[str]]]:
    """The sampled passages the decisions read whole, and the codes the reviewer gave each.

    A passage is read whole when each of its machine codings was accepted or rejected and,
    if the machine coded nothing there, a code was added or ``none`` written. Codes given:
    accepted or added (the decision that stands for each, whoever made it).
    """
    if len(decisions) and s.LOG_SEQ not in decisions:  # a file's decisions, not yet logged
        decisions = decisions.assign(**{s.LOG_SEQ: range(len(decisions))})
    final = latest_decisions(decisions, per_reviewer=False) if len(decisions) else decisions
    machine = machine_codings(codings)
    by_machine = machine[machine[s.SEGMENT_ID].isin(set(sample))].groupby(
        s.SEGMENT_ID)[s.CODE_ID].agg(set).to_dict()
    decided: dict[str, dict[str, str]] = {}
    for row in final.itertuples(index=False):
        decided.setdefault(row.segment_id, {})[row.code_id] = row.decision
    whole, given = [], {}
    for segment_id in sample:
        said = decided.get(segment_id, {})
        if not said or not by_machine.get(segment_id, set()) <= set(said):
            continue
        whole.append(segment_id)
        given[segment_id] = {code for code, decision in said.items()
                             if decision in (s.DECISION_ACCEPTED, s.DECISION_ADDED)}
    return whole, given


def sample_agreement(codings: pd.DataFrame, decisions: pd.DataFrame, sample: list[str],
                     codebook: Codebook) -> pd.DataFrame:
    """Per code, the machine against the reviewer on the sampled passages read whole.

    Args:
        codings: the wave's codings (the machine's are compared; human rows are ignored).
        decisions: review decisions (schema.REVIEW_LOG) on the sample's passages.
        sample: the sampled segment ids (:func:`draw_sample`).
        codebook: the codes scored, in order; a code the reviewer added from outside it too.

    Returns:
        schema.SAMPLE_AGREEMENT: a row per code the machine or the reviewer gave on the
        passages, then ``(all codes)`` pooling them (precision, recall and F1 over every
        code's counts; kappa over every passage × code of the table). NaN where undefined.
    """
    whole, given = read_whole(codings, decisions, sample)
    machine = machine_codings(codings)
    machine = machine[machine[s.SEGMENT_ID].isin(set(whole))]
    by_machine = machine.groupby(s.SEGMENT_ID)[s.CODE_ID].agg(set).to_dict()
    seen = {code for codes in [*given.values(), *by_machine.values()] for code in codes}
    code_ids = [c for c in dict.fromkeys([*codebook.code_ids(), *sorted(seen)]) if c in seen]
    labels = codebook.labels()
    matrix = {who: np.array([[code in found.get(segment_id, set()) for code in code_ids]
                             for segment_id in whole], dtype=bool).reshape(len(whole), -1)
              for who, found in (("machine", by_machine), ("reviewer", given))}
    rows = [_scores(code_id, labels.get(code_id, code_id), matrix["machine"][:, j],
                    matrix["reviewer"][:, j], len(whole)) for j, code_id in enumerate(code_ids)]
    rows.append(_scores(s.ALL_CODES, s.ALL_CODES, matrix["machine"].ravel(),
                        matrix["reviewer"].ravel(), len(whole)))
    low, high = _f1_intervals(matrix["machine"], matrix["reviewer"])
    table = pd.DataFrame(rows).assign(**{s.F1_LOW: low, s.F1_HIGH: high})
    return s.conform(table, s.SAMPLE_AGREEMENT)


BOOTSTRAP = 1000
RESAMPLE_CELLS = 2_000_000  # passages × resamples drawn at once


def _f1_intervals(machine: np.ndarray, reviewer: np.ndarray, *, seed: int = DEFAULT_SEED
                  ) -> tuple[np.ndarray, np.ndarray]:
    """95 % bootstrap intervals of each code's F1 and the pooled F1, passages resampled.

    A few hundred passages leave F1 uncertain by several points; the interval says how many.
    NaN where F1 is undefined in more than a fortieth of the resamples (a code too rare).
    """
    passages, codes = machine.shape
    if not passages:
        return np.full(codes + 1, np.nan), np.full(codes + 1, np.nan)
    rng = np.random.default_rng(seed)
    coded = {"m": machine, "r": reviewer, "both": machine & reviewer}
    coded = {name: np.column_stack([m, m.sum(1)]).astype(float) for name, m in coded.items()}
    # Each resample as how often it drew each passage, a batch at a time: its counts are one
    # matrix product, and memory stays near RESAMPLE_CELLS numbers whatever the sample's size
    # (indexing the passages with every resample at once held resamples × passages × codes).
    batch = max(1, RESAMPLE_CELLS // passages)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in coded}
    for start in range(0, BOOTSTRAP, batch):
        size = min(batch, BOOTSTRAP - start)
        picks = rng.integers(0, passages, (size, passages))
        drawn = np.zeros((size, passages))
        np.add.at(drawn, (np.arange(size)[:, None], picks), 1)
        for name, m in coded.items():
            parts[name].append(drawn @ m)  # resamples × (codes + pooled)
    counts = {name: np.vstack(found) for name, found in parts.items()}
    given = counts["m"] + counts["r"]
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(given > 0, 2 * counts["both"] / given, np.nan)
    undefined = np.isnan(f1).mean(0) > 1 / 40
    low, high = (np.full(codes + 1, np.nan) for _ in range(2))
    ok = ~undefined
    if ok.any():
        low[ok], high[ok] = np.nanpercentile(f1[:, ok], [2.5, 97.5], axis=0)
    return low, high


def _scores(code_id: str, label: str, machine: np.ndarray, reviewer: np.ndarray,
            passages: int) -> dict[str, object]:
    both = int((machine & reviewer).sum())
    m, r = int(machine.sum()), int(reviewer.sum())
    return {s.CODE_ID: code_id, s.LABEL: label, s.PASSAGES: passages, s.BY_MACHINE: m,
            s.BY_REVIEWER: r, s.BY_BOTH: both,
            s.PRECISION: both / m if m else np.nan, s.RECALL: both / r if r else np.nan,
            s.F1: 2 * both / (m + r) if m + r else np.nan,
            s.KAPPA: cohen_kappa(machine.astype(int), reviewer.astype(int)) if len(machine)
            else np.nan}
