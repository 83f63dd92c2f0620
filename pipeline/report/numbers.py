"""Numbers as the report shows them: never rounded onto 0 or 1 when they are not exactly that.

A kappa of 0.997 shown as "1.00", or agreement of 0.9995 as "100.0%", beside a rejected coding
reads as a contradiction. A value that would round onto an end (0, 1 or -1) gets one more
digit; if it still would, it is cut toward its true side (0.99996 -> "99.99%").
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

_ENDS = (0.0, 1.0, -1.0)


def exact_ends(value: float, decimals: int, scale: float = 1.0) -> str:
    """``value * scale`` with ``decimals`` digits, never shown as an end it does not equal."""
    shown = f"{value * scale:.{decimals}f}"
    for end in _ENDS:
        if float(shown) == end * scale and value != end:
            digits = decimals + 1
            more = f"{value * scale:.{digits}f}"
            if float(more) == end * scale:  # still on the end: cut toward the value's side
                step = 10.0 ** -digits
                toward = math.floor if value < end else math.ceil
                more = f"{toward(round(value * scale / step, 6)) * step:.{digits}f}"
            return more
    return shown


def pct(value: Any) -> str:
    """A share (0-1) as a percentage with one decimal: 0.3333 -> '33.3%', 0.9995 -> '99.95%'."""
    return "" if pd.isna(value) else f"{exact_ends(float(value), 1, 100.0)}%"


def num(value: Any) -> str:
    """A score such as kappa with two decimals: 0.8123 -> '0.81', 0.997 -> '0.997'."""
    return "" if pd.isna(value) else exact_ends(float(value), 2)
