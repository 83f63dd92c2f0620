"""Read a coded wave's outputs for the report: tables, provenance, and codings that still count.

Codings a reviewer rejected (``status == "rejected"``) are left out here, once, so every table and
chart of the report agrees. Stances come from ``stances.parquet`` when the run wrote one, else
they are computed with :func:`pipeline.stance.stances`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import schema as s
from pipeline.outputs import require_wave_tables
from pipeline.stance import stances


@dataclass(frozen=True)
class Codes:
    """The codebook as the outputs record it: labels, parents and a stable order."""

    labels: dict[str, str]
    parents: dict[str, str | None]

    @property
    def order(self) -> list[str]:
        """Code ids, parents before their children, each level by id."""
        def key(code_id: str) -> tuple[str, ...]:
            path = [code_id]
            while self.parents.get(path[0]):
                path.insert(0, str(self.parents[path[0]]))
            return tuple(path)
        return sorted(self.labels, key=key)

    def lineage(self, code_id: str) -> list[str]:
        """``code_id`` and its ancestors, nearest first."""
        out = [code_id]
        while self.parents.get(out[-1]) and self.parents[out[-1]] not in out:
            out.append(str(self.parents[out[-1]]))
        return out

    def label(self, code_id: str) -> str:
        """The code's label, or its id when the outputs do not name it."""
        return self.labels.get(code_id, code_id)


@dataclass
class WaveOutputs:
    """One wave's outputs, ready for the report."""

    directory: Path
    run: dict[str, Any]
    documents: pd.DataFrame
    segments: pd.DataFrame
    codings: pd.DataFrame  # rejected codings removed
    stances: pd.DataFrame  # one row per kept coding
    codes: Codes
    topics: pd.DataFrame | None
    rejected_codings: int = 0
    notes: list[str] = field(default_factory=list)
    review: pd.DataFrame | None = None  # per code: codings by status, and agreement



    @property
    def wave(self) -> str:
        """The wave id."""
        if self.run.get("wave"):
            return str(self.run["wave"])
        waves = self.documents[s.WAVE].dropna().unique() if len(self.documents) else []
        return str(waves[0]) if len(waves) else self.directory.name

    @property
    def title(self) -> str:
        """The wave's title, else its id."""
        return str(self.run.get("title") or self.wave)

    @property
    def codebook(self) -> dict[str, Any]:
        """The codebook's id, version and sha256 as ``run.json`` records them (may be empty)."""
        return dict(self.run.get("codebook") or {})

    @property
    def attributes(self) -> list[str]:
        """Respondent attribute columns of ``documents``."""
        return [c for c in self.documents.columns if c not in s.DOCUMENTS.names]


def _codes(directory: Path, codings: pd.DataFrame) -> Codes:
    summary_path = directory / "theme_summary.csv"
    labels: dict[str, str] = {}
    parents: dict[str, str | None] = {}
    if summary_path.exists():
        summary = pd.read_csv(summary_path, dtype=str, keep_default_na=False)
        for code_id, label, parent in summary[[s.CODE_ID, s.LABEL, s.PARENT]].itertuples(
                index=False):
            labels.setdefault(code_id, label or code_id)
            parents.setdefault(code_id, parent or None)
    for code_id in codings[s.CODE_ID].unique():
        labels.setdefault(str(code_id), str(code_id))
        parents.setdefault(str(code_id), None)
    return Codes(labels=labels, parents=parents)


def load_outputs(directory: Path) -> WaveOutputs:
    """Read ``directory`` (``outputs/<wave>/``) as written by ``wavecoder run``.

    Needs ``documents``, ``segments`` and ``codings`` parquet files; ``run.json``,
    ``theme_summary.csv``, ``topics.parquet`` and ``stances.parquet`` are used when present.
    """
    directory = Path(directory)
    require_wave_tables(directory)
    run_path = directory / "run.json"
    run = json.loads(run_path.read_text(encoding="utf-8")) if run_path.exists() else {}
    notes = [] if run_path.exists() else ["run.json is missing: codebook version unknown"]
    documents = pd.read_parquet(directory / "documents.parquet")
    segments = pd.read_parquet(directory / "segments.parquet")
    codings = pd.read_parquet(directory / "codings.parquet")
    rejected = 0
    review = _review(directory, codings)
    if s.STATUS in codings.columns:
        is_rejected = codings[s.STATUS].fillna("") == s.STATUS_REJECTED
        rejected = int(is_rejected.sum())
        codings = codings[~is_rejected].reset_index(drop=True)
    codes = _codes(directory, codings)
    stance_path = directory / "stances.parquet"
    if stance_path.exists():
        found = pd.read_parquet(stance_path)
        table = codings[[s.SEGMENT_ID, s.CODE_ID]].merge(
            found.drop_duplicates([s.SEGMENT_ID, s.CODE_ID]), how="left",
            on=[s.SEGMENT_ID, s.CODE_ID])
    else:
        table = stances(segments, codings, parents=codes.parents)
    topics_path = directory / "topics.parquet"
    topics = pd.read_parquet(topics_path) if topics_path.exists() else None
    return WaveOutputs(directory=directory, run=run, documents=documents, segments=segments,
                       codings=codings, stances=table, codes=codes, topics=topics,
                       rejected_codings=rejected, notes=notes, review=review)


def _review(directory: Path, codings: pd.DataFrame) -> pd.DataFrame | None:
    """Per code: its codings by review status, and the machine's agreement with reviewers.

    Agreement is the lowest over reviewers. None when nothing was reviewed.
    """
    if s.STATUS not in codings.columns or (codings[s.STATUS].fillna(s.STATUS_MACHINE)
                                           == s.STATUS_MACHINE).all():
        return None
    statuses = [s.STATUS_MACHINE, s.STATUS_ACCEPTED, s.STATUS_REJECTED, s.STATUS_HUMAN_ADDED]
    table = pd.crosstab(codings[s.CODE_ID], codings[s.STATUS].fillna(s.STATUS_MACHINE)
                        ).reindex(columns=statuses, fill_value=0).reset_index()
    table.columns.name = None
    agreement_path = directory / "review" / "agreement.csv"
    if agreement_path.exists():
        agreement = pd.read_csv(agreement_path)
        machine = agreement[agreement[s.COMPARISON] == s.COMPARISON_MACHINE]
        lowest = machine.groupby(s.CODE_ID).agg(
            **{s.KAPPA: (s.KAPPA, "min"), s.PERCENT_AGREEMENT: (s.PERCENT_AGREEMENT, "min"),
               s.BELOW_THRESHOLD: (s.BELOW_THRESHOLD, "any")}).reset_index()
        table = table.merge(lowest, on=s.CODE_ID, how="left")
    for column in (s.KAPPA, s.PERCENT_AGREEMENT):
        if column not in table:
            table[column] = float("nan")
    table[s.BELOW_THRESHOLD] = table.get(s.BELOW_THRESHOLD, False)
    table[s.BELOW_THRESHOLD] = table[s.BELOW_THRESHOLD].fillna(False).astype(bool)
    return table
