"""Coders: anything with ``code(segments) -> codings`` (see :mod:`pipeline.coding.base`)."""

from pipeline.coding.base import Coder, code_in_chunks
from pipeline.coding.rules import RuleCoder

__all__ = ["Coder", "RuleCoder", "code_in_chunks"]
