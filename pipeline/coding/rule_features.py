"""The codebook's rule matches as a trained coder's features, found once per batch of texts.

A linear model with rule features needs each text's matches twice: as 0/1 columns to score it,
and as candidate evidence for the codes it assigns (a match whose column pulls the code up).
Running the rule pipeline once per batch, and keeping that batch's matches by text, serves
both; a hybrid coder, which has already coded the segments with the same rules, hands its
codings over instead (:meth:`RuleFeatures.remember`), so the rules run once per batch in all.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook

Match = tuple[str, int, int]
"""A rule coding of a text: code id, start and end offsets in the text."""


def matches_of(segments: pd.DataFrame, codings: pd.DataFrame) -> dict[str, list[Match]]:
    """Each segment's text → its rule codings, offsets made relative to the segment."""
    found: dict[str, list[Match]] = {}
    text_of = {}  # a text repeated in several segments is taken from its first
    for segment_id, text, offset in segments[[s.SEGMENT_ID, s.TEXT, s.START]].itertuples(
            index=False):
        if text not in found:
            found[text], text_of[segment_id] = [], (text, int(offset))
    for segment_id, code_id, start, end in codings[
            [s.SEGMENT_ID, s.CODE_ID, s.START, s.END]].itertuples(index=False):
        if segment_id in text_of:
            text, offset = text_of[segment_id]
            found[text].append((code_id, int(start) - offset, int(end) - offset))
    return found


class RuleFeatures:
    """A codebook's rule matches of the latest batch of texts (the rule coder made when needed).

    A negated match counts: it names the theme, as :func:`pipeline.coding.features.rule_matrix`
    counts it.
    """

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.code_ids = codebook.code_ids()
        self._column = {code_id: j for j, code_id in enumerate(self.code_ids)}
        self._coder = None
        self.recent: dict[str, list[Match]] = {}

    def coder(self):
        """The rule coder (compiled on first use, or the one given to :meth:`use`)."""
        if self._coder is None:
            from pipeline.coding.rules import RuleCoder  # spaCy loads only when rules run

            self._coder = RuleCoder(self.codebook)
        return self._coder

    def use(self, coder) -> None:
        """Share an already compiled rule coder of the same codebook."""
        self._coder = coder

    def remember(self, segments: pd.DataFrame, codings: pd.DataFrame) -> None:
        """Keep ``codings``, the rule coder's codings of ``segments``, as the latest batch."""
        self.recent = matches_of(segments, codings)

    def matches(self, texts: Sequence[str]) -> list[list[Match]]:
        """Each text's matches; texts not in the latest batch are coded, and become it."""
        texts = list(texts)
        if any(text not in self.recent for text in texts):
            unique = list(dict.fromkeys(texts))
            segments = pd.DataFrame({s.SEGMENT_ID: [str(i) for i in range(len(unique))],
                                     s.START: 0, s.TEXT: unique, s.CONTEXT: None})
            self.remember(segments, self.coder().code(segments) if unique
                          else s.empty(s.CODINGS))
        return [self.recent[text] for text in texts]

    def matrix(self, texts: Sequence[str], code_ids: Sequence[str] | None = None) -> np.ndarray:
        """0/1 per text × code (the codebook's codes, or ``code_ids`` in their order)."""
        code_ids = self.code_ids if code_ids is None else list(code_ids)
        column = {code_id: j for j, code_id in enumerate(code_ids)}
        out = np.zeros((len(texts), len(code_ids)), dtype=int)
        for i, found in enumerate(self.matches(texts)):
            for code_id, _, _ in found:
                if code_id in column:
                    out[i, column[code_id]] = 1
        return out

    def candidates(self, text: str, weights: np.ndarray) -> list[tuple[float, int, int]]:
        """Matches in ``text`` whose rule column pulls a code up: (pull, start, end).

        ``weights`` are one code's coefficients over all features, the rule columns last.
        """
        start = len(weights) - len(self.code_ids)
        found = []
        for code_id, begin, end in self.matches([text])[0]:
            pull = float(weights[start + self._column[code_id]])
            if pull > 0:
                found.append((pull, begin, end))
        return found
