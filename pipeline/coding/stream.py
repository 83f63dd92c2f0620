"""Segment and code a documents table chunk by chunk.

Each chunk of documents is segmented and coded before the next is read, so the spaCy work
runs in bounded batches; the chunks' segments and codings are then concatenated in order.
Every segment is kept, but the coder sees only what a respondent (or the front matter) says:
interviewer segments only when asked (``code_interviewer``), fillers ("um, yeah") never.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import pandas as pd

from pipeline import schema as s
from pipeline.coding.base import Coder, keeping_docs
from pipeline.config import Codebook
from pipeline.interning import share_strings
from pipeline.memory import release_free_memory
from pipeline.parameters import PROCESSES_FROM_CHUNKS
from pipeline.segment import DEFAULT_CHUNK_SIZE, iter_segments
from pipeline.stance import chunk_stances


@dataclass
class SegmentedAndCoded:
    """A wave's segments and codings, with the wall time spent segmenting and coding.

    ``stances`` (schema.STANCES, row for row with ``codings``) when they were found with the
    codings, chunk by chunk (:func:`pipeline.stance.chunk_stances`); None when not.
    """

    segments: pd.DataFrame
    codings: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)
    stances: pd.DataFrame | None = None

    def with_stances(self, stances: pd.DataFrame, seconds: float) -> SegmentedAndCoded:
        """The same result with the codings' ``stances``, found in ``seconds``."""
        return SegmentedAndCoded(self.segments, self.codings,
                                 {**self.seconds, "stance": round(seconds, 3)}, stances)


def codable(segments: pd.DataFrame, *, code_interviewer: bool = False) -> pd.Series:
    """Which segments the coder codes: not fillers, and not the interviewer unless asked."""
    keep = ~segments[s.FILLER].fillna(False).astype(bool)
    if not code_interviewer:
        keep &= segments[s.ROLE].fillna(s.ROLE_RESPONDENT) != s.ROLE_INTERVIEWER
    return keep


def segment_and_code(documents: pd.DataFrame, coder: Coder, *,
                     interviewer_labels: Iterable[str] = (),
                     speakers: Mapping[str, Iterable[str]] | None = None,
                     code_interviewer: bool = False, chunk_size: int = DEFAULT_CHUNK_SIZE,
                     progress: bool = False) -> SegmentedAndCoded:
    """Segments (schema.SEGMENTS) and codings (schema.CODINGS) of ``documents`` by ``coder``.

    Args:
        documents: a documents table.
        coder: codes the segments :func:`codable` selects.
        interviewer_labels: interviewer labels named in wave.yaml.
        speakers: labels by role named in wave.yaml (see :func:`pipeline.segment.iter_segments`).
        code_interviewer: code the interviewer's segments too.
        chunk_size: documents per chunk.
        progress: show a progress bar.
    """
    segment_chunks: list[pd.DataFrame] = []
    coding_chunks: list[pd.DataFrame] = []
    seconds, offset = {"segment": 0.0, "code": 0.0}, 0
    chunks = iter_segments(documents, interviewer_labels=interviewer_labels, speakers=speakers,
                           chunk_size=chunk_size, progress=progress)
    while True:
        started = time.perf_counter()
        segments = next(chunks, None)
        seconds["segment"] += time.perf_counter() - started
        if segments is None:
            break
        started = time.perf_counter()
        chosen = segments[codable(segments, code_interviewer=code_interviewer)]
        codings = (coder.code(chosen.reset_index(drop=True)) if len(chosen)
                   else s.empty(s.CODINGS))
        seconds["code"] += time.perf_counter() - started
        # Held until publish: each repeated id once (the same values, fewer copies). Texts are
        # not shared: hashing a non-ASCII string caches its UTF-8 beside it, which cost more
        # than the one-sentence answers' texts saved.
        share_strings(segments, documents.iloc[offset:offset + chunk_size],
                      {s.DOCUMENT_ID: s.DOCUMENT_ID})
        offset += chunk_size  # iter_segments yields a chunk of chunk_size documents at a time
        coding_chunks.append(share_strings(codings, segments, {s.SEGMENT_ID: s.SEGMENT_ID}))
        segment_chunks.append(segments)
    return SegmentedAndCoded(
        segments=pd.concat(segment_chunks, ignore_index=True) if segment_chunks
        else s.empty(s.SEGMENTS),
        codings=pd.concat(coding_chunks, ignore_index=True) if coding_chunks
        else s.empty(s.CODINGS),
        seconds={k: round(v, 3) for k, v in seconds.items()},
    )


def code_chunk_with_stances(documents: pd.DataFrame, coder: Coder, codebook: Codebook, *,
                            interviewer_labels: Iterable[str] = (),
                            speakers: Mapping[str, Iterable[str]] | None = None,
                            code_interviewer: bool = False) -> SegmentedAndCoded:
    """:func:`segment_and_code` of one chunk, with its codings' stances (``chunk_stances``).

    A coder that keeps its docs (the rule coder, and rules ∪ semantic through it) hands the
    stance stage the docs of the segments it matched, so those are tokenised once, not twice:
    the same stances, a fifth less of the stance stage's time.
    """
    with keeping_docs(coder) as parsed:
        part = segment_and_code(documents, coder, interviewer_labels=interviewer_labels,
                                speakers=speakers, code_interviewer=code_interviewer)
        return part.with_stances(*chunk_stances(part.segments, part.codings, codebook,
                                                parsed=parsed))


