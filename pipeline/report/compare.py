"""Change between two waves: share of respondents per theme, tested and with a 95% interval.

For each question and theme asked in both waves, the difference in share (this wave minus the
earlier one) gets a two-proportion z-test (pooled standard error) and a Wald 95% confidence
interval (unpooled). When an expected cell count is below 5 the p-value comes from Fisher's exact
test instead. With many themes some differences pass p < 0.05 by chance, so the table also gives
Benjamini-Hochberg adjusted p-values (``q``), and ``significant`` means q < 0.05.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from scipy import stats

from pipeline import schema as s

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal
ALPHA = 0.05


@dataclass(frozen=True)
class ProportionTest:
    """Difference p1 - p2 of two proportions, its test and 95% interval."""

    p1: float
    p2: float
    difference: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    test: str  # "z" or "fisher"


def two_proportions(x1: int, n1: int, x2: int, n2: int) -> ProportionTest:
    """Compare x1 of n1 with x2 of n2.

    z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)) with the pooled p = (x1 + x2) / (n1 + n2);
    the p-value is two-sided. The interval is (p1 - p2) +/- 1.96 sqrt(p1 q1 / n1 + p2 q2 / n2).
    When any expected count of the 2x2 table is below 5, the p-value is Fisher's exact test's.
    """
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both groups need at least one respondent")
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / se0 if se0 > 0 else 0.0
    p_value = 2 * stats.norm.sf(abs(z)) if se0 > 0 else 1.0
    se1 = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    expected = [n * q for n in (n1, n2) for q in (pooled, 1 - pooled)]
    test = "z"
    if min(expected) < 5:
        test = "fisher"
        p_value = float(stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue)
    return ProportionTest(p1=p1, p2=p2, difference=p1 - p2, z=z, p_value=float(p_value),
                          ci_low=p1 - p2 - Z_95 * se1, ci_high=p1 - p2 + Z_95 * se1, test=test)


def codebook_change(current: dict[str, Any], earlier: dict[str, Any]) -> str | None:
    """Why two waves' codebooks differ (id, version or sha256), or None when they match."""
    if not current or not earlier:
        return "the codebook of one wave is not recorded (no run.json)"
    reasons = []
    for key in ("id", "version", "sha256"):
        if current.get(key) != earlier.get(key):
            shown = (lambda v: str(v)[:12]) if key == "sha256" else str
            reasons.append(f"{key} {shown(earlier.get(key))} -> {shown(current.get(key))}")
    return "; ".join(reasons) or None


def compare_shares(current: pd.DataFrame, earlier: pd.DataFrame, *,
                   codebook_note: str | None = None) -> pd.DataFrame:
    """Per question and theme in both waves: shares, difference, z, p, q, 95% CI.

    Args:
        current: this wave's published theme summary (schema.THEME_SUMMARY).
        earlier: the earlier wave's, same columns.
        codebook_note: set when the codebooks differ; every row is then flagged
            ``codebook_changed`` and the note repeated, since a change may come from the codes.
    """
    keys = [s.QUESTION_ID, s.CODE_ID]
    both = current.merge(earlier[[*keys, s.RESPONDENTS, s.MENTIONS, s.SHARE]], on=keys,
                         suffixes=("", "_earlier"))
    both = both[(both[s.RESPONDENTS] > 0) & (both[f"{s.RESPONDENTS}_earlier"] > 0)]
    both = both[(both[s.MENTIONS] > 0) | (both[f"{s.MENTIONS}_earlier"] > 0)]
    rows = []
    for row in both.itertuples(index=False):
        result = two_proportions(int(row.mentions), int(row.respondents),
                                 int(row.mentions_earlier), int(row.respondents_earlier))
        rows.append({
            s.QUESTION_ID: row.question_id, s.QUESTION: row.question, s.CODE_ID: row.code_id,
            s.LABEL: row.label, "respondents_earlier": int(row.respondents_earlier),
            "mentions_earlier": int(row.mentions_earlier),
            "share_earlier": round(result.p2, 4), s.RESPONDENTS: int(row.respondents),
            s.MENTIONS: int(row.mentions), s.SHARE: round(result.p1, 4),
            "difference": round(result.difference, 4), "ci_low": round(result.ci_low, 4),
            "ci_high": round(result.ci_high, 4), "z": round(result.z, 3),
            "p": result.p_value, "test": result.test,
        })
    columns = [s.QUESTION_ID, s.QUESTION, s.CODE_ID, s.LABEL, "respondents_earlier",
               "mentions_earlier", "share_earlier", s.RESPONDENTS, s.MENTIONS, s.SHARE,
               "difference", "ci_low", "ci_high", "z", "p", "q", "significant", "test",
               "codebook_changed", "codebook_note"]
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(rows)
    table["q"] = stats.false_discovery_control(table["p"].to_numpy(), method="bh")
    table["p"], table["q"] = table["p"].round(6), table["q"].round(6)
    table["significant"] = table["q"] < ALPHA
    table["codebook_changed"] = codebook_note is not None
    table["codebook_note"] = codebook_note or ""
    table = table.assign(_size=table["difference"].abs()).sort_values(
        [s.QUESTION_ID, "_size", s.CODE_ID], ascending=[True, False, True], kind="stable")
    return table[columns].reset_index(drop=True)
