"""Rules ∪ semantic: what a new codebook gets on day one, with no human-coded data.

Every rule coding is kept as it is (its evidence is a pattern a person wrote); the semantic
coder adds a coding only for a segment × code the rules left empty, so it fills paraphrase the
patterns miss and never overrides or duplicates a match.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import pandas as pd

from pipeline import schema as s
from pipeline.coding.rules import RuleCoder
from pipeline.coding.semantic import SemanticCoder
from pipeline.config import Codebook
from pipeline.embeddings import Embedder
from pipeline.nlp import ParsedSegments

VERSION = "1"

__all__ = ["RulesSemanticCoder"]


class RulesSemanticCoder:
    """Rule codings plus semantic codings where the rules gave that code nothing."""

    kind = "rules+semantic"

    def __init__(self, codebook: Codebook, embedder: Embedder | None = None, *,
                 progress: bool = False) -> None:
        self.codebook = codebook
        self.rules = RuleCoder(codebook, progress=progress)
        self.semantic = SemanticCoder(codebook, embedder)
        self.name = f"rules+semantic-v{VERSION}:{codebook.id}@{codebook.version}"

    def keeping_docs(self) -> AbstractContextManager[ParsedSegments]:
        """The rule coder's docs of the segments it matched (:meth:`RuleCoder.keeping_docs`)."""
        return self.rules.keeping_docs()

    def code(self, segments: pd.DataFrame) -> pd.DataFrame:
        """Code each segment; returns a codings table (schema.CODINGS) in segment order."""
        rule_codings = self.rules.code(segments)
        semantic = self.semantic.code(segments)
        matched = set(zip(rule_codings[s.SEGMENT_ID], rule_codings[s.CODE_ID], strict=True))
        added = semantic[[key not in matched for key in zip(
            semantic[s.SEGMENT_ID], semantic[s.CODE_ID], strict=True)]]
        frames = [f for f in (rule_codings, added) if len(f)]
        if not frames:
            return s.empty(s.CODINGS)
        both = pd.concat(frames, ignore_index=True)
        both[s.CODER] = self.name
        position = {sid: i for i, sid in enumerate(segments[s.SEGMENT_ID])}
        order = {c: i for i, c in enumerate(self.codebook.code_ids())}
        both = both.sort_values(by=[s.SEGMENT_ID, s.CODE_ID], key=lambda col: col.map(
            position if col.name == s.SEGMENT_ID else order), kind="stable")
        return s.conform(both.reset_index(drop=True), s.CODINGS)