def chunk_processes(asked: int, chunks: int, cores: int | None = None) -> int:
    """How many processes segment and code a wave's ``chunks`` at once.

    ``asked`` processes (never more than there are chunks); 0 leaves it to the wave: one per
    core once it has :data:`PROCESSES_FROM_CHUNKS` chunks, else one. Each extra process
    starts Python and builds the coder before its first chunk (seconds), which only a wave
    of many chunks wins back.
    """
    if asked < 0:
        raise ValueError(f"processes must be 0 (automatic) or more, not {asked}")
    if asked == 0:
        asked = (cores or _cores()) if chunks >= PROCESSES_FROM_CHUNKS else 1
    return max(1, min(asked, chunks))


def _cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def document_chunks(documents: pd.DataFrame, chunk_size: int = DEFAULT_CHUNK_SIZE
                    ) -> list[pd.DataFrame]:
    """``documents`` cut into consecutive chunks of ``chunk_size`` rows, in order.

    Each chunk can be segmented and coded on its own (on another process or machine): a
    document's segments and codings depend on that document alone, so
    :func:`combine_chunks` of the chunks' results equals :func:`segment_and_code` of the whole.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    return [documents.iloc[start:start + chunk_size].reset_index(drop=True)
            for start in range(0, len(documents), chunk_size)] or [documents.iloc[:0]]


def combine_chunks(parts: Iterable[SegmentedAndCoded]) -> SegmentedAndCoded:
    """The results of consecutive chunks as one, in the chunks' order; times summed.

    Stances are joined when every chunk has them, else left out (None).
    """
    gathered = GatheredChunks()
    for part in parts:
        gathered.add(part)
    return gathered.joined()


class GatheredChunks:
    """Chunk results gathered as they finish, in order, then joined one table at a time.

    A million-answer wave's chunk tables and their joined copies held together were its
    segment-and-code peak: each table's chunks are let go, and the memory they held handed
    back, before the next table is joined. Only this object should hold the chunks' tables.
    """

    def __init__(self) -> None:
        self._tables: dict[str, list[pd.DataFrame]] = {"segments": [], "codings": [],
                                                       "stances": []}
        self._seconds: dict[str, float] = {}
        self._every_one_has_stances = True

    def add(self, part: SegmentedAndCoded) -> None:
        """Keep the next chunk's tables and add its times."""
        self._tables["segments"].append(part.segments)
        self._tables["codings"].append(part.codings)
        if part.stances is None:
            self._every_one_has_stances = False
        else:
            self._tables["stances"].append(part.stances)
        for stage, value in part.seconds.items():
            self._seconds[stage] = round(self._seconds.get(stage, 0.0) + value, 3)

    def joined(self, documents: pd.DataFrame | None = None) -> SegmentedAndCoded:
        """The chunks' tables joined in order (the gathered chunks are let go).

        ``documents``: the wave's documents, whose id strings the segments then hold. A chunk
        coded in another process comes back with copies of its documents' ids (80 MB for a
        million answers); the same values, held once.
        """
        with_stances = bool(self._tables["segments"]) and self._every_one_has_stances
        segments = self._join("segments", s.SEGMENTS)
        if documents is not None:
            share_strings(segments, documents, {s.DOCUMENT_ID: s.DOCUMENT_ID})
        codings = self._join("codings", s.CODINGS)
        stances = self._join("stances", s.STANCES) if with_stances else None
        self._tables["stances"].clear()
        return SegmentedAndCoded(segments, codings, dict(self._seconds), stances)

    def _join(self, table: str, schema) -> pd.DataFrame:
        frames = self._tables[table]
        if not frames:
            return s.empty(schema)
        joined = pd.concat(frames, ignore_index=True)
        frames.clear()
        release_free_memory()
        return joined


@dataclass
class ChunkProgress:
    """How far segment-and-code has got, as one line of counts for a log (never any text).

    ``add`` is told each finished chunk, in order, with how many documents it held, and
    returns e.g. "segment and code: chunk 3/10, 1,500 documents, 4,212 segments, 830
    documents/s".
    """

    chunks: int
    started: float = field(default_factory=time.perf_counter)
    done: int = 0
    documents: int = 0
    segments: int = 0

    def add(self, part: SegmentedAndCoded, documents: int) -> str:
        """Count one more finished chunk of ``documents`` documents; the progress line."""
        self.done += 1
        self.documents += documents
        self.segments += len(part.segments)
        return (f"segment and code: chunk {self.done}/{self.chunks}, "
                f"{self.documents:,} documents, {self.segments:,} segments, "
                f"{self.rate():,.0f} documents/s")

    def rate(self) -> float:
        """Documents finished per second of wall time since the first chunk started."""
        return self.documents / max(time.perf_counter() - self.started, 1e-6)

