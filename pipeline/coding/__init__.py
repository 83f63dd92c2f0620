"""Coders: anything with ``code(segments) -> codings`` (see :mod:`pipeline.coding.base`)."""

from pipeline.coding.base import Coder, code_in_chunks
from pipeline.coding.rules import RuleCoder
from pipeline.config import Codebook

CODERS = ("rules",)


def make_coder(name: str, codebook: Codebook, *, progress: bool = False) -> Coder:
    """The coder called ``name`` for ``codebook``; raises ValueError naming the known coders."""
    if name == "rules":
        return RuleCoder(codebook, progress=progress)
    raise ValueError(f"unknown coder '{name}' (known: {', '.join(CODERS)})")


__all__ = ["CODERS", "Coder", "RuleCoder", "code_in_chunks", "make_coder"]
