"""Helpers for the coder tests: a segments table, and a paraphrase coded to its clause."""

from __future__ import annotations

import pandas as pd

from pipeline import schema as s
from pipeline.coding.base import Coder
from pipeline.coding.rules import RuleCoder
from pipeline.config import Codebook

PREFIX = "Visit on Tuesday. " * 5 + "Notes:  "  # the segment starts 98 characters into its document


def segments(*texts: str, starts=None) -> pd.DataFrame:
    """A segments table of ``texts`` (ids s0, s1, ...), each at its start (default 0)."""
    return pd.DataFrame({s.SEGMENT_ID: [f"s{i}" for i in range(len(texts))],
                         s.START: starts or [0] * len(texts), s.TEXT: list(texts)})


def paraphrase_coding(coder: Coder, book: Codebook, paraphrase: str, clause: str) -> pd.Series:
    """The one coding ``coder`` gives ``paraphrase`` (no pattern of ``book`` matches it), placed
    after :data:`PREFIX` in its document: parking, with ``clause`` (22 characters in) as its
    evidence at the document's offsets."""
    document = PREFIX + paraphrase
    frame = segments(paraphrase, starts=[len(PREFIX)])
    assert RuleCoder(book).code(frame).empty  # no pattern of any code matches
    codings = coder.code(frame)
    assert codings[s.CODE_ID].tolist() == ["parking"]
    row = codings.iloc[0]
    assert (row[s.START], row[s.END]) == (len(PREFIX) + 22, len(PREFIX) + 22 + len(clause))
    assert document[row[s.START]:row[s.END]] == row[s.EVIDENCE] == clause
    assert row[s.CODER] == coder.name
    return row
