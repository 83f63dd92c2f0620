"""Charts people would rather look at than read: theme frequencies per question."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from pipeline import schema as s


def theme_chart(summary: pd.DataFrame, path: Path, *, top_n: int = 8, title: str = "") -> Path:
    """A PNG of horizontal bars, one panel per question: share of respondents per top code.

    Takes a theme summary table (schema.THEME_SUMMARY); writes and returns ``path``.
    """
    questions = list(dict.fromkeys(summary[s.QUESTION_ID]))
    columns = 2 if len(questions) > 1 else 1
    rows = max(1, math.ceil(len(questions) / columns))
    # A bare Figure draws to a file without pyplot, so no GUI backend is chosen or opened.
    fig = Figure(figsize=(7 * columns, 3.2 * rows))
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax in axes.flat[len(questions):]:
        ax.set_visible(False)
    for ax, question_id in zip(axes.flat, questions, strict=False):
        part = summary[(summary[s.QUESTION_ID] == question_id) & (summary[s.MENTIONS] > 0)]
        part = part.nsmallest(top_n, s.RANK).iloc[::-1]
        ax.barh(part[s.LABEL], part[s.SHARE] * 100, color="#3b6ea8")
        respondents = int(summary.loc[summary[s.QUESTION_ID] == question_id, s.RESPONDENTS].max())
        ax.set_title(f"{question_id} (n={respondents})", fontsize=10, loc="left")
        ax.set_xlabel("% of respondents mentioning")
        ax.set_xlim(0, 100)
        ax.tick_params(axis="y", labelsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    # No timestamp or software metadata, so re-runs write identical bytes.
    fig.savefig(path, dpi=110, metadata={"Software": None})
    return path
