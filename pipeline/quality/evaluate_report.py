"""Write evaluations where people and scripts read them: JSON, CSV and a chart per coder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

from pipeline.quality.evaluate import Evaluation, comparison
from pipeline.untrusted import csv_safe


def evaluation_json(evaluations: Sequence[Evaluation]) -> dict[str, Any]:
    """One coder: its summary, flat (``macro_f1`` at the top). Several: ``{"coders": [...]}``."""
    if len(evaluations) == 1:
        return evaluations[0].to_json()
    return {"coders": [e.to_json() for e in evaluations]}


def precision_recall_chart(evaluation: Evaluation, path: Path) -> Path:
    """Each scored code as a point (recall, precision), sized by support, with F1 contours."""
    fig = Figure(figsize=(6.5, 6))  # no pyplot: no GUI backend is chosen or opened
    ax = fig.subplots()
    grid = np.linspace(0.01, 1, 200)
    r, p = np.meshgrid(grid, grid)
    contours = ax.contour(r, p, 2 * r * p / (r + p), levels=[0.2, 0.4, 0.6, 0.8],
                          colors="#bbbbbb", linewidths=0.8)
    ax.clabel(contours, fmt="F1=%.1f", fontsize=7)
    table = evaluation.per_code
    ax.scatter(table["recall"], table["precision"], s=20 + 2 * np.sqrt(table["support"]) * 8,
               alpha=0.6, color="#3b6ea8")
    for row in table.itertuples(index=False):
        ax.annotate(str(row.code_id)[:22], (row.recall, row.precision), fontsize=6,
                    xytext=(3, 3), textcoords="offset points")
    s = evaluation.summary
    ax.set_title(f"{evaluation.coder}: macro-F1 {s['macro_f1']:.2f}, micro-F1 "
                 f"{s['micro_f1']:.2f}", fontsize=10)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    return path


def write_evaluations(evaluations: Sequence[Evaluation], out: Path) -> dict[str, Path]:
    """evaluation.json, per-code CSV and PR chart per coder, and comparison.csv under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = {"json": out / "evaluation.json", "comparison": out / "comparison.csv"}
    written["json"].write_text(json.dumps(evaluation_json(evaluations), indent=2,
                                          default=str) + "\n", encoding="utf-8")
    csv_safe(comparison(evaluations)).to_csv(written["comparison"], index=False)
    for evaluation in evaluations:
        csv_safe(evaluation.per_code).to_csv(out / f"per_code_{evaluation.coder}.csv",
                                             index=False)
        written[f"pr_{evaluation.coder}"] = precision_recall_chart(
            evaluation, out / f"precision_recall_{evaluation.coder}.png")
    return written
