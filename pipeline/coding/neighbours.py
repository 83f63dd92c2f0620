"""A vote of each text's nearest training texts, blended into a trained coder's probabilities.

One weight vector per code misses a code said in several unrelated ways, or with few examples;
the training texts nearest a new one often carry it. A text's neighbours are the ``k`` training
texts whose sentence vectors (unit length, cosine) are most like its own; a code's vote is the
similarity-weighted share of them that carry it (negative similarities weigh nothing). The
coder's probability becomes ``(1 - weight)`` × its own + ``weight`` × the vote, on the held-out
training texts (where thresholds and cuts are learned; a text is never its own neighbour) and on
new texts alike.

With ``weight`` ``"auto"`` the coder chooses it (:func:`chosen_weight`): each weight of
:data:`WEIGHT_GRID` blends the held-out probabilities, thresholds and cut are learned on the
blend as for any weight, and the weight whose decisions score the best macro-F1 on texts the
sentence vectors never learned from is kept (for a fine-tuned encoder, the tenth it held out:
the vote among texts it was trained to pull together flatters itself), if it beats the coder's
measured default (its ``prior``) clearly enough to be more than chance.

Similarities are taken a block of rows at a time, so a million texts against five thousand
training texts never hold more than one block's matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.coding.disk import CONFIG, field
from pipeline.coding.thresholds import best_relative_cut, best_thresholds, decide, macro_f1
from pipeline.errors import ConfigError, InputError

BLOCK_ROWS = 1024  # rows of texts × training texts scored at once (1024 × 5,175 × 4 B = 21 MB)
AUTO = "auto"
WEIGHT_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
"""The weights ``auto`` chooses from; above 0.5 the vote would outweigh the coder itself."""
CONFIDENCE = 0.9  # share of bootstrap resamples a weight must win to replace the prior
RESAMPLES = 200


def checked_settings(weight, k, embedding: str | None) -> tuple[float | str, int]:
    """The vote's ``weight`` (or ``"auto"``) and ``k`` for a coder with ``embedding``.

    ConfigError says why not.
    """
    if weight == AUTO:
        if embedding is None:
            raise ConfigError("neighbours need sentence embeddings: the vote finds a text's "
                              "nearest training texts by them")
        return AUTO, _checked_k(k)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
        raise ConfigError(f"neighbours must be a weight from 0 to 1 or 'auto', not {weight!r}")
    k = _checked_k(k)
    if weight and embedding is None:
        raise ConfigError("neighbours need sentence embeddings: the vote finds a text's "
                          "nearest training texts by them")
    return float(weight), k


def _checked_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"k (the neighbours that vote) must be a whole number >= 1, not {k!r}")
    return k


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` (float32) scaled to unit length per row; zero rows stay zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, np.float32(1e-12))


def vote(similarity: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Each code's similarity-weighted share among each row's ``k`` most similar columns.

    ``similarity`` is texts × training texts, ``labels`` training texts × codes (0/1); a
    column at ``-inf`` is never a neighbour. Gives texts × codes in [0, 1].
    """
    k = min(k, similarity.shape[1])
    nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    weights = np.clip(np.take_along_axis(similarity, nearest, axis=1), 0, None)
    weights = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
    return np.einsum("nk,nkc->nc", weights, labels[nearest].astype(np.float64))


