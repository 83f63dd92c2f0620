"""Provenance for ``run.json``: what went in, with what, how long each stage took.

A run record lets anyone tell whether two outputs are comparable: same input hashes, same
codebook hash, same coder and parameters, same package versions. For transcripts it also says
where every character went and who was taken to be the interviewer, with the evidence.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping

import pandas as pd

from pipeline import schema as s
from pipeline.fingerprint import PACKAGES, input_hashes, package_versions
from pipeline.memory import release_free_memory
from pipeline.turns import parse_transcript

__all__ = ["PACKAGES", "StageTimer", "input_hashes", "package_versions", "row_accounting",
           "transcript_accounting"]


@dataclass
class StageTimer:
    """Wall time of each named stage, in seconds, in the order the stages ran.

    A stage's end also hands back to the system the memory the stage freed (not timed), so
    each stage's peak is its own and not on top of what the stages before it let go.
    """

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as stage ``name``, added to its time so far."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(
                self.seconds.get(name, 0.0) + time.perf_counter() - started, 3)
            release_free_memory()


def row_accounting(items_in: int, documents: pd.DataFrame, rejected: pd.DataFrame,
                   segments: pd.DataFrame, codings: pd.DataFrame) -> dict[str, Any]:
    """Counts that must add up: items in = kept + rejected; kept = coded + uncoded."""
    coded_segments = set(codings[s.SEGMENT_ID]) if len(codings) else set()
    coded_docs = set(segments.loc[segments[s.SEGMENT_ID].isin(coded_segments), s.DOCUMENT_ID])
    return {
        "items_in": int(items_in),
        "kept": int(len(documents)),
        "rejected": int(len(rejected)),
        "rejected_by_reason": {str(k): int(v) for k, v in
                               rejected[s.REASON].value_counts().sort_index().items()},
        "documents_coded": len(coded_docs),
        "documents_uncoded": int(len(documents) - len(coded_docs)),
        "segments": int(len(segments)),
        "segments_by_role": {str(k): int(v) for k, v in
                             segments[s.ROLE].value_counts().sort_index().items()}
        if s.ROLE in segments else {},
        "segments_filler": int(segments[s.FILLER].fillna(False).astype(bool).sum())
        if s.FILLER in segments else 0,
        "segments_coded": len(coded_segments),
        "codings": int(len(codings)),
        "codings_negated": int(codings[s.NEGATED].sum()) if len(codings) else 0,
    }


def transcript_accounting(documents: pd.DataFrame, segments: pd.DataFrame,
                          speakers: Mapping[str, Iterable[str]] | None = None
                          ) -> dict[str, dict[str, Any]]:
    """Per transcript: where every character went, who the interviewer is, and the evidence.

    ``chars`` splits the document into respondent, interviewer and other (front matter,
    transcriber's notes) turns, labels/timestamps removed, and layout whitespace; they add up
    to ``chars.length``. ``in_segments`` is the characters the segments cover, and
    ``respondent_share`` the respondent's part of the document (the run summary warns when it
    is under half).
    """
    speakers = speakers or {}
    covered = (segments[s.END] - segments[s.START]).groupby(segments[s.DOCUMENT_ID]).sum() \
        if len(segments) else pd.Series(dtype="int64")
    report: dict[str, dict[str, Any]] = {}
    for row in documents[documents[s.KIND] == "interview"].itertuples(index=False):
        text = str(getattr(row, s.TEXT))
        transcript = parse_transcript(
            text, speakers.get("interviewer", ()), respondent_labels=speakers.get("respondent", ()),
            other_labels=speakers.get("other", ()))
        chars = transcript.accounting()
        document_id = str(getattr(row, s.DOCUMENT_ID))
        report[document_id] = {
            "form": transcript.form,
            "interviewer": transcript.evidence.get("interviewer", []),
            "evidence": {k: v for k, v in transcript.evidence.items() if k != "interviewer"},
            "chars": chars,
            "in_segments": int(covered.get(document_id, 0)),
            "respondent_share": round(chars["respondent"] / chars["length"], 4)
            if chars["length"] else 0.0,
        }
    return report
