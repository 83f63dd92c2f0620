"""The semantic coder: a codebook's own words, embedded, matched to clauses; no training data.

Each scored code is described by several short texts, embedded once with the offline MiniLM:
its label with its definition, its "when to use", and each of its examples on its own (a
clause is compared with every one and the best counts, so one apt example is enough; an
averaged vector would blur them). A segment is split into clauses
(:mod:`pipeline.coding.clauses`); each clause goes to the code it is most similar to, and only
when that similarity clears the code's threshold and beats the next best code by a margin. A
segment's coding is its best clause for the code, which is also the evidence.

Thresholds come from the codebook alone, never from a wave's labels: a code's threshold is the
similarity that the other codes' descriptions and examples reach to it, at a high quantile
(:data:`NEIGHBOUR_QUANTILE`), so a clause must look more like this code than nearly anything
written for another code does (and never less than :data:`FLOOR`). A code with distinctive
examples gets a low threshold, one that shares its words with its neighbours a high one.

Child codes are coded as the rule coder codes them: a code is scored on its own description
and its child codings are rolled up to parents where codings are exported and scored. A parent
code with no examples of its own only groups its children and is not scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.coding.clauses import split_clauses
from pipeline.config import Code, Codebook
from pipeline.embeddings import Embedder, MiniLMEmbedder

METHOD = "semantic"
VERSION = "1"
NEIGHBOUR_QUANTILE = 0.99
"""The quantile of other codes' similarity to a code that becomes the code's threshold."""
MARGIN = 0.06
"""How far a clause's best code must lead the next best (cosine) to be assigned."""
FLOOR = 0.4
"""No threshold is lower: MiniLM gives unrelated sentences cosines up to about this, so a code
whose neighbours are all far from it (a small codebook) still needs a clause on its topic."""
LONE_THRESHOLD = 0.5
"""The threshold of a code with no other code to compare it with (a one-code codebook)."""

__all__ = ["FLOOR", "LONE_THRESHOLD", "MARGIN", "NEIGHBOUR_QUANTILE", "SemanticCoder",
           "descriptions"]


@dataclass(frozen=True)
class Description:
    """One text describing a code, and which part of the code it is (reported as the pattern)."""

    code_id: str
    part: str  # "definition", "when_to_use" or "example <n>"
    text: str


def _scored(code: Code) -> bool:
    return bool(code.examples) or not code.children


def descriptions(codebook: Codebook) -> list[Description]:
    """The texts each scored code is embedded from, in codebook order."""
    out: list[Description] = []
    for code, _parent in codebook.walk():
        if not _scored(code):
            continue
        out.append(Description(code.id, "definition", f"{code.label}: {code.definition}"))
        if code.when_to_use.strip():
            out.append(Description(code.id, "when_to_use", code.when_to_use))
        out.extend(Description(code.id, f"example {n}", example)
                   for n, example in enumerate(code.examples, start=1) if example.strip())
    return out