@dataclass(frozen=True)
class NeighbourVote:
    """The training texts' unit vectors and labels, and how much their vote weighs.

    Attributes:
        vectors: training texts × dimensions, unit length (float32).
        labels: training texts × learned codes, 0/1 (uint8).
        weight: the vote's share of the blended probability, in [0, 1].
        k: how many neighbours vote.
    """

    vectors: np.ndarray
    labels: np.ndarray
    weight: float
    k: int

    @classmethod
    def of(cls, vectors: np.ndarray, labels: np.ndarray, weight: float,
           k: int) -> "NeighbourVote":
        """The vote of training texts with sentence ``vectors`` and 0/1 ``labels``."""
        return cls(unit_rows(vectors), np.asarray(labels, dtype=np.uint8), weight, k)

    @classmethod
    def saved(cls, arrays: dict[str, np.ndarray], n_codes: int, weight: float, k: int,
              path: Path) -> "NeighbourVote":
        """The vote kept in a model's ``arrays`` (``neighbour_vectors``, ``neighbour_labels``).

        InputError names ``path`` when they are missing, not finite, or do not fit ``n_codes``
        learned codes.
        """
        vectors, labels = arrays.get("neighbour_vectors"), arrays.get("neighbour_labels")
        if (vectors is None or labels is None or vectors.ndim != 2 or labels.ndim != 2
                or len(vectors) != len(labels) or labels.shape[1] != n_codes
                or not np.isin(labels, (0, 1)).all() or not np.isfinite(vectors).all()):
            raise InputError(f"{path}: the neighbours' vectors and labels are missing or do not "
                             f"match the model's {n_codes} learned codes")
        # as saved: normalising unit rows again would move their last bits, and the scores
        return cls(np.asarray(vectors, dtype=np.float32), labels.astype(np.uint8), weight, k)

    def held_out(self, proba: np.ndarray) -> np.ndarray:
        """The training texts' held-out ``proba`` blended with the others' vote (not their own)."""
        return self.blended(proba, self.held_out_votes())

    def held_out_votes(self) -> np.ndarray:
        """Each training text's vote from the others (never itself): texts × learned codes."""
        out = np.empty(self.labels.shape)
        for start in range(0, len(self.vectors), BLOCK_ROWS):
            rows = slice(start, start + BLOCK_ROWS)
            similarity = self.vectors[rows] @ self.vectors.T
            block = np.arange(similarity.shape[0])
            similarity[block, block + start] = -np.inf  # a text is not its own neighbour
            out[rows] = vote(similarity, self.labels, self.k)
        return out

    def blended(self, proba: np.ndarray, votes: np.ndarray) -> np.ndarray:
        """``proba`` and ``votes`` mixed by the weight."""
        return (1 - self.weight) * proba + self.weight * votes

    def blend(self, proba: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        """New texts' ``proba`` (texts × learned codes) blended with their neighbours' vote."""
        vectors = unit_rows(vectors)
        if vectors.shape[1] != self.vectors.shape[1]:
            raise ConfigError(f"the neighbours' saved vectors have {self.vectors.shape[1]} "
                              f"dimensions, the embedding gives {vectors.shape[1]}")
        out = np.empty(proba.shape)
        for start in range(0, len(vectors), BLOCK_ROWS):
            rows = slice(start, start + BLOCK_ROWS)
            votes = vote(vectors[rows] @ self.vectors.T, self.labels, self.k)
            out[rows] = self.blended(proba[rows], votes)
        return out


def chosen_weight(truth: np.ndarray, proba: np.ndarray, votes: np.ndarray,
                  judged: np.ndarray, *, shrink: float, relative: bool, prior: float = 0.0,
                  grid: tuple[float, ...] = WEIGHT_GRID) -> tuple[float, dict[float, float]]:
    """The weight of ``grid`` whose blend of ``proba`` and ``votes`` codes ``judged`` rows best.

    For each weight, thresholds (and, if ``relative``, the relative cut) are learned on every
    row's blend, as the coder learns them; the score is the macro-F1 of the ``judged`` rows'
    decisions against ``truth``. The best weight (the smaller on a tie) replaces ``prior``
    only when it is clearly better (:func:`clearly_better`): a few hundred judged rows over
    dozens of codes move macro-F1 by a point or two by chance alone. Gives the weight and
    every weight's score.
    """
    scores, decided = {}, {}
    for weight in grid:
        blend = (1 - weight) * proba + weight * votes
        cuts = best_thresholds(truth, blend, shrink=shrink)
        cut = best_relative_cut(truth, blend, cuts) if relative else 0.0
        decided[weight] = decide(blend[judged], cuts, cut)
        scores[weight] = round(macro_f1(truth[judged], decided[weight]), 4)
    best = max(grid, key=lambda w: (scores[w], -w))
    if prior in decided and best != prior and not clearly_better(
            truth[judged], decided[best], decided[prior]):
        return prior, scores
    return best, scores


def clearly_better(truth: np.ndarray, ours: np.ndarray, theirs: np.ndarray, *,
                   confidence: float | None = None, resamples: int = RESAMPLES,
                   seed: int = 0) -> bool:
    """Whether decisions ``ours`` beat ``theirs`` in macro-F1 on most resamples of the rows.

    At least ``confidence`` of ``resamples`` seeded bootstrap resamples (the same rows for
    both) must score ``ours`` higher.
    """
    confidence = CONFIDENCE if confidence is None else confidence  # read now: benchmarks vary it
    rng, wins = np.random.default_rng(seed), 0
    for _ in range(resamples):
        rows = rng.integers(0, len(truth), len(truth))
        wins += macro_f1(truth[rows], ours[rows]) > macro_f1(truth[rows], theirs[rows])
    return wins >= confidence * resamples


def saved_weight(setting: float | str, config: dict, directory: Path
                 ) -> tuple[float, dict[float, float]]:
    """The vote's weight a saved model applies, and the held-out score of each weight tried.

    ``setting`` is the model's ``neighbours`` setting (``auto`` saved the weight it chose);
    ``config`` its ``config.json`` in ``directory``. InputError names the file and field.
    """
    if not setting:
        return 0.0, {}
    if setting != AUTO and "neighbour_weight" not in config:
        return float(setting), {}  # saved before the chosen weight was written
    weight = field(config, "neighbour_weight", directory)
    where = directory / CONFIG
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
        raise InputError(f"{where}: field 'neighbour_weight': a weight from 0 to 1, "
                         f"not {weight!r}")
    scores = config.get("neighbour_scores", {})  # what auto chose from, for the card
    try:
        return float(weight), {float(w): float(score) for w, score in scores.items()}
    except (AttributeError, TypeError, ValueError):
        raise InputError(f"{where}: field 'neighbour_scores': weights and their scores, "
                         f"not {scores!r:.80}") from None
