"""``wavecoder report``: a wave's report page and tables; the work is in :mod:`pipeline.report`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

console = Console()


def report_command(
    outputs_dir: Path = typer.Argument(..., help="A wave's output folder, e.g. "
                                       "outputs/sector-survey-2014."),
    compare: Optional[Path] = typer.Option(None, "--compare", help="An earlier wave's output "
                                           "folder: adds the change in share per theme."),
) -> None:
    """Write report.html (opens offline) and its tables as CSV under report/."""
    from pipeline.report import REPORT_DIR, build_report

    path = build_report(outputs_dir, compare)
    console.print(f"[bold green]Report:[/bold green] {path}  "
                  f"[bold green]Tables:[/bold green] {path.parent / REPORT_DIR}/")


if __name__ == "__main__":
    typer.run(report_command)
