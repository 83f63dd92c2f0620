"""Trends over many waves: each code's share per wave with a 95% interval, as pure tables.

The waves are read through :func:`pipeline.outputs.read_wave`, in the order given (the order of
fieldwork); every number is the wave's published ``theme_summary``, never counted again: the
trend table is the waves' theme summaries one under another, plus a Wilson score interval per
row. Beside it: where the codebook changed between consecutive waves (from the codebook copy
each run left), which questions and codes a wave lacks, and, when the waves' topics carry
stable ids, each topic's share of the modelled segments per wave.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import schema as s
from pipeline.errors import ConfigError, MissingInputError
from pipeline.outputs import WaveOutputs, read_wave
from pipeline.report.compare import Z_95, codebook_change

WAVE_INDEX = "wave_index"  # the wave's place in the order given, from 0
CI_LOW, CI_HIGH = "ci_low", "ci_high"
CODEBOOK_VERSION = "codebook_version"
THEME_TRENDS = [s.WAVE, WAVE_INDEX, CODEBOOK_VERSION, s.QUESTION_ID, s.QUESTION, s.CODE_ID,
                s.LABEL, s.PARENT, s.RESPONDENTS, s.MENTIONS, s.NEGATED_MENTIONS, s.SHARE,
                CI_LOW, CI_HIGH, s.RANK]
# A topic assigned from a project's kept topic model names the wave it first appeared in; a
# per-wave fit leaves it null (the kept models of pipeline/continuity.py).
FIRST_WAVE, NEW_IN_WAVE = s.FIRST_WAVE, s.NEW_IN_WAVE
N_MODELLED = "n_modelled"  # segments the wave's topic model placed (outliers included)
TOPIC_TRENDS = [s.WAVE, WAVE_INDEX, s.TOPIC_ID, s.WORDS, s.SIZE, N_MODELLED, s.SHARE, CI_LOW,
                CI_HIGH, s.UNCOVERED, NEW_IN_WAVE]



def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of the proportion ``successes / trials`` (95% by default).

    centre = (p + z²/2n) / (1 + z²/n), half-width = z √(p(1-p)/n + z²/4n²) / (1 + z²/n).
    Unlike the Wald interval it stays inside [0, 1] and is not empty at 0 or n successes.
    (0, 1) when there are no trials: nothing is known.
    """
    if trials <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    p, n, z2 = successes / trials, trials, z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class TrendWaves:
    """The waves of a trend, in order, as :func:`pipeline.outputs.read_wave` gives them."""

    waves: list[WaveOutputs]
    notes: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        """The wave ids, in order."""
        return [wave.wave for wave in self.waves]


def read_trend_waves(directories: list[Path]) -> TrendWaves:
    """Read each wave's outputs folder, in order; each needs its published ``theme_summary``.

    Raises ConfigError when fewer than two folders are given or a wave id repeats, and
    MissingInputError naming the folder or file that is missing.
    """
    if len(directories) < 2:
        raise ConfigError("report --waves: give at least two wave output folders, in order "
                          f"(got {len(directories)})")
    waves = [read_wave(Path(d)) for d in directories]
    for wave in waves:
        if wave.theme_summary is None:
            raise MissingInputError(f"{wave.directory / 'theme_summary.csv'}: no such file; run "
                                    "the wave again to publish it")
    seen: dict[str, Path] = {}
    for wave in waves:
        if wave.wave in seen:
            raise ConfigError(f"report --waves: {wave.directory} and {seen[wave.wave]} are the "
                              f"same wave ({wave.wave}); give each wave once")
        seen[wave.wave] = wave.directory
    return TrendWaves(waves)


def codebook_ref(wave: WaveOutputs) -> dict[str, Any]:
    """Id, version and sha256 of the codebook copy the run left (else run.json's record)."""
    if wave.codebook is not None:
        book = wave.codebook
        return {"id": book.id, "version": book.version, "sha256": book.sha256}
    return wave.run.codebook.model_dump() if wave.run is not None else {}


def theme_trends(found: TrendWaves) -> pd.DataFrame:
    """Every wave's theme summary, one under another in wave order, with a 95% Wilson interval.

    Columns: :data:`THEME_TRENDS`. The rows of a wave are its ``theme_summary`` row for row.
    """
    parts = []
    for index, wave in enumerate(found.waves):
        summary = wave.theme_summary.copy()
        summary[s.WAVE] = wave.wave
        summary[WAVE_INDEX] = index
        summary[CODEBOOK_VERSION] = str(codebook_ref(wave).get("version", ""))
        bounds = [wilson_interval(int(m), int(n)) for m, n in
                  zip(summary[s.MENTIONS], summary[s.RESPONDENTS], strict=True)]
        summary[CI_LOW] = [round(low, 4) for low, _ in bounds]
        summary[CI_HIGH] = [round(high, 4) for _, high in bounds]
        parts.append(summary[THEME_TRENDS])
    return pd.concat(parts, ignore_index=True)


