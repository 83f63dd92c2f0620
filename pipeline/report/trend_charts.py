"""Line charts of shares across waves, with 95% intervals and codebook-change markers (PNG).

Drawn with matplotlib's ``Figure`` API, not pyplot, so no GUI backend is chosen and nothing is
kept between charts; files carry no timestamp, so re-runs write the same bytes.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from pipeline import schema as s
from pipeline.report.trends import CI_HIGH, CI_LOW, WAVE_INDEX

COLOURS = ("#3b6ea8", "#c0392b", "#2e8b57", "#d08c2f", "#7d3c98", "#5d6d7e", "#17a589",
           "#a04000")
MARKER_COLOUR = "#9aa0a6"
MAX_LINES = len(COLOURS)  # past this a colour would name two lines


def trend_chart(frame: pd.DataFrame, series: str, waves: list[str], *, title: str,
                names: dict[str, str] | None = None, changes: dict[int, str] | None = None,
                ylabel: str = "% of respondents", note: str | None = None) -> Figure:
    """One line per value of ``series`` (a question, a topic): share per wave, 95% band.

    Args:
        frame: rows with ``wave_index``, ``share``, ``ci_low``, ``ci_high`` and ``series``.
        series: the column whose values are the lines.
        waves: every wave id in order: the x axis, so a wave a line lacks shows as a gap.
        title: the chart's title.
        names: legend text per series value (default: the value).
        changes: wave index -> what changed in the codebook before it; a dashed line is drawn
            between that wave and the one before.
        ylabel: the y axis's title.
        note: the legend's heading, e.g. which of many questions the lines are.
    """
    fig = Figure(figsize=(8.4, 3.6))
    ax = fig.subplots()
    for number, (key, part) in enumerate(frame.groupby(series, sort=False)):
        colour = COLOURS[number % len(COLOURS)]
        line = part.set_index(WAVE_INDEX).reindex(range(len(waves)))  # NaN where absent
        ax.fill_between(line.index, line[CI_LOW] * 100, line[CI_HIGH] * 100, color=colour,
                        alpha=0.13, linewidth=0)
        name = textwrap.shorten(str((names or {}).get(key, key)), 70, placeholder="…")
        label = textwrap.fill(name, 36)
        ax.plot(line.index, line[s.SHARE] * 100, marker="o", color=colour, label=label)
    for index, change in sorted((changes or {}).items()):
        ax.axvline(index - 0.5, color=MARKER_COLOUR, linestyle="--", linewidth=1)
        ax.annotate(textwrap.shorten(f"codebook: {change}", 40, placeholder="…"),
                    (index - 0.5, 1.0), xycoords=("data", "axes fraction"), fontsize=7,
                    color="#555555", rotation=90, ha="right", va="top")
    ax.set_xticks(range(len(waves)), waves, fontsize=8)
    ax.set_xlim(-0.5, len(waves) - 0.5)
    ax.set_ylim(0, 100)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", color="#e3e3e3", linewidth=0.6)
    ax.set_title(textwrap.shorten(title, 80, placeholder="…"), fontsize=10, loc="left")
    # Beside the plot, so the lines keep most of the width and long question texts still fit.
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              title=textwrap.fill(note, 36) if note else None, title_fontsize=7,
              alignment="left")
    fig.tight_layout()
    return fig


def save_png(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG at ``path`` (no software or time metadata); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, metadata={"Software": None})
    return path
