"""Active learning: the order in which to ask a human to code texts so the coder learns most.

Four signals, from what the coders say about the unlabelled pool and what is labelled already:

- **uncertainty**: how close a text's probability is to a code's decision threshold (a text
  scored right at the cut is the one the coder cannot decide); a text takes its most
  uncertain code;
- **disagreement**: whether the trained coder and the other coders (e.g. the rules, rules ∪
  semantic) disagree on any code: someone is wrong, and a human answer settles it;
- **rarity**: how likely a text is to hold codes with few labelled examples so far (the sum over
  codes of the chance it holds the code, each weighted by 1 / (1 + the code's labelled
  positives)): macro-F1 is an average over codes, and a rare code gains most from one more
  positive;
- **diversity**: the pool is clustered on its sentence embeddings (k-means) and the order
  visits the clusters in turn, so a batch of 100 is not 100 near-duplicates of one complaint.

Pure functions on arrays; seeded (k-means) and otherwise deterministic (ties keep pool order).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from pipeline.errors import InputError

DEFAULT_CLUSTERS = 10
RARITY_WEIGHT = 1.0  # of rarity (0-1) against uncertainty (0-1): measured best on the NHS split
# A batch of 100 texts spread over the clusters from the 150 best left: ahead of spreading it
# over the whole pool on average over five NHS splits, behind on one (docs/coders.md,
# *A shortlist for the clusters*).
SHORTLIST = (100, 150)


def uncertainty(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per text, 1 at a code's threshold falling to 0 at certainty (probability 0 or 1).

    The distance to the cut is scaled by the room on that side of it, so a code with a low
    threshold is as uncertain at half-way to 0 as one with a high threshold at half-way to 1.
    Codes with an infinite threshold (not learned) are left out; a text takes its maximum.
    """
    proba, thresholds = np.asarray(proba, dtype=float), np.asarray(thresholds, dtype=float)
    _check_columns(proba, thresholds)
    learned = np.isfinite(thresholds)
    if not learned.any() or not len(proba):
        return np.zeros(len(proba))
    p, t = proba[:, learned], thresholds[learned]
    room = np.where(p >= t, 1.0 - t, t)
    closeness = 1.0 - np.abs(p - t) / np.maximum(room, 1e-9)
    return np.clip(closeness, 0.0, 1.0).max(axis=1)


def disagreement(decisions: Mapping[str, np.ndarray]) -> np.ndarray:
    """Per text, the share of codes on which the coders' 0/1 decisions are not unanimous.

    ``decisions`` maps a coder's name to its texts × codes 0/1 matrix (same shape for all).
    """
    matrices = [np.asarray(m, dtype=int) for m in decisions.values()]
    if not matrices:
        return np.zeros(0)
    shapes = {m.shape for m in matrices}
    if len(shapes) != 1:
        raise InputError(f"coders' decisions differ in shape: {sorted(shapes)} "
                         f"(coders: {', '.join(decisions)})")
    stacked = np.stack(matrices)
    split = stacked.min(axis=0) != stacked.max(axis=0)
    return split.mean(axis=1) if split.shape[1] else np.zeros(split.shape[0])


def clusters(embeddings: np.ndarray, n_clusters: int = DEFAULT_CLUSTERS,
             seed: int = 42) -> np.ndarray:
    """k-means cluster of each text's embedding (seeded; fewer clusters for a small pool)."""
    embeddings = np.asarray(embeddings, dtype=np.float64)
    k = max(1, min(n_clusters, len(embeddings)))
    if len(embeddings) == 0:
        return np.zeros(0, dtype=int)
    from sklearn.cluster import KMeans  # here: scikit-learn costs seconds at every start-up

    return KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(embeddings)


