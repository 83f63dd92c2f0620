"""The review queue ordered for learning: what a trained model and the rules say about each coding.

A reviewer who wants the coder to learn fastest should see first the codings a human answer
settles most: those a trained model and the rules disagree on (one of them is wrong), then those
the model is least sure of, spread across the wave's topics rather than a run of near-duplicates.
That is :func:`pipeline.quality.active.review_order`, applied to the queue's codings:

- each coding is a (segment, code) pair; the model's probability of that code on that segment is
  put on a common scale (its threshold at 0.5, the distance on each side scaled by the room on
  that side, which :func:`~pipeline.quality.active.uncertainty` measures the same way), so codings
  of different codes compare;
- the coders compared are the model (probability at or above its threshold), the wave's coder
  (it coded the segment with the code, or the coding would not be queued) and the rules;
- the diversity clusters are k-means clusters of the segments' MiniLM embeddings, and each
  hundred codings is spread over them from the 150 with the highest priority left;
- codings of codes with few labelled examples move up (:func:`pipeline.quality.active.rarity`):
  a code's labelled positives are its support on the model's card, the gold it was trained
  and cross-validated on (after ``wavecoder retrain`` that includes the wave's review).

Codes the model never learned (too few examples) count as agreed and certain: it has no opinion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.errors import InputError
from pipeline.outputs import RunRecord
from pipeline.quality.active import disagreement, rarity, review_order

COMMON_THRESHOLD = 0.5


@dataclass
class CoderSignals:
    """What a trained model and the rules say about segments awaiting review."""

    model: str  # the model's folder name, for messages
    proba: dict[tuple[str, str], float]  # (segment_id, code_id) → probability, learned codes
    thresholds: dict[str, float]  # learned code → its decision threshold
    rules: set[tuple[str, str]]  # (segment_id, code_id) the rule coder gives
    embeddings: dict[str, np.ndarray] | None = None  # segment_id → sentence embedding
    positives: dict[str, int] | None = None  # code → labelled positives the model learned from


def coder_signals(codings: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook,
                  model_dir: Path, *, embed: bool = True) -> CoderSignals:
    """Run the saved model, the rules and (with ``embed``) MiniLM on the segments under review.

    Only segments with a coding still awaiting a decision are read. InputError names the
    model's ``config.json`` when the model gives no probabilities (a linear model does, and a
    hybrid through its linear model).
    """
    from pipeline.coding import RuleCoder
    from pipeline.coding.registry import load_coder

    coder = scoring_model(load_coder(Path(model_dir), codebook))
    if not hasattr(coder, "predict_proba") or not hasattr(coder, "threshold_vector"):
        raise InputError(f"{Path(model_dir) / 'config.json'}: a '{coder.kind}' model gives no "
                         "probabilities to order the review by; train a linear or hybrid one "
                         "(wavecoder train or retrain --coder linear)")
    waiting = codings[codings[s.STATUS].fillna(s.STATUS_MACHINE) == s.STATUS_MACHINE]
    rows = segments[segments[s.SEGMENT_ID].isin(set(waiting[s.SEGMENT_ID]))].reset_index(
        drop=True)
    ids = rows[s.SEGMENT_ID].tolist()
    proba = coder.predict_proba(rows[s.TEXT].tolist(), coder.context_of(rows))
    cuts = dict(zip(coder.code_ids, coder.threshold_vector().tolist(), strict=True))
    learned = {code: cut for code, cut in cuts.items() if np.isfinite(cut)}
    by_pair = {(segment_id, code): float(proba[i, j]) for i, segment_id in enumerate(ids)
               for j, code in enumerate(coder.code_ids) if code in learned}
    ruled = RuleCoder(codebook).code(rows) if len(rows) else s.empty(s.CODINGS)
    rules = set(zip(ruled[s.SEGMENT_ID], ruled[s.CODE_ID], strict=True))
    vectors = None
    if embed and ids:
        from pipeline.embeddings import MiniLMEmbedder

        matrix = MiniLMEmbedder().embed(rows[s.TEXT].tolist())
        vectors = dict(zip(ids, matrix, strict=True))
    return CoderSignals(Path(model_dir).name, by_pair, learned, rules, vectors,
                        labelled_positives(Path(model_dir)))


def scoring_model(coder):
    """What gives ``coder``'s probabilities: a hybrid's linear model, else the coder itself.

    A hybrid decides some codes by its rules alone, but its linear model scores every code it
    learned, with the rules' matches among its features, and is what retraining improves.
    """
    from pipeline.coding.hybrid import HybridCoder

    return coder.model if isinstance(coder, HybridCoder) else coder


def labelled_positives(model_dir: Path) -> dict[str, int] | None:
    """Per code, the positive examples the model learned from: its card's per-code support.

    The card scores the model by cross-validation on its whole gold file, so a code's support
    is its positives there; a code missing from the card had too few to score and counts 0
    (the rarest). None for a model without a card: the order then leaves rarity out.
    """
    from pipeline.quality.card import CARD, read_card

    if not (model_dir / CARD).is_file():
        return None
    return {row.code_id: int(row.support) for row in read_card(model_dir).per_code}


def wave_model(run: RunRecord | None) -> Path | None:
    """The trained model a wave was coded with (``run.json``), when it was coded by one."""
    if run is None:
        return None
    from pipeline.quality.choose import model_dir

    for name in (run.coder_info.get("chosen"), run.parameters.get("coder")):
        folder = model_dir(str(name)) if name else None
        if folder is not None:
            return folder
    return None


def common_scale(rows: pd.DataFrame, signals: CoderSignals) -> np.ndarray:
    """Each coding's model probability with its code's threshold moved to 0.5.

    Below the threshold ``t`` a probability ``p`` becomes ``0.5 p / t``, above it
    ``0.5 + 0.5 (p - t) / (1 - t)``: the decision and the uncertainty stay as they were. A code
    the model did not learn gets 1 (agreed, certain).
    """
    scaled = []
    for segment_id, code_id in zip(rows[s.SEGMENT_ID], rows[s.CODE_ID], strict=True):
        cut = signals.thresholds.get(code_id)
        if cut is None:
            scaled.append(1.0)
            continue
        p = signals.proba.get((segment_id, code_id), 0.0)
        scaled.append(COMMON_THRESHOLD * p / max(cut, 1e-9) if p < cut else
                      COMMON_THRESHOLD + COMMON_THRESHOLD * (p - cut) / max(1 - cut, 1e-9))
    return np.clip(np.array(scaled, dtype=float), 0.0, 1.0)


def _others(rows: pd.DataFrame, signals: CoderSignals) -> dict[str, np.ndarray]:
    """The wave's coder (it gave every queued coding) and the rules, as 0/1 columns."""
    pairs = zip(rows[s.SEGMENT_ID], rows[s.CODE_ID], strict=True)
    return {"wave coder": np.ones((len(rows), 1), dtype=int),
            "rules": np.array([[int(pair in signals.rules)] for pair in pairs], dtype=int)}


