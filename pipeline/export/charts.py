"""Charts people would rather look at than read: theme frequencies per question."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from pipeline import schema as s
from pipeline.export.tables import most_answered

# Past a couple of dozen panels the PNG is too tall to read, and a survey with thousands of
# open columns made it take minutes and gigabytes to draw.
MAX_PANELS = 24


def charted_questions(summary: pd.DataFrame, max_panels: int = MAX_PANELS
                      ) -> tuple[pd.Series, str]:
    """The questions a theme chart shows, and a note saying so when it cannot show them all.

    Takes a theme summary table (schema.THEME_SUMMARY); gives each shown question's
    respondent count (:func:`most_answered`) and, when some are left out, a note naming how
    many of how many are shown.
    """
    shown = most_answered(summary, max_panels)
    asked = summary[s.QUESTION_ID].nunique()
    if asked <= max_panels:
        return shown, ""
    return shown, (f"{max_panels} of {asked:,} questions, those with the most respondents; "
                   "every question is in theme_summary.csv")


def theme_chart(summary: pd.DataFrame, path: Path, *, top_n: int = 8, title: str = "",
                max_panels: int = MAX_PANELS) -> Path:
    """A PNG of horizontal bars, one panel per question: share of respondents per top code.

    Takes a theme summary table (schema.THEME_SUMMARY); writes and returns ``path``. At most
    ``max_panels`` questions are drawn (:func:`charted_questions`), the title saying so.
    """
    questions, note = charted_questions(summary, max_panels)
    mentioned = summary[(summary[s.MENTIONS] > 0)
                        & summary[s.QUESTION_ID].isin(questions.index)]
    parts = dict(tuple(mentioned.groupby(s.QUESTION_ID, sort=False, observed=True)))
    columns = 2 if len(questions) > 1 else 1
    rows = max(1, math.ceil(len(questions) / columns))
    # A bare Figure draws to a file without pyplot, so no GUI backend is chosen or opened.
    fig = Figure(figsize=(7 * columns, 3.2 * rows))
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax in axes.flat[len(questions):]:
        ax.set_visible(False)
    for ax, (question_id, respondents) in zip(axes.flat, questions.items(), strict=False):
        part = parts.get(question_id, mentioned.iloc[:0])
        part = part.nsmallest(top_n, s.RANK).iloc[::-1]
        ax.barh(part[s.LABEL], part[s.SHARE] * 100, color="#3b6ea8")
        ax.set_title(f"{question_id} (n={int(respondents)})", fontsize=10, loc="left")
        ax.set_xlabel("% of respondents mentioning")
        ax.set_xlim(0, 100)
        ax.tick_params(axis="y", labelsize=8)
    heading = "\n".join(line for line in (title, note) if line)
    if heading:
        fig.suptitle(heading)
    # On a tall figure tight_layout leaves a two-line heading too little room: keep an inch.
    fig.tight_layout(rect=(0, 0, 1, 1 - 1 / fig.get_figheight()) if note else None)
    # No timestamp or software metadata, so re-runs write identical bytes.
    fig.savefig(path, dpi=110, metadata={"Software": None})
    return path