def chance(proba: np.ndarray, thresholds: np.ndarray,
           others: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Per text and code, how likely the text holds the code, in [0, 1].

    The trained coder's probability with its code's threshold moved to 0.5 (balanced class
    weights inflate a rare code's raw probabilities; on this scale the cut is the same for
    every code), or, when higher, the share of ``others`` that give the code: for a code the
    coder did not learn (infinite threshold) the rules are the only evidence.
    """
    proba, thresholds = np.asarray(proba, dtype=float), np.asarray(thresholds, dtype=float)
    _check_columns(proba, thresholds)
    learned = np.isfinite(thresholds)
    cut = np.where(learned, thresholds, 1.0)
    below = 0.5 * proba / np.maximum(cut, 1e-9)
    above = 0.5 + 0.5 * (proba - cut) / np.maximum(1.0 - cut, 1e-9)
    scaled = np.where(learned, np.where(proba < cut, below, above), 0.0)
    _check_others(others, proba.shape)
    if others:
        votes = np.mean([np.asarray(m, dtype=float) for m in others.values()], axis=0)
        scaled = np.maximum(scaled, votes)
    return np.clip(scaled, 0.0, 1.0)


def rarity(proba: np.ndarray, thresholds: np.ndarray, positives: np.ndarray,
           others: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Per text, Σ over codes of :func:`chance` × 1 / (1 + the code's labelled positives).

    ``positives`` holds how many labelled texts have each code: one count per code (same
    order as the columns), or one per text and code (texts × codes). Scaled so the pool's
    highest is 1 (all 0 when no text is likely to hold any code).
    """
    positives = np.asarray(positives, dtype=float)
    if positives.shape not in {(np.shape(proba)[1],), np.shape(proba)}:
        raise InputError(f"positive counts of shape {positives.shape} for probabilities of "
                         f"shape {np.shape(proba)} (one count per code)")
    score = (chance(proba, thresholds, others) / (1.0 + np.maximum(positives, 0.0))).sum(axis=1)
    top = score.max() if len(score) else 0.0
    return score / top if top > 0 else np.zeros(len(score))


def priority(proba: np.ndarray, thresholds: np.ndarray,
             others: Mapping[str, np.ndarray] | None = None, *,
             disagreement_weight: float = 1.0, rarity_scores: np.ndarray | None = None,
             rarity_weight: float = RARITY_WEIGHT) -> np.ndarray:
    """Per text, uncertainty + weighted dispute (any code) + weighted rarity.

    The score is uncertainty + ``disagreement_weight`` × (coders disagree on any code) +
    ``rarity_weight`` × ``rarity_scores`` (:func:`rarity`, when given).

    The trained coder's own decisions (probability ≥ threshold) are compared with ``others``.
    With the default weight every disputed text ranks above every undisputed one, and
    uncertainty orders texts within each group: a dispute means at least one coder is wrong.
    """
    proba, thresholds = np.asarray(proba, dtype=float), np.asarray(thresholds, dtype=float)
    score = uncertainty(proba, thresholds)
    _check_others(others, proba.shape)
    if others:
        own = (proba >= thresholds).astype(int)
        disputed = disagreement({"trained": own, **others}) > 0
        score = score + disagreement_weight * disputed
    if rarity_scores is not None:
        if len(rarity_scores) != len(score):
            raise InputError(f"{len(rarity_scores)} rarity scores for {len(score)} texts")
        score = score + rarity_weight * np.asarray(rarity_scores, dtype=float)
    return score


def review_order(proba: np.ndarray, thresholds: np.ndarray,
                 others: Mapping[str, np.ndarray] | None = None,
                 embeddings: np.ndarray | None = None, *,
                 n_clusters: int = DEFAULT_CLUSTERS, disagreement_weight: float = 1.0,
                 rarity_scores: np.ndarray | None = None, rarity_weight: float = RARITY_WEIGHT,
                 seed: int = 42, shortlist: tuple[int, int] | None = SHORTLIST) -> np.ndarray:
    """Positions of the pool's texts in the order a human should code them.

    Args:
        proba: the trained coder's probabilities, texts × codes.
        thresholds: its decision threshold per code (``inf`` for a code it did not learn).
        others: other coders' 0/1 decisions (name → texts × codes, same code order).
        embeddings: sentence embeddings of the texts; with them the order takes the best
            remaining text of each k-means cluster in turn (within a turn, higher
            priority first); without them it is plain priority order.
        n_clusters: clusters for diversity (fewer for a small pool).
        disagreement_weight: see :func:`priority`.
        rarity_scores: per text, how likely it holds codes with few labelled positives
            (:func:`rarity`); with them such texts move up, by ``rarity_weight``.
        rarity_weight: see :func:`priority`.
        seed: seeds k-means; the same inputs and seed give the same order.
        shortlist: (batch, candidates): with embeddings, each batch of ``batch`` texts is
            spread over the clusters from the ``candidates`` highest-priority texts left,
            so diversity never puts a low-priority text ahead; None spreads every turn
            over the whole pool.

    Returns:
        Every position ``0 .. len(proba) - 1`` once, the text to ask about first at the front.
    """
    score = priority(proba, thresholds, others, disagreement_weight=disagreement_weight,
                     rarity_scores=rarity_scores, rarity_weight=rarity_weight)
    ranked = np.lexsort((np.arange(len(score)), -score))  # best first; ties by position
    if shortlist is not None:
        batch, candidates = _checked_shortlist(shortlist)  # refused with or without embeddings
    if embeddings is None or len(score) == 0:
        return ranked
    if len(embeddings) != len(score):
        raise InputError(f"{len(embeddings)} embeddings for {len(score)} texts")
    groups = clusters(embeddings, n_clusters, seed)
    rank = np.empty(len(score), dtype=int)
    rank[ranked] = np.arange(len(score))
    if shortlist is None:
        return np.array(_round_robin(ranked.tolist(), groups, rank), dtype=int)
    ranked_list, taken, order, first = ranked.tolist(), np.zeros(len(score), bool), [], 0
    while len(order) < len(score):
        while taken[ranked_list[first]]:
            first += 1
        shortlisted: list[int] = []
        at = first
        while at < len(ranked_list) and len(shortlisted) < candidates:  # best ones not taken
            if not taken[ranked_list[at]]:
                shortlisted.append(ranked_list[at])
            at += 1
        spread = _round_robin(shortlisted, groups, rank)[:batch]
        taken[spread] = True
        order.extend(spread)
    return np.array(order, dtype=int)


def _round_robin(ranked: list[int], groups: np.ndarray, rank: np.ndarray) -> list[int]:
    """``ranked`` (best first) reordered to take one text per cluster per turn, best first."""
    queues: dict[int, list[int]] = {}
    for position in ranked:  # each cluster's texts, best first; clusters by their best text
        queues.setdefault(int(groups[position]), []).append(int(position))
    order: list[int] = []
    lists = list(queues.values())
    for depth in range(max((len(q) for q in lists), default=0)):
        order.extend(sorted((q[depth] for q in lists if depth < len(q)), key=rank.__getitem__))
    return order


def _checked_shortlist(shortlist: tuple[int, int]) -> tuple[int, int]:
    batch, candidates = shortlist
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (batch, candidates)) \
            or not 1 <= batch <= candidates:
        raise InputError(f"shortlist (batch, candidates) must be whole numbers with "
                         f"1 <= batch <= candidates, not {shortlist!r}")
    return batch, candidates


def _check_columns(proba: np.ndarray, thresholds: np.ndarray) -> None:
    if proba.ndim != 2 or proba.shape[1] != len(thresholds):
        raise InputError(f"probabilities of shape {proba.shape} for {len(thresholds)} "
                         f"thresholds (one per code)")


def _check_others(others: Mapping[str, np.ndarray] | None, shape: tuple[int, ...]) -> None:
    for name, matrix in (others or {}).items():
        if np.shape(matrix) != shape:
            raise InputError(f"coder {name!r}: decisions of shape {np.shape(matrix)}, "
                             f"the trained coder's are {shape}")
