"""Stance and direction of coded passages: needed, missing or available; better or worse.

Rules over spaCy tokens and lemmas (blank English, lookup lemmatizer). The cues are data, in
``models/stance/cues.yaml``: Matcher patterns, each setting a stance, a direction or both. A
negator in or just before a cue turns it round ("not available" is a gap, "has not improved" is
no change). A change in quantity reads by what changed: "waiting lists have got longer" is worse,
"fewer clients are homeless" better.

Each coding takes the cue nearest its evidence in the same clause; failing that, a cue from
another main clause of the segment that carries no other (unrelated) code's evidence. A stance
cue inside another code's evidence belongs to that code ("clients leave rehab with nowhere to
live" is a housing gap, not a rehab one). Weak cues ("now", "as in previous years") count only
when no ordinary cue does. Evidence offsets point into the document, like codings'.

Accuracy on the hand-coded segments in ``tests/data/stance/gold.csv``::

    python -m pipeline.quality.stance_accuracy tests/data/stance/gold.csv
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
from spacy.tokens import Doc

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.interning import share_strings
from pipeline.nlp import ParsedSegments
from pipeline.stance_rules import CUES_PATH, Hit, StanceRules, load_rules

__all__ = ["CUES_PATH", "chunk_stances", "load_rules", "stances", "wave_stances"]


def _choose(hits: list[Hit], kind: str, evidence: tuple[int, int], own_clause: int,
            eligible: set[int], owned: list[tuple[int, int]]) -> Hit | None:
    """The cue of ``kind`` that speaks for the evidence (token span), or None.

    An ordinary cue before a weak one; in the evidence's own clause before the other
    eligible ones; then the nearest, the first.
    """
    def distance(hit: Hit) -> tuple[int, int]:
        return max(0, hit.start - evidence[1], evidence[0] - hit.end), hit.start

    of_kind = [h for h in hits if h.kind == kind and (
        kind == "direction" or not any(a <= h.start and h.end <= b for a, b in owned))]
    for weak in (False, True):
        pool = [h for h in of_kind if h.weak == weak and h.clause == own_clause]
        if not pool:
            pool = [h for h in of_kind if h.weak == weak and h.clause != own_clause
                    and h.clause in eligible]
        if pool:
            return min(pool, key=distance)
    return None


def _related(a: str, b: str, parents: Mapping[str, str | None]) -> bool:
    def lineage(code: str) -> set[str]:
        seen = {code}
        while parents.get(code) and parents[code] not in seen:
            code = str(parents[code])
            seen.add(code)
        return seen
    return a in lineage(b) or b in lineage(a)


def stances(segments: pd.DataFrame, codings: pd.DataFrame, *,
            parents: Mapping[str, str | None] | None = None,
            rules: StanceRules | None = None,
            cues: str | Path | None = CUES_PATH,
            parsed: ParsedSegments | None = None) -> pd.DataFrame:
    """Stance and direction of each coding (schema.STANCES), one row per coding, in order.

    Args:
        segments: segments table (``segment_id``, ``start``, ``text``).
        codings: codings table (``segment_id``, ``code_id``, ``start``, ``end``).
        parents: code id -> parent id (the codebook hierarchy); a parent's and a child's
            evidence never block each other's cues. Without it, only the same code is related.
        rules: compiled cues; by default those of ``cues``.
        cues: the cue file (a codebook's ``stance_cues``); None gives every coding a null
            stance and direction: a codebook that declares no cues gets no stance.
        parsed: docs the rule coder made of these segments (:meth:`RuleCoder.keeping_docs`),
            read instead of tokenising those segments again; the rules are then compiled on
            that coder's vocabulary (unless ``rules`` are given on another one, when the docs
            are not used).

    Returns:
        A table with the codings' ``segment_id`` and ``code_id``, the stance (needed, gap,
        available or null) and direction (improved, worsened, same or null), each with the
        document offsets and text of its evidence.
    """
    if codings.empty:
        return s.empty(s.STANCES)
    if rules is None and cues is None:
        return _with_ids({name: np.full(len(codings), None, dtype=object) for name in _FOUND},
                         codings, codings[s.SEGMENT_ID].isna().to_numpy())
    rules = rules or load_rules(Path(cues or CUES_PATH), parsed.nlp if parsed else None)
    reuse = parsed.docs if parsed is not None and parsed.nlp.vocab is rules.nlp.vocab else {}
    parents = parents or {}
    # Numpy arrays indexed by the codings' row numbers rather than a dict of lists per segment
    # and a list per column: a million-answer wave's three million codings made those lists
    # and the frames rebuilt from them the run's largest peak.
    at_segment = _segment_rows(segments, codings)
    seg_starts = segments[s.START].to_numpy()
    seg_texts = segments[s.TEXT].to_numpy(dtype=object)
    seg_ids = segments[s.SEGMENT_ID].to_numpy(dtype=object) if reuse else None
    code_ids = codings[s.CODE_ID].to_numpy(dtype=object)
    starts, ends = codings[s.START].to_numpy(), codings[s.END].to_numpy()
    found = {name: np.full(len(codings), None, dtype=object) for name in _FOUND}
    found_of = [found[name] for name in _FOUND]
    related: dict[tuple[str, str], bool] = {}
    for group in _groups(at_segment):
        row = at_segment[group[0]]
        seg_start, text = int(seg_starts[row]), str(seg_texts[row])
        doc = _reused(reuse, seg_ids[row], text) if reuse else None  # type: ignore[index]
        own = doc is None
        if doc is None:
            doc = rules.tokens(text)  # lemmas only where a cue reads them
        hits, clause_of, subordinate = rules.hits(doc, own_lemmas=own)
        if not hits:  # no cue: every coding of the segment keeps none (as _choose would say)
            continue
        spans = []
        for at in group:
            span = doc.char_span(int(starts[at]) - seg_start, int(ends[at]) - seg_start,  # type: ignore
                                 alignment_mode="expand")
            spans.append((str(code_ids[at]),
                          (span.start, span.end) if span is not None else (0, 0)))
        clauses = set(clause_of)
        stance_hits = [hit for hit in hits if hit.kind == "stance"]
        direction_hits = [hit for hit in hits if hit.kind == "direction"]
        for at, (code_id, (ev_start, ev_end)) in zip(group, spans, strict=True):
            own = clause_of[min(ev_start, len(doc) - 1)] if len(doc) else 0
            others = []
            for c, span in spans:
                pair = (c, code_id)
                if pair not in related:
                    related[pair] = _related(c, code_id, parents)
                if not related[pair]:
                    others.append((c, span))
            blocked = {clause_of[a] for _, (a, b) in others if b > a}
            eligible = {c for c in clauses if c not in subordinate and c not in blocked}
            owned = [span for _, span in others
                     if not (span[0] < ev_end and ev_start < span[1])]
            for kind, first, of_kind in (("stance", 0, stance_hits),
                                         ("direction", 4, direction_hits)):
                hit = _choose(of_kind, kind, (ev_start, ev_end), own, eligible,
                              owned) if of_kind else None
                if hit is None or hit.value is None:
                    continue
                for column, value in zip(found_of[first:first + 4], (
                        hit.value, seg_start + hit.char_start, seg_start + hit.char_end,
                        text[hit.char_start:hit.char_end]), strict=True):
                    column[at] = value
    # a coding without a segment gets an empty row, ids included
    return _with_ids(found, codings, at_segment < 0, blank_ids=True)


def _reused(docs: Mapping[str, tuple[str, Doc]], segment_id: object, text: str) -> Doc | None:
    """The doc kept for the segment, if it was made of this same text."""
    kept = docs.get(segment_id) if isinstance(segment_id, str) else None
    # the same string object when the coder read the same table: the comparison is immediate
    return kept[1] if kept is not None and kept[0] == text else None


def _with_ids(found: dict[str, np.ndarray], codings: pd.DataFrame, no_segment: np.ndarray, *,
              blank_ids: bool = False) -> pd.DataFrame:
    """The stance table: ``found``'s columns typed, after the codings' own id objects.

    The ids are not copied through Arrow as the other columns are: a copy of three million
    segment ids, and matching it back to the codings' objects to share them, was the stage's
    peak. ``blank_ids`` blanks both ids of a coding without a segment.
    """
    segment_ids = codings[s.SEGMENT_ID].to_numpy(dtype=object, copy=True)
    segment_ids[no_segment] = None
    code_ids = np.array([code if isinstance(code, str) else str(code)
                         for code in codings[s.CODE_ID].to_numpy(dtype=object)], dtype=object)
    code_ids[codings[s.CODE_ID].isna().to_numpy() | (blank_ids & no_segment)] = None
    table = s.conform(pd.DataFrame(found), _FOUND_SCHEMA)
    table.insert(0, s.CODE_ID, code_ids)
    table.insert(0, s.SEGMENT_ID, segment_ids)
    return table


_FOUND = [s.STANCE, s.STANCE_START, s.STANCE_END, s.STANCE_EVIDENCE,
          s.DIRECTION, s.DIRECTION_START, s.DIRECTION_END, s.DIRECTION_EVIDENCE]
_FOUND_SCHEMA = pa.schema([s.STANCES.field(name) for name in _FOUND])


def _segment_rows(segments: pd.DataFrame, codings: pd.DataFrame) -> np.ndarray:
    """Each coding's row in ``segments``, -1 for a coding without a segment id.

    A segment id listed twice is read from its last row. KeyError when a coding names a
    segment the table lacks (counted, never quoted).
    """
    ids = segments[s.SEGMENT_ID]
    rows = np.arange(len(ids))
    if not ids.is_unique:
        last = ~ids.duplicated(keep="last").to_numpy()
        ids, rows = ids[last], rows[last]
    found = pd.Index(ids).get_indexer(codings[s.SEGMENT_ID])
    missing = codings[s.SEGMENT_ID].isna().to_numpy()
    unknown = int(((found < 0) & ~missing).sum())
    if unknown:
        raise KeyError(f"{unknown} codings name a segment the segments table lacks")
    return np.where(missing, -1, rows[found])


def _groups(at_segment: np.ndarray) -> Iterator[np.ndarray]:
    """The codings' row numbers of each segment, segments in first-seen order, rows in order."""
    rows = np.flatnonzero(at_segment >= 0)
    if not len(rows):
        return
    rows = rows[np.argsort(at_segment[rows], kind="stable")]
    breaks = np.flatnonzero(np.diff(at_segment[rows])) + 1
    firsts, lasts = np.r_[0, breaks], np.r_[breaks, len(rows)]
    # a stable sort keeps each segment's first coding at the front of its run
    for k in np.argsort(rows[firsts], kind="stable"):
        yield rows[firsts[k]:lasts[k]]