class SemanticCoder:
    """Codes segments by similarity to the codebook's own descriptions; ``code(segments)``.

    ``embedder`` defaults to the offline MiniLM. The codebook is embedded on first use, so
    building the coder is cheap.
    """

    kind = "semantic"

    def __init__(self, codebook: Codebook, embedder: Embedder | None = None, *,
                 margin: float = MARGIN, quantile: float = NEIGHBOUR_QUANTILE) -> None:
        self.codebook = codebook
        self.embedder = embedder or MiniLMEmbedder()
        self.margin = margin
        self.quantile = quantile
        self.name = f"semantic-v{VERSION}:{codebook.id}@{codebook.version}"
        self.descriptions = descriptions(codebook)
        self.code_ids = list(dict.fromkeys(d.code_id for d in self.descriptions))
        self._owner = np.array([self.code_ids.index(d.code_id) for d in self.descriptions])
        self._vectors: np.ndarray | None = None
        self._thresholds: np.ndarray | None = None

    @property
    def vectors(self) -> np.ndarray:
        """The descriptions' embeddings (one row per :attr:`descriptions` entry)."""
        if self._vectors is None:
            self._vectors = np.asarray(
                self.embedder.embed([d.text for d in self.descriptions]), dtype=np.float32)
        return self._vectors

    def _per_code(self, similarity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows × descriptions → rows × codes: the best similarity and which description."""
        best = np.full((similarity.shape[0], len(self.code_ids)), -1.0, dtype=np.float32)
        which = np.zeros_like(best, dtype=int)
        for k in range(len(self.code_ids)):
            columns = np.flatnonzero(self._owner == k)
            part = similarity[:, columns]
            best[:, k] = part.max(axis=1)
            which[:, k] = columns[part.argmax(axis=1)]
        return best, which

    @property
    def thresholds(self) -> dict[str, float]:
        """Each scored code's threshold, calibrated on the codebook only (see module doc)."""
        if self._thresholds is None:
            self._thresholds = self._calibrate()
        return dict(zip(self.code_ids, self._thresholds.tolist(), strict=True))

    def _calibrate(self) -> np.ndarray:
        # A code's own relatives share its words by design, so they do not count against it.
        related = {c: {c, *self.codebook.ancestors(c)} for c in self.code_ids}
        for code_id in self.code_ids:
            for ancestor in self.codebook.ancestors(code_id):
                related.setdefault(ancestor, set()).add(code_id)
        to_code, _ = self._per_code(self.vectors @ self.vectors.T)
        out = np.full(len(self.code_ids), LONE_THRESHOLD, dtype=np.float32)
        for k, code_id in enumerate(self.code_ids):
            others = [i for i, d in enumerate(self.descriptions)
                      if d.code_id not in related[code_id]]
            if others:
                out[k] = float(np.quantile(to_code[others, k], self.quantile))
        return np.maximum(out, FLOOR)

    def clause_scores(self, texts: list[str]) -> np.ndarray:
        """Similarity of each text to each scored code (texts × :attr:`code_ids`)."""
        return self._per_code(self._embed(texts) @ self.vectors.T)[0]

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.vectors.shape[1]), dtype=np.float32)
        return np.asarray(self.embedder.embed(texts), dtype=np.float32)

    def _assign(self, best: np.ndarray) -> np.ndarray:
        """Clauses × codes → the one code each clause is assigned, or -1."""
        if best.shape[1] == 0:
            return np.full(best.shape[0], -1)
        self.thresholds  # noqa: B018  (calibrates once)
        order = np.argsort(-best, axis=1)
        top = order[:, 0]
        first = best[np.arange(len(best)), top]
        second = (best[np.arange(len(best)), order[:, 1]] if best.shape[1] > 1
                  else np.full(len(best), -1.0))
        keep = (first >= self._thresholds[top]) & (first - second >= self.margin)
        return np.where(keep, top, -1)

    def code(self, segments: pd.DataFrame) -> pd.DataFrame:
        """Code each segment; returns a codings table (schema.CODINGS) in segment order."""
        clauses, owners = [], []
        for row, text in enumerate(segments[s.TEXT]):
            for clause in split_clauses(text if isinstance(text, str) else ""):
                clauses.append(clause)
                owners.append(row)
        if not clauses:
            return s.empty(s.CODINGS)
        best, which = self._per_code(self._embed([c.text for c in clauses]) @ self.vectors.T)
        assigned = self._assign(best)
        chosen: dict[tuple[int, int], int] = {}  # (segment row, code) -> its best clause
        for i, (row, k) in enumerate(zip(owners, assigned, strict=True)):
            if k >= 0 and ((row, k) not in chosen or best[i, k] > best[chosen[row, k], k]):
                chosen[row, k] = i
        records = segments[[s.SEGMENT_ID, s.START]].to_numpy()
        rows = []
        for (row, k), i in sorted(chosen.items()):
            segment_id, seg_start = records[row]
            clause = clauses[i]
            rows.append({
                s.SEGMENT_ID: segment_id, s.CODE_ID: self.code_ids[k],
                s.START: int(seg_start) + clause.start, s.END: int(seg_start) + clause.end,
                s.EVIDENCE: clause.text, s.METHOD: METHOD,
                s.PATTERN: f"{self.code_ids[k]}:{self.descriptions[which[i, k]].part}",
                s.CONFIDENCE: round(float(np.clip(best[i, k], 0.0, 1.0)), 4),
                s.NEGATED: False, s.CODER: self.name, s.NEEDS_REVIEW: False,
                s.STATUS: s.STATUS_MACHINE,
            })
        if not rows:
            return s.empty(s.CODINGS)
        order = {c: i for i, c in enumerate(self.codebook.code_ids())}
        position = {sid: i for i, sid in enumerate(segments[s.SEGMENT_ID])}
        rows.sort(key=lambda r: (position[r[s.SEGMENT_ID]], order[r[s.CODE_ID]]))
        return s.conform(pd.DataFrame(rows), s.CODINGS)

    def describe(self) -> dict[str, object]:
        """Thresholds, margin and how many descriptions each code has: for a run's record."""
        counts = {c: int((self._owner == k).sum()) for k, c in enumerate(self.code_ids)}
        return {"thresholds": {c: round(t, 4) for c, t in self.thresholds.items()},
                "margin": self.margin, "quantile": self.quantile, "descriptions": counts,
                "embedder": getattr(self.embedder, "name", type(self.embedder).__name__)}
