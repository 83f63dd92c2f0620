"""The coder interface: anything with ``code(segments) -> codings`` is a coder.

Rule, trained and combined coders are interchangeable behind this protocol, so they can be
swapped in the flow and compared on the same segments.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Protocol, runtime_checkable

import pandas as pd

from pipeline import schema as s


@runtime_checkable
class Coder(Protocol):
    """Assigns codebook codes to segments.

    ``name`` identifies the coder and its version (written to the ``coder`` column); ``code``
    takes a segments table (schema.SEGMENTS) and returns a codings table (schema.CODINGS) with
    evidence offsets into the segment's document.
    """

    name: str

    def code(self, segments: pd.DataFrame) -> pd.DataFrame:
        """Code ``segments``; return one row per segment × code with its evidence."""
        ...


def code_in_chunks(coder: Coder, chunks: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Apply ``coder`` to each segments chunk in turn, so memory stays bounded by a chunk."""
    for chunk in chunks:
        yield coder.code(chunk) if len(chunk) else s.empty(s.CODINGS)
