"""Where a span of an exported source lies: its document and segment, cut to fit them."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import schema as s
from pipeline.review.qdpx import SourcePlan, WaveLayout


@dataclass
class Place:
    """A span mapped into one document and one segment (document offsets)."""

    document_id: str
    segment_id: str
    start: int
    end: int
    evidence: str
    note: str  # how the span was cut to fit, if it was


class Placer:
    """Maps spans of a wave layout's sources to the document and segment they lie in."""

    def __init__(self, layout: WaveLayout) -> None:
        docs = layout.documents
        self.doc_text = dict(zip(docs[s.DOCUMENT_ID], docs[s.TEXT].fillna(""), strict=True))
        self.doc_segments: dict[str, list[tuple[int, int, str]]] = {}
        for seg in layout.segments.itertuples(index=False):
            self.doc_segments.setdefault(seg.document_id, []).append(
                (int(seg.start), int(seg.end), seg.segment_id))

    def place(self, plan: SourcePlan, start: int, end: int) -> Place | str:
        """The document and segment of exported-source span ``[start, end)``, or why none."""
        overlaps = []
        for doc_id, offset in plan.offsets.items():
            overlap = min(end, offset + len(self.doc_text[doc_id])) - max(start, offset)
            if overlap > 0:
                overlaps.append((overlap, -offset, doc_id))
        if not overlaps:
            return "lies outside every answer or transcript text (a question heading?)"
        doc_id = max(overlaps)[2]
        notes = [f"spans {len(overlaps)} answers; cut to the part in {doc_id}"] * (
            len(overlaps) > 1)
        offset = plan.offsets[doc_id]
        d_start = max(start, offset) - offset
        d_end = min(end - offset, len(self.doc_text[doc_id]))
        segs = [(min(d_end, e) - max(d_start, b), -b, e, seg) for b, e, seg in
                self.doc_segments.get(doc_id, []) if min(d_end, e) > max(d_start, b)]
        if not segs:
            return f"lies outside every coded segment of {doc_id} (an interviewer turn?)"
        _, minus_start, seg_end, segment = max(segs)
        if len(segs) > 1:
            notes.append(f"spans {len(segs)} segments; cut to {segment}, the largest overlap")
        d_start, d_end = max(d_start, -minus_start), min(d_end, seg_end)
        return Place(doc_id, segment, d_start, d_end, self.doc_text[doc_id][d_start:d_end],
                     "; ".join(notes))
