"""Assemble the report page: plotly.js once, inline, figures as divs, tables as HTML."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment
from markupsafe import Markup, escape

from pipeline.report.numbers import num, pct
from pipeline.report.template import PAGE

PLOT_CONFIG = {"displaylogo": False, "responsive": True,
               "modeBarButtonsToRemove": ["sendDataToCloud"]}


def points(value: Any) -> str:
    """A difference in shares as signed percentage points: -0.05 -> '-5.0'."""
    return "" if pd.isna(value) else f"{float(value) * 100:+.1f}"


def _p(value: Any) -> str:
    return "" if pd.isna(value) else ("<0.001" if float(value) < 0.001 else f"{float(value):.3f}")


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


FORMATS: dict[str, Callable[[Any], str]] = {
    "text": _text, "int": lambda v: "" if pd.isna(v) else str(int(v)), "pct": pct,
    "points": points, "p": _p, "num": num,
}


def table_html(frame: pd.DataFrame, columns: Sequence[tuple[str, str, str]], *,
               table_id: str, highlight: str | None = None, empty: str = "None.") -> Markup:
    """An HTML table of ``frame``: ``columns`` are (column, header, format) triples.

    ``empty``: what the page says instead when ``frame`` has no rows.

    Numeric cells carry their exact value in ``data-value`` and the column name in the cell's
    class, so a reader (or a test) can match the page to the CSV.
    """
    if frame.empty:
        return Markup(f"<p>{escape(empty)}</p>")
    head = "".join(
        f'<th class="{"text" if kind == "text" else "num"}">{escape(header)}</th>'
        for _, header, kind in columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for column, _, kind in columns:
            value = row[column]
            shown = escape(FORMATS[kind](value))
            if kind == "text":
                cells.append(f'<td class="{column}">{shown}</td>')
            else:
                cells.append(f'<td class="num {column}" data-value="{escape(_text(value))}">'
                             f"{shown}</td>")
        marked = ' class="significant"' if highlight and bool(row.get(highlight)) else ""
        code = f' data-code="{escape(row["code_id"])}"' if "code_id" in row else ""
        body.append(f"<tr{marked}{code}>{''.join(cells)}</tr>")
    return Markup(f'<div class="table-wrap"><table id="{escape(table_id)}"><tr>{head}</tr>'
                  f'{"".join(body)}</table></div>')


def figure_html(fig: go.Figure, div_id: str) -> Markup:
    """A figure as a div plus its drawing script; plotly.js itself is on the page once."""
    return Markup(fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                              config=PLOT_CONFIG))


def plotly_js() -> str:
    """The plotly.js bundle shipped with the plotly package, for inlining (no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_page(context: dict[str, Any]) -> str:
    """Render the page template with ``context`` (see :mod:`pipeline.report.template`)."""
    env = Environment(autoescape=True, keep_trailing_newline=True)
    env.filters["pct"] = pct
    return env.from_string(PAGE).render(plotlyjs=Markup(plotly_js()), **context)