def wave_stances(segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook, *,
                 rules: StanceRules | None = None,
                 earlier: tuple[pd.DataFrame, pd.DataFrame | None] | None = None,
                 parsed: ParsedSegments | None = None) -> pd.DataFrame:
    """The stance stage of a wave: :func:`stances` of the codings that stand, in their order.

    Args:
        segments: the wave's segments.
        codings: the codings that stand (rejected ones already left out).
        codebook: gives the hierarchy and the stance cues it declares (none: no stances).
        rules: compiled cues; by default the codebook's.
        earlier: (codings, stances) found before, row for row: the chunks' machine codings
            and their stances, or the wave's last publish. A coding's stance
            depends on the other codings of its segment, so only segments whose codings
            changed (a review rejected or added one) are parsed again; the rest keep their
            earlier rows. Ignored when the two tables do not line up.
        parsed: the rule coder's docs of these segments (:func:`stances`).
    """
    parents, cues = codebook.parents(), codebook.stance_cues
    if earlier is None or earlier[1] is None or len(earlier[0]) != len(earlier[1]):
        return stances(segments, codings, parents=parents, rules=rules, cues=cues,
                       parsed=parsed)
    keys = [s.SEGMENT_ID, s.CODE_ID, s.START, s.END]
    if _same_rows(earlier[0], codings, keys):  # nothing reviewed: every earlier row stands
        return _sharing(_numbered(earlier[1]), _numbered(codings))
    before, found = earlier[0].reset_index(drop=True), earlier[1].reset_index(drop=True)
    codings = codings.reset_index(drop=True)

    def keyed(frame: pd.DataFrame) -> pd.MultiIndex:
        rows = frame[keys].astype(str)
        return pd.MultiIndex.from_frame(rows.assign(_n=rows.groupby(keys).cumcount()))

    def per_segment(frame: pd.DataFrame) -> dict[str, list[tuple[str, ...]]]:
        out: dict[str, list[tuple[str, ...]]] = {}
        for row in frame[keys].astype(str).itertuples(index=False):
            out.setdefault(row[0], []).append(tuple(row[1:]))
        return {segment: sorted(rows) for segment, rows in out.items()}

    then = per_segment(before)
    changed = {seg for seg, rows in per_segment(codings).items() if then.get(seg) != rows}
    fresh = codings[s.SEGMENT_ID].astype(str).isin(changed).to_numpy()
    parts = [found.set_axis(keyed(before)).reindex(keyed(codings[~fresh])).set_axis(
        codings.index[~fresh])]
    if fresh.any():
        parts.append(stances(segments, codings[fresh], parents=parents, rules=rules,
                             cues=cues, parsed=parsed).set_axis(
            codings.index[fresh]))
    return _sharing(s.conform(pd.concat(parts).sort_index().reset_index(drop=True), s.STANCES),
                    codings)


