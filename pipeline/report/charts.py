"""Plotly figures of the report's tables; each takes a table and returns a figure."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from pipeline import schema as s
from pipeline.report.tables import ATTRIBUTE, VALUE

BLUE, RED, GREEN, GREY, AMBER = "#3b6ea8", "#c0392b", "#2e8b57", "#9aa0a6", "#d08c2f"
FONT = dict(family="Helvetica, Arial, sans-serif", size=12)


def _layout(fig: go.Figure, *, height: int, **extra: object) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=20, t=50, b=40), font=FONT,
                      template="plotly_white", **extra)
    return fig


def _wrap(text: str, width: int = 70) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def _panels(titles: list[str], bars: list[int]) -> tuple[go.Figure, int]:
    """One panel per question, each as tall as its bars; returns the figure and its height."""
    gap, per_bar, base = 80, 22, 60
    heights = [base + per_bar * max(1, n) for n in bars]
    total = sum(heights) + gap * max(0, len(heights) - 1) + 80
    fig = make_subplots(rows=max(1, len(titles)), cols=1, subplot_titles=titles or None,
                        row_heights=heights or None,
                        vertical_spacing=gap / total if len(titles) > 1 else 0.0)
    return fig, total


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
            x=part[s.SHARE] * 100, y=part[s.LABEL], orientation="h", marker_color=BLUE,
            customdata=part[[s.MENTIONS, s.RESPONDENTS]].to_numpy(), showlegend=False,
            hovertemplate="%{y}: %{x:.1f}% (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        ), row=row, col=1)
        fig.update_xaxes(range=[0, 100], ticksuffix="%", row=row, col=1)
    fig.update_annotations(font_size=12, xanchor="left", x=0, align="left")
    return _layout(fig, height=height)


def stance_chart(table: pd.DataFrame) -> go.Figure:
    """Per theme, respondents saying the support is needed, missing (gap) or available."""
    part = table[table[s.RESPONDENTS] > 0].sort_values([s.RESPONDENTS, s.CODE_ID],
                                                       ascending=[True, False])
    fig = go.Figure()
    for value, colour, name in (("needed", AMBER, "needed"), ("gap", RED, "gap (missing or "
                                "hard to get)"), ("available", GREEN, "available")):
        fig.add_trace(go.Bar(y=part[s.LABEL], x=part[value], name=name, orientation="h",
                             marker_color=colour,
                             hovertemplate="%{y}: %{x} respondents<extra>" + value + "</extra>"))
    return _layout(fig, height=max(320, 28 * len(part) + 120), barmode="group",
                   xaxis_title="respondents", legend=dict(orientation="h", y=1.06))


def direction_chart(table: pd.DataFrame) -> go.Figure:
    """Per theme, respondents reporting it worse (left) or better (right) than before."""
    part = table[(table["improved"] + table["worsened"] + table["same"]) > 0]
    part = part.sort_values(["net", s.CODE_ID], ascending=[False, False])
    fig = go.Figure()
    fig.add_trace(go.Bar(y=part[s.LABEL], x=-part["worsened"], name="worsened",
                         orientation="h", marker_color=RED, customdata=part["worsened"],
                         hovertemplate="%{y}: %{customdata} worsened<extra></extra>"))
    fig.add_trace(go.Bar(y=part[s.LABEL], x=part["improved"], name="improved",
                         orientation="h", marker_color=GREEN,
                         hovertemplate="%{y}: %{x} improved<extra></extra>"))
    fig.add_trace(go.Scatter(y=part[s.LABEL], x=part["net"], mode="markers", name="net",
                             marker=dict(color="black", symbol="diamond", size=9),
                             hovertemplate="%{y}: net %{x}<extra></extra>"))
    return _layout(fig, height=max(320, 28 * len(part) + 120), barmode="relative",
                   xaxis_title="respondents (worsened to the left, improved to the right)",
                   legend=dict(orientation="h", y=1.06))


def crosstab_chart(table: pd.DataFrame, attribute: str) -> go.Figure:
    """Heatmap: % of respondents with each value of ``attribute`` raising each theme."""
    part = table[table[ATTRIBUTE] == attribute]
    grid = part.pivot_table(index=s.LABEL, columns=VALUE, values=s.SHARE, sort=False)
    totals = part.groupby(s.LABEL, sort=False)[s.MENTIONS].sum()
    grid = grid.loc[totals[totals > 0].sort_values().index]
    sizes = part.drop_duplicates(VALUE).set_index(VALUE)[s.RESPONDENTS]
    columns = [f"{v} (n={int(sizes[v])})" for v in grid.columns]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy() * 100, x=columns, y=list(grid.index), colorscale="Blues",
        zmin=0, zmax=100, colorbar=dict(title="%", ticksuffix="%"),
        hovertemplate="%{y} | %{x}: %{z:.1f}%<extra></extra>"))
    return _layout(fig, height=max(320, 26 * len(grid) + 140),
                   title=dict(text=f"By {attribute.replace('_', ' ')}", x=0))


def cooccurrence_chart(matrix: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Heatmap of respondents raising both themes; each label gives the theme's respondents."""
    sizes = pd.Series({c: int(matrix.at[c, c]) for c in matrix.index})
    keep = list(sizes[sizes > 0].sort_values(ascending=False, kind="stable").index)
    grid = matrix.loc[keep, keep].astype(float).to_numpy()
    for i in range(len(keep)):
        grid[i, i] = float("nan")  # the diagonal (respondents raising one theme) would swamp it
    names = [f"{labels.get(c, c)} ({sizes[c]})" for c in keep]
    fig = go.Figure(go.Heatmap(
        z=grid, x=names, y=names, colorscale="Purples", colorbar=dict(title="respondents"),
        hovertemplate="%{y} & %{x}: %{z} respondents<extra></extra>", hoverongaps=False))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height=max(400, 26 * len(keep) + 200))


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
            x=diff, y=part[s.LABEL], mode="markers", showlegend=False,
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