def questions_by_reach(trends: pd.DataFrame) -> list:
    """The question ids of trend rows, those with the most respondents over the waves first.

    A question's respondents are summed over the waves it was asked in, so one asked every
    wave ranks above one asked once; ties keep question id order. What a chart or a page shows
    first of a survey with more open questions than a reader can take in.
    """
    per_wave = trends.drop_duplicates([s.QUESTION_ID, WAVE_INDEX])
    reach = per_wave.groupby(s.QUESTION_ID, sort=True)[s.RESPONDENTS].sum()
    return list(reach.sort_values(ascending=False, kind="stable").index)


def codebook_changes(found: TrendWaves) -> pd.DataFrame:
    """One row per wave whose codebook differs from the wave before it: what changed."""
    rows = []
    for index in range(1, len(found.waves)):
        before, now = found.waves[index - 1], found.waves[index]
        note = codebook_change(codebook_ref(now), codebook_ref(before))
        if note:
            rows.append({s.WAVE: now.wave, WAVE_INDEX: index, "previous_wave": before.wave,
                         CODEBOOK_VERSION: str(codebook_ref(now).get("version", "")),
                         "change": note})
    return pd.DataFrame(rows, columns=[s.WAVE, WAVE_INDEX, "previous_wave", CODEBOOK_VERSION,
                                       "change"])


def gaps(trends: pd.DataFrame, waves: list[str]) -> pd.DataFrame:
    """Questions not asked, and codes not in the codebook, of some waves: what a line lacks.

    One row per question or code missing from at least one wave: ``kind`` (question or code),
    its id, its label (question text or code label, as last seen) and the waves lacking it.
    """
    rows = []
    for kind, column, label in (("question", s.QUESTION_ID, s.QUESTION),
                                ("code", s.CODE_ID, s.LABEL)):
        present = trends.groupby(column, sort=False)[s.WAVE].unique()
        last_label = trends.groupby(column, sort=False)[label].last()
        for key, in_waves in present.items():
            missing = [w for w in waves if w not in set(in_waves)]
            if missing:
                rows.append({"kind": kind, "id": key, s.LABEL: last_label[key],
                             "missing_in": ", ".join(missing)})
    return pd.DataFrame(rows, columns=["kind", "id", s.LABEL, "missing_in"])


def _stable(wave: WaveOutputs) -> bool:
    """Whether the wave's topic ids are a kept model's: every topic names its first wave."""
    topics = wave.topics[wave.topics[s.TOPIC_ID] >= 0]
    return FIRST_WAVE in topics.columns and bool(topics[FIRST_WAVE].notna().all())


def _flag(value: object) -> bool:
    return bool(value) if value is not None and not pd.isna(value) else False


def topic_trends(found: TrendWaves) -> tuple[pd.DataFrame | None, str | None]:
    """Each stable topic's share of the wave's modelled segments, with a Wilson interval.

    A wave's ids are stable when every topic names the wave it first appeared in
    (``first_wave``, set when the wave was assigned to a project's kept topic model). Returns
    the table (:data:`TOPIC_TRENDS`) and a note (None, or which waves had no topics), or None
    and why there is none: no wave has topics, or a wave's topic ids are its own (numbered
    afresh by its run, so topic 3 of one wave is not topic 3 of the next).
    """
    without = [w.wave for w in found.waves if w.topics is None or w.topics.empty]
    if len(without) == len(found.waves):
        return None, "No wave has topics: per-topic trends are left out."
    own = [w.wave for w in found.waves if w.topics is not None and not _stable(w)]
    if own:
        return None, (f"Per-topic trends are left out: the topic ids of {', '.join(own)} are "
                      "that wave's own, not assigned from a kept project topic model.")
    rows = []
    for index, wave in enumerate(found.waves):
        if wave.topics is None or wave.topics.empty:
            continue
        modelled = int(wave.topics[s.SIZE].sum())  # outliers (-1) are modelled segments too
        for row in wave.topics[wave.topics[s.TOPIC_ID] >= 0].itertuples(index=False):
            size = int(getattr(row, s.SIZE))
            low, high = wilson_interval(size, modelled)
            rows.append({s.WAVE: wave.wave, WAVE_INDEX: index,
                         s.TOPIC_ID: int(getattr(row, s.TOPIC_ID)),
                         s.WORDS: ", ".join(list(getattr(row, s.WORDS))[:6]), s.SIZE: size,
                         N_MODELLED: modelled,
                         s.SHARE: round(size / modelled, 4) if modelled else 0.0,
                         CI_LOW: round(low, 4), CI_HIGH: round(high, 4),
                         s.UNCOVERED: bool(getattr(row, s.UNCOVERED)),
                         NEW_IN_WAVE: _flag(getattr(row, NEW_IN_WAVE, False))})
    note = (f"{', '.join(without)} had no topics." if without else None)
    return pd.DataFrame(rows, columns=TOPIC_TRENDS), note