def chunk_stances(segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook, *,
                  parsed: ParsedSegments | None = None) -> tuple[pd.DataFrame, float]:
    """:func:`wave_stances` of one chunk's machine codings, and the seconds it took.

    A coding's stance depends on its segment alone, so a chunk's stances, found where the chunk
    was coded (another process or machine), are the wave's for those codings; the stance stage
    then parses again only the segments whose codings a review changed. ``parsed``: the rule
    coder's docs of the chunk's segments, so that they are not tokenised twice.
    """
    started = time.perf_counter()
    found = wave_stances(segments, codings, codebook, parsed=parsed)
    return found, time.perf_counter() - started


def _same_rows(before: pd.DataFrame, now: pd.DataFrame, keys: list[str]) -> bool:
    """Whether ``before`` and ``now`` hold the same ``keys`` values, row for row."""
    return len(before) == len(now) and all(
        bool((before[key].to_numpy() == now[key].to_numpy()).all()) for key in keys)


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with rows numbered from 0 (itself when they are: a wave's tables are large)."""
    return frame if frame.index.equals(pd.RangeIndex(len(frame))) else frame.reset_index(
        drop=True)


def _sharing(found: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """``found`` holding the segment and code ids of ``codings``: both are kept to publish."""
    return share_strings(found, codings, {s.SEGMENT_ID: s.SEGMENT_ID, s.CODE_ID: s.CODE_ID})
