"""Plotly figures of the report's tables; each takes a table and returns a figure.

Figures are drawn for a page from 400 px wide (a phone) to a desktop: titles and labels are
wrapped short, bars carry their values and heatmap cells their numbers (so heatmaps need no
colour bar beside them, which would squeeze the cells on a narrow screen).
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from pipeline import schema as s
from pipeline.report.numbers import pct
from pipeline.report.tables import ATTRIBUTE, VALUE

BLUE, RED, GREEN, GREY, AMBER = "#3b6ea8", "#c0392b", "#2e8b57", "#9aa0a6", "#d08c2f"
FONT = dict(family="Helvetica, Arial, sans-serif", size=12)


def _layout(fig: go.Figure, *, height: int, top: int = 50, **extra: object) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=20, t=top, b=40), font=FONT,
                      template="plotly_white", **extra)
    return fig


TITLE_WIDTH, LABEL_WIDTH = 44, 20  # characters per line: ~300 px and ~140 px at 12 px


def _wrap(text: str, width: int = TITLE_WIDTH) -> str:
    return "<br>".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


# A legend above the plot, left-aligned; on a narrow page its items stack one per line, so the
# top margin leaves room for that (plotly does not make room for a wrapped legend itself).
LEGEND = dict(orientation="h", yanchor="bottom", y=1.0, x=0, xanchor="left")


def _legend_room(items: int) -> int:
    return 20 + 22 * items


# A chart of a theme per row stays readable to this many; a codebook imported from a large QDA
# project may have hundreds of codes (566 drew a co-occurrence grid 13,000 px tall).
MAX_THEMES_CHARTED = 40


def _fewer_themes(reach: pd.Series, table: str) -> tuple[list, str | None]:
    """The index of ``reach`` (respondents per theme) cut to :data:`MAX_THEMES_CHARTED`.

    Past the limit, the themes with the most respondents (the first on a tie), and a title
    saying so and naming the CSV that holds every theme; else all of them and no title.
    """
    if len(reach) <= MAX_THEMES_CHARTED:
        return list(reach.index), None
    kept = reach.sort_values(ascending=False, kind="stable").index[:MAX_THEMES_CHARTED]
    return list(kept), _wrap(f"The {MAX_THEMES_CHARTED} of {len(reach):,} themes with the most "
                             f"respondents; report/{table}.csv has every one", TITLE_WIDTH * 2)


def _titled(note: str | None) -> dict[str, object]:
    return {"title": dict(text=note, x=0, font=dict(size=12))} if note else {}


def _panels(titles: list[str], bars: list[int]) -> tuple[go.Figure, int]:
    """One panel per question, each as tall as its bars; returns the figure and its height."""
    lines = max((title.count("<br>") + 1 for title in titles), default=1)
    gap, per_bar, base = 34 + 16 * lines, 22, 60  # room for each panel's wrapped title
    heights = [base + per_bar * max(1, n) for n in bars]
    total = sum(heights) + gap * max(0, len(heights) - 1) + 80
    fig = make_subplots(rows=max(1, len(titles)), cols=1, subplot_titles=titles or None,
                        row_heights=heights or None,
                        vertical_spacing=gap / total if len(titles) > 1 else 0.0)
    return fig, total


def _labels(labels: pd.Series | list[str]) -> list[str]:
    """Axis labels wrapped to a short width, so the plot keeps its room on a narrow page."""
    return [_wrap(str(label), LABEL_WIDTH) for label in labels]


def themes_chart(shares: pd.DataFrame, *, top_n: int = 10) -> go.Figure:
    """Horizontal bars per question: % of respondents raising each of the top themes."""
    questions = list(dict.fromkeys(shares[s.QUESTION_ID]))
    parts = [shares[(shares[s.QUESTION_ID] == q) & (shares[s.MENTIONS] > 0)]
             .nsmallest(top_n, s.RANK).iloc[::-1] for q in questions]
    titles = [_wrap(f"{q}: {shares.loc[shares[s.QUESTION_ID] == q, s.QUESTION].iloc[0]} "
                    f"(n={int(shares.loc[shares[s.QUESTION_ID] == q, s.RESPONDENTS].max())})")
              for q in questions]
    fig, height = _panels(titles, [len(p) for p in parts])
    for row, part in enumerate(parts, start=1):
        fig.add_trace(go.Bar(
            x=part[s.SHARE] * 100, y=_labels(part[s.LABEL]), orientation="h",
            marker_color=BLUE, text=[pct(v) for v in part[s.SHARE]], textposition="auto",
            customdata=part[[s.MENTIONS, s.RESPONDENTS]].to_numpy(), showlegend=False,
            hovertemplate="%{y}: %{x:.1f}% (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        ), row=row, col=1)
        fig.update_xaxes(range=[0, 100], ticksuffix="%", row=row, col=1)
    fig.update_annotations(font_size=12, xanchor="left", x=0, align="left")
    return _layout(fig, height=height)


def stance_chart(table: pd.DataFrame) -> go.Figure:
    """Per theme, respondents saying the support is needed, missing (gap) or available."""
    part = table[table[s.RESPONDENTS] > 0]
    kept, note = _fewer_themes(part[s.RESPONDENTS], "stance_by_theme")
    part = part.loc[kept].sort_values([s.RESPONDENTS, s.CODE_ID], ascending=[True, False])
    fig = go.Figure()
    for value, colour, name in (("needed", AMBER, "needed"), ("gap", RED, "gap (missing or "
                                "hard to get)"), ("available", GREEN, "available")):
        fig.add_trace(go.Bar(y=_labels(part[s.LABEL]), x=part[value], name=name,
                             orientation="h", marker_color=colour,
                             text=[v if v else "" for v in part[value]],
                             textposition="outside", cliponaxis=False,
                             hovertemplate="%{y}: %{x} respondents<extra>" + value + "</extra>"))
    return _layout(fig, height=max(320, 28 * len(part) + 120), barmode="group",
                   xaxis_title="respondents", legend=LEGEND,
                   top=_legend_room(3) + (40 if note else 0), **_titled(note))


def direction_chart(table: pd.DataFrame) -> go.Figure:
    """Per theme, respondents reporting it worse (left) or better (right) than before."""
    reach = table["improved"] + table["worsened"] + table["same"]
    kept, note = _fewer_themes(reach[reach > 0], "direction_by_theme")
    part = table.loc[kept].sort_values(["net", s.CODE_ID], ascending=[False, False])
    fig = go.Figure()
    labels = _labels(part[s.LABEL])
    fig.add_trace(go.Bar(y=labels, x=-part["worsened"], name="worsened",
                         orientation="h", marker_color=RED, customdata=part["worsened"],
                         text=[v if v else "" for v in part["worsened"]], textposition="auto",
                         hovertemplate="%{y}: %{customdata} worsened<extra></extra>"))
    fig.add_trace(go.Bar(y=labels, x=part["improved"], name="improved",
                         orientation="h", marker_color=GREEN,
                         text=[v if v else "" for v in part["improved"]],
                         textposition="auto",
                         hovertemplate="%{y}: %{x} improved<extra></extra>"))
    fig.add_trace(go.Scatter(y=labels, x=part["net"], mode="markers", name="net",
                             marker=dict(color="black", symbol="diamond", size=9),
                             hovertemplate="%{y}: net %{x}<extra></extra>"))
    return _layout(fig, height=max(320, 28 * len(part) + 120), barmode="relative",
                   xaxis_title="respondents: ← worsened · improved →",
                   legend=LEGEND, top=_legend_room(3) + (40 if note else 0), **_titled(note))


def crosstab_chart(table: pd.DataFrame, attribute: str, kind: str) -> go.Figure:
    """Heatmap: % of ``kind`` respondents with each value of ``attribute`` raising each theme."""
    part = table[(table[ATTRIBUTE] == attribute) & (table[s.KIND] == kind)]
    grid = part.pivot_table(index=s.LABEL, columns=VALUE, values=s.SHARE, sort=False)
    totals = part.groupby(s.LABEL, sort=False)[s.MENTIONS].sum()
    kept, note = _fewer_themes(totals[totals > 0], "crosstabs")
    grid = grid.loc[totals[kept].sort_values().index]
    sizes = part.drop_duplicates(VALUE).set_index(VALUE)[s.RESPONDENTS]
    columns = [_wrap(f"{v} (n={int(sizes[v])})", LABEL_WIDTH // 2) for v in grid.columns]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy() * 100, x=columns, y=_labels(grid.index), colorscale="Blues",
        zmin=0, zmax=100, showscale=False, text=[[pct(v) for v in row] for row in
                                                 grid.to_numpy()],
        texttemplate="%{text}", hovertemplate="%{y} | %{x}: %{text}<extra></extra>"))
    title = _wrap(f"By {attribute.replace('_', ' ')} ({kind} respondents)")
    if note:
        title += "<br><span style='font-size:11px'>" + note + "</span>"
    return _layout(fig, height=max(320, 30 * len(grid) + 160), title=dict(text=title, x=0),
                   top=50 + (40 if note else 0))


def cooccurrence_chart(matrix: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Heatmap of respondents raising both themes; each label gives the theme's respondents."""
    sizes = pd.Series({c: int(matrix.at[c, c]) for c in matrix.index})
    keep, note = _fewer_themes(sizes[sizes > 0], "cooccurrence")
    keep = list(sizes[keep].sort_values(ascending=False, kind="stable").index)
    grid = matrix.loc[keep, keep].astype(float).to_numpy()
    for i in range(len(keep)):
        grid[i, i] = float("nan")  # the diagonal (respondents raising one theme) would swamp it
    names = _labels([f"{labels.get(c, c)} ({sizes[c]})" for c in keep])
    fig = go.Figure(go.Heatmap(
        z=grid, x=names, y=names, colorscale="Purples", showscale=False,
        text=[["" if pd.isna(v) else str(int(v)) for v in row] for row in grid],
        texttemplate="%{text}", hoverongaps=False,
        hovertemplate="%{y} & %{x}: %{z} respondents<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height=max(400, 26 * len(keep) + 200), top=50 + (40 if note else 0),
                   **_titled(note))


def compare_chart(table: pd.DataFrame, *, top_n: int = 12) -> go.Figure:
    """Change in share per theme and question, with 95% intervals; filled = significant."""
    questions = list(dict.fromkeys(table[s.QUESTION_ID]))
    parts = [table[table[s.QUESTION_ID] == q].head(top_n).iloc[::-1] for q in questions]
    titles = [_wrap(f"{q}: {p[s.QUESTION].iloc[0]}") for q, p in zip(questions, parts,
                                                                      strict=True)]
    fig, height = _panels(titles, [len(p) for p in parts])
    for row, part in enumerate(parts, start=1):
        diff = part["difference"] * 100
        fig.add_trace(go.Scatter(
            x=diff, y=_labels(part[s.LABEL]), mode="markers", showlegend=False,
            error_x=dict(type="data", symmetric=False, array=part["ci_high"] * 100 - diff,
                         arrayminus=diff - part["ci_low"] * 100, color=GREY),
            marker=dict(size=10, color=[RED if d < 0 else GREEN for d in diff],
                        symbol=["circle" if sig else "circle-open"
                                for sig in part["significant"]]),
            customdata=part[["share_earlier", s.SHARE, "p"]].to_numpy(),
            hovertemplate=("%{y}: %{customdata[0]:.1%} → %{customdata[1]:.1%} "
                           "(%{x:+.1f} points, p=%{customdata[2]:.3f})<extra></extra>"),
        ), row=row, col=1)
        fig.add_vline(x=0, line_color=GREY, row=row, col=1)
        fig.update_xaxes(ticksuffix=" pts", row=row, col=1)
    fig.update_annotations(font_size=12, xanchor="left", x=0, align="left")
    return _layout(fig, height=height)
