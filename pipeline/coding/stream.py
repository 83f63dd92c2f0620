"""Segment and code a documents table chunk by chunk.

Each chunk of documents is segmented and coded before the next is read, so the spaCy work
runs in bounded batches; the chunks' segments and codings are then concatenated in order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from pipeline import schema as s
from pipeline.coding.base import Coder
from pipeline.segment import DEFAULT_CHUNK_SIZE, iter_segments


@dataclass
class SegmentedAndCoded:
    """A wave's segments and codings, with the wall time spent segmenting and coding."""

    segments: pd.DataFrame
    codings: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)


def segment_and_code(documents: pd.DataFrame, coder: Coder, *,
                     interviewer_labels: Iterable[str], chunk_size: int = DEFAULT_CHUNK_SIZE,
                     progress: bool = False) -> SegmentedAndCoded:
    """Segments (schema.SEGMENTS) and codings (schema.CODINGS) of ``documents`` by ``coder``."""
    segment_chunks: list[pd.DataFrame] = []
    coding_chunks: list[pd.DataFrame] = []
    seconds = {"segment": 0.0, "code": 0.0}
    chunks = iter_segments(documents, interviewer_labels=interviewer_labels,
                           chunk_size=chunk_size, progress=progress)
    while True:
        started = time.perf_counter()
        segments = next(chunks, None)
        seconds["segment"] += time.perf_counter() - started
        if segments is None:
            break
        started = time.perf_counter()
        coding_chunks.append(coder.code(segments) if len(segments) else s.empty(s.CODINGS))
        seconds["code"] += time.perf_counter() - started
        segment_chunks.append(segments)
    return SegmentedAndCoded(
        segments=pd.concat(segment_chunks, ignore_index=True) if segment_chunks
        else s.empty(s.SEGMENTS),
        codings=pd.concat(coding_chunks, ignore_index=True) if coding_chunks
        else s.empty(s.CODINGS),
        seconds={k: round(v, 3) for k, v in seconds.items()},
    )