def disputed(rows: pd.DataFrame, signals: CoderSignals) -> np.ndarray:
    """Per coding, whether the model, the wave's coder and the rules disagree on it."""
    if rows.empty:
        return np.zeros(0, dtype=bool)
    own = (common_scale(rows, signals) >= COMMON_THRESHOLD).astype(int)[:, None]
    return disagreement({"model": own, **_others(rows, signals)}) > 0


def active_order(rows: pd.DataFrame, signals: CoderSignals, *, seed: int = 42) -> np.ndarray:
    """Positions of ``rows`` (codings) in the order that teaches the model most, best first.

    Disputed codings first, then by the model's uncertainty plus the rarity of the coding's
    code (when ``signals`` count positives), each hundred spread over the embedding clusters
    from the 150 best codings left (:func:`pipeline.quality.active.review_order`).
    """
    if rows.empty:
        return np.zeros(0, dtype=int)
    vectors = None
    if signals.embeddings is not None:
        vectors = np.stack([signals.embeddings[segment_id] for segment_id in rows[s.SEGMENT_ID]])
    scale, cut, others = (common_scale(rows, signals)[:, None], np.array([COMMON_THRESHOLD]),
                          _others(rows, signals))
    rare = None
    if signals.positives is not None:
        counts = rows[s.CODE_ID].map(signals.positives).fillna(0).to_numpy(dtype=float)
        rare = rarity(scale, cut, counts[:, None], others)
    return review_order(scale, cut, others, vectors, rarity_scores=rare, seed=seed)
