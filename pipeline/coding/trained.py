"""The seam every trained coder shares: probabilities in, codings with evidence out.

A trained coder learns from human-coded texts (``fit``), scores texts per code
(``predict_proba``) and says which stretch of a text most drove a decision (``evidence``).
:class:`ProbabilisticCoder` turns that into the coder interface, ``code(segments) -> codings``,
applying per-code decision thresholds chosen on validation data rather than 0.5 everywhere.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Sequence

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.coding.thresholds import decide

DEFAULT_THRESHOLD = 0.5


class ProbabilisticCoder(ABC):
    """Base for coders that output a probability per segment × code.

    Subclasses set ``name``, ``method`` and ``code_ids`` and implement ``fit``,
    ``predict_proba`` and ``evidence``. ``thresholds`` maps a code id to its decision
    threshold; codes not in it use :data:`DEFAULT_THRESHOLD`. ``relative_cut`` (0: none) drops
    a text's codes that fall far below its most probable one (:func:`pipeline.coding.
    thresholds.decide`); a coder that learns it sets it in ``fit``.
    """

    name: str = "trained"
    method: str = "trained"
    code_ids: list[str]
    thresholds: dict[str, float]
    relative_cut: float = 0.0

    @abstractmethod
    def fit(self, texts: Sequence[str], labels: np.ndarray, code_ids: Sequence[str],
            context: Sequence[str | None] | None = None) -> "ProbabilisticCoder":
        """Learn from ``texts`` and their 0/1 ``labels`` (n_texts × n_codes, in code_ids order).

        ``context`` is the question each text answers, when known (a feature, not a label).
        """

    @abstractmethod
    def predict_proba(self, texts: Sequence[str],
                      context: Sequence[str | None] | None = None) -> np.ndarray:
        """Probability of each code for each text: an array n_texts × len(code_ids)."""

    @abstractmethod
    def evidence(self, text: str, code_id: str) -> tuple[int, int]:
        """Offsets into ``text`` of the words that most drove ``code_id``'s score."""

    def evidence_spans(self, texts: Sequence[str], rows: np.ndarray,
                       columns: np.ndarray) -> list[tuple[int, int]]:
        """:meth:`evidence` for many codings: text ``texts[rows[p]]``, code ``columns[p]``."""
        return [self.evidence(texts[i], self.code_ids[j])
                for i, j in zip(rows, columns, strict=True)]

    def choose_codes(self, labels: np.ndarray, code_ids: Sequence[str],
                     min_examples: int) -> list[int]:
        """The columns of ``labels`` to learn; sets ``code_ids``, ``learned``, ``not_learned``.

        A code is learned with at least ``min_examples`` positives (and not on every text);
        ``thresholds`` is cleared for the fit to fill.
        """
        self.code_ids = list(code_ids)
        counts = labels.sum(axis=0)
        columns = [j for j, n in enumerate(counts) if min_examples <= n < len(labels)]
        self.learned = [self.code_ids[j] for j in columns]
        self.not_learned = {self.code_ids[j]: f"{int(n)} positive examples (< {min_examples})"
                            for j, n in enumerate(counts) if j not in columns}
        self.thresholds = {}
        return columns

    def threshold_vector(self) -> np.ndarray:
        """Decision thresholds in ``code_ids`` order."""
        return np.array([self.thresholds.get(c, DEFAULT_THRESHOLD) for c in self.code_ids])

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """True where a text gets a code: over its threshold, and not cut as a runner-up."""
        return decide(proba, self.threshold_vector(), self.relative_cut)

    def predict(self, texts: Sequence[str],
                context: Sequence[str | None] | None = None) -> np.ndarray:
        """0/1 decisions per text × code (:meth:`decide` of the probabilities)."""
        return self.decide(self.predict_proba(texts, context)).astype(int)

    def context_of(self, segments: pd.DataFrame):
        """What the coder is told about each segment besides its text: the question.

        Coders that use respondent attributes return the table itself (see
        :func:`pipeline.coding.features.context_table`).
        """
        return segments[s.CONTEXT].tolist() if s.CONTEXT in segments.columns else None

    def code(self, segments: pd.DataFrame) -> pd.DataFrame:
        """Code ``segments``: one row per segment × code whose probability clears its threshold.

        ``confidence`` is the probability; ``pattern`` names the evidence words; evidence
        offsets point into the document (segment start + offset in the segment).
        """
        if segments.empty:
            return s.empty(s.CODINGS)
        proba = self.predict_proba(segments[s.TEXT].tolist(), self.context_of(segments))
        which, columns = np.nonzero(self.decide(proba))
        return self.codings_at(segments, proba, which, columns)

    def codings_at(self, segments: pd.DataFrame, proba: np.ndarray, which: np.ndarray,
                   columns: np.ndarray) -> pd.DataFrame:
        """Codings of segment ``which[p]`` with code ``columns[p]``, with their evidence.

        ``proba`` is :meth:`predict_proba` of the segments' texts (each coding's confidence).
        """
        rows = []
        # Columns as lists once: a pandas lookup per coding cost more than the coding.
        texts = segments[s.TEXT].tolist()
        segment_ids, starts = segments[s.SEGMENT_ID].tolist(), segments[s.START].tolist()
        spans = self.evidence_spans(texts, which, columns)
        for i, j, (start, end) in zip(which, columns, spans, strict=True):
            text, code_id = texts[i], self.code_ids[j]
            seg_start = int(starts[i])
            rows.append({
                s.SEGMENT_ID: segment_ids[i], s.CODE_ID: code_id,
                s.START: seg_start + start, s.END: seg_start + end,
                s.EVIDENCE: text[start:end], s.METHOD: self.method,
                s.PATTERN: f"{code_id}:{self.method}", s.CONFIDENCE: float(proba[i, j]),
                s.NEGATED: False, s.CODER: self.name, s.NEEDS_REVIEW: False,
                s.STATUS: s.STATUS_MACHINE,
            })
        return s.conform(pd.DataFrame(rows), s.CODINGS) if rows else s.empty(s.CODINGS)
