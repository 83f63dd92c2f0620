"""A coded wave as the report reads it: the published tables, the codebook, codings that count.

Everything comes from the wave's folder through :func:`pipeline.outputs.read_wave`; nothing is
derived again. Codings a reviewer rejected (``status == "rejected"``) are left out here, once,
so every table and chart of the report agrees; the theme table is the published
``theme_summary`` itself and the hierarchy is the codebook the run used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import schema as s
from pipeline.config import Codebook
from pipeline.errors import MissingInputError
from pipeline.export.tables import standing
from pipeline.outputs import WaveOutputs, read_wave


@dataclass
class ReportWave:
    """One wave's outputs, ready for the report."""

    outputs: WaveOutputs
    codebook: Codebook
    codings: pd.DataFrame  # rejected codings removed
    stances: pd.DataFrame  # one row per kept coding
    themes: pd.DataFrame  # the published theme_summary
    rejected_codings: int = 0
    notes: list[str] = field(default_factory=list)
    review: pd.DataFrame | None = None  # per code: codings by status, and agreement
    sample: pd.Series | None = None  # the machine on random samples read whole, all codes

    @property
    def documents(self) -> pd.DataFrame:
        """The wave's documents."""
        return self.outputs.documents

    @property
    def segments(self) -> pd.DataFrame:
        """The wave's segments."""
        return self.outputs.segments

    @property
    def topics(self) -> pd.DataFrame | None:
        """Discovered topics, when the run discovered any."""
        return self.outputs.topics

    @property
    def wave(self) -> str:
        """The wave id."""
        return self.outputs.wave

    @property
    def title(self) -> str:
        """The wave's title, else its id."""
        return self.outputs.title

    @property
    def topics_skipped(self) -> str | None:
        """Why topic discovery did not run, as the run recorded it."""
        run = self.outputs.run
        return (run.topics.get("skipped_reason") if run is not None else None) or None

    @property
    def recorded_codebook(self) -> dict[str, Any]:
        """The codebook's id, version and sha256 as ``run.json`` records them (may be empty)."""
        run = self.outputs.run
        return run.codebook.model_dump() if run is not None else {}

    @property
    def attributes(self) -> list[str]:
        """Respondent attribute columns of ``documents``."""
        return [c for c in self.documents.columns if c not in s.DOCUMENTS.names]


def load_outputs(directory: Path) -> ReportWave:
    """Read ``directory`` (``outputs/<wave>/``) as publish wrote it, for the report.

    Needs the wave's tables, its ``stances.parquet``, ``theme_summary.csv`` and
    ``codebook.yaml``; raises MissingInputError naming the file when one is missing.
    """
    wave = read_wave(Path(directory))
    for name, table in (("stances.parquet", wave.stances),
                        ("theme_summary.csv", wave.theme_summary)):
        if table is None:
            raise MissingInputError(f"{wave.directory / name}: no such file; run the wave "
                                    "again to publish it")
    notes = [] if wave.run is not None else ["run.json is missing: codebook version unknown"]
    codings = standing(wave.codings)
    found = wave.stances.drop_duplicates([s.SEGMENT_ID, s.CODE_ID])
    stance_table = codings[[s.SEGMENT_ID, s.CODE_ID]].merge(found, how="left",
                                                            on=[s.SEGMENT_ID, s.CODE_ID])
    return ReportWave(outputs=wave, codebook=wave.require_codebook(), codings=codings,
                      stances=stance_table, themes=wave.theme_summary,
                      rejected_codings=len(wave.codings) - len(codings), notes=notes,
                      review=_review(wave), sample=_sample(wave))


def _sample(wave: WaveOutputs) -> pd.Series | None:
    """The pooled row of the wave's ``review/sample_agreement.csv``; None without one."""
    table = wave.sample_agreement
    if table is None:
        return None
    pooled = table[table[s.CODE_ID] == s.ALL_CODES]
    return pooled.iloc[0] if len(pooled) and pooled[s.PASSAGES].iloc[0] > 0 else None


def _review(wave: WaveOutputs) -> pd.DataFrame | None:
    """Per code: its codings by review status, and the machine's agreement with reviewers.

    Agreement is the lowest over reviewers. None when nothing was reviewed.
    """
    codings = wave.codings
    if s.STATUS not in codings.columns or (codings[s.STATUS].fillna(s.STATUS_MACHINE)
                                           == s.STATUS_MACHINE).all():
        return None
    statuses = [s.STATUS_MACHINE, s.STATUS_ACCEPTED, s.STATUS_REJECTED, s.STATUS_HUMAN_ADDED]
    table = pd.crosstab(codings[s.CODE_ID], codings[s.STATUS].fillna(s.STATUS_MACHINE)
                        ).reindex(columns=statuses, fill_value=0).reset_index()
    table.columns.name = None
    if wave.review_agreement is not None:
        agreement = wave.review_agreement
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
