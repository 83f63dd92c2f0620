"""The coder interfaces: anything with ``code(segments) -> codings`` is a coder.

Rule, trained and combined coders are interchangeable behind :class:`Coder`, so they can be
swapped in the flow and compared on the same segments. A coder that learns from human-coded
texts is also a :class:`TrainableCoder`: it is fitted, predicts 0/1 decisions for scoring, and
is saved to and loaded from a model folder. Code tells the two apart with ``isinstance``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Protocol, Sequence, runtime_checkable

import numpy as np
import pandas as pd

from pipeline import schema as s

if TYPE_CHECKING:
    from typing import Self

    from pipeline.coding.features import Context
    from pipeline.config import Codebook
    from pipeline.nlp import ParsedSegments


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


def keeping_docs(coder: Coder) -> AbstractContextManager[ParsedSegments | None]:
    """``coder.keeping_docs()`` when the coder keeps the docs it made, else None's context.

    The rule coder keeps them, and so do coders that wrap or combine one.
    """
    keeps = getattr(coder, "keeping_docs", None)
    return keeps() if callable(keeps) else nullcontext(None)


@runtime_checkable
class TrainableCoder(Coder, Protocol):
    """A coder trained from human-coded texts, saved as a folder and loaded without pickle.

    ``kind`` is its registry name (:mod:`pipeline.coding.registry`). ``to_disk`` writes
    ``config.json`` (kind, settings, vocabularies) and arrays (``.npz``) or a spaCy pipeline
    into a folder and never changes the coder; ``from_disk`` reads it back so that the loaded
    coder gives exactly the same predictions.
    """

    kind: str

    def fit(self, texts: Sequence[str], labels: np.ndarray, code_ids: Sequence[str],
            context: Context = None) -> Self:
        """Learn from ``texts`` and their 0/1 ``labels`` (texts × ``code_ids``)."""
        ...

    def predict(self, texts: Sequence[str], context: Context = None) -> np.ndarray:
        """0/1 decisions per text × code, in the order of the codes it was fitted on."""
        ...

    def describe(self) -> dict[str, Any]:
        """What the model card records: thresholds, codes not learned, features, choices."""
        ...

    def to_disk(self, directory: Path) -> None:
        """Write the fitted coder into ``directory``."""
        ...

    @classmethod
    def from_disk(cls, directory: Path, codebook: Codebook) -> Self:
        """Read a coder written by :meth:`to_disk`; ``codebook`` is the one it was trained on."""
        ...


def code_in_chunks(coder: Coder, chunks: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Apply ``coder`` to each segments chunk in turn, so memory stays bounded by a chunk."""
    for chunk in chunks:
        yield coder.code(chunk) if len(chunk) else s.empty(s.CODINGS)
