"""``wavecoder report``: one wave's report page, or trends across waves (:mod:`pipeline.report`)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from pipeline.errors import ConfigError

console = Console()


def report_command(
    outputs_dirs: list[Path] = typer.Argument(..., help="A wave's output folder, e.g. "
                                              "outputs/sector-survey-2014; with --waves, "
                                              "several, earliest first."),
    compare: Optional[Path] = typer.Option(None, "--compare", help="An earlier wave's output "
                                           "folder: adds the change in share per theme."),
    waves: bool = typer.Option(False, "--waves", help="Trends across the wave output folders "
                               "given, in order: a line chart per code and per stable topic, "
                               "then the last two waves compared."),
    out: Optional[Path] = typer.Option(None, "--out", help="With --waves: the folder for the "
                                       "trend report (default: trends/ beside the last wave)."),
) -> None:
    """Write report.html (opens offline) and its tables as CSV."""
    from pipeline.report import REPORT_DIR, build_report

    if waves:
        from pipeline.report.trend_report import build_trend_report

        if compare is not None:
            raise ConfigError("report: --compare is for one wave; with --waves the last two "
                              "waves are compared")
        trend = build_trend_report(outputs_dirs, out)
        console.print(f"[bold green]Trend report:[/bold green] {trend.path}  "
                      f"[bold green]Tables and charts:[/bold green] {trend.path.parent}/")
        if trend.compare_report is not None:
            console.print(f"[bold green]Last two waves compared:[/bold green] "
                          f"{trend.compare_report}")
        return
    if len(outputs_dirs) != 1 or out is not None:
        raise ConfigError(f"report: {len(outputs_dirs)} folders given; one wave's report takes "
                          "one folder (and --compare), trends across waves need --waves")
    path = build_report(outputs_dirs[0], compare)
    console.print(f"[bold green]Report:[/bold green] {path}  "
                  f"[bold green]Tables:[/bold green] {path.parent / REPORT_DIR}/")


if __name__ == "__main__":
    typer.run(report_command)
