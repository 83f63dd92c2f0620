"""Coders: anything with ``code(segments) -> codings`` (see :mod:`pipeline.coding.base`).

Every kind of coder is registered once in :mod:`pipeline.coding.registry`, which builds fresh
coders and loads saved ones. Which coder a run uses, and its agreement gate, is decided in
:mod:`pipeline.quality.choose`.
"""

from __future__ import annotations

from pipeline.coding.base import Coder, TrainableCoder, code_in_chunks
from pipeline.coding.rules import RuleCoder

__all__ = ["Coder", "RuleCoder", "TrainableCoder", "code_in_chunks"]
