"""``wavecoder run-project``: code several waves in order, then report their trends."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markdown import Markdown

from pipeline.config import DEFAULT_CODEBOOK

console = Console()


def run_project_command(
    folders: list[Path] = typer.Argument(..., help="The wave folders, earliest first, e.g. "
                                         "corpora/sector-survey-2013 corpora/sector-survey-2014."),
    codebook: Path = typer.Option(DEFAULT_CODEBOOK, "--codebook", help="Codebook YAML, the "
                                  "same for every wave.",
                                  show_default="models/codebooks/recovery-capital.yaml"),
    out: Path = typer.Option(Path("outputs"), "--out", help="Output root: each wave goes to "
                             "<out>/<wave>/."),
    coder: str = typer.Option("auto", "--coder", help="rules, rules+semantic, a trained "
                              "model, or auto."),
    topics: bool = typer.Option(True, "--topics/--no-topics", help="BERTopic per wave."),
    embedding: str = typer.Option("minilm", "--embedding", help="minilm or tfidf."),
    trend_dir: Optional[Path] = typer.Option(None, "--trend-dir", help="Folder of the trend "
                                             "report (default: <out>/trends)."),
) -> None:
    """Run the Prefect flow ``code_project``: each wave a ``code_wave`` run, then the trends."""
    from flows.local_api import launch_local_api, use_local_api
    from pipeline.parameters import ProjectRun, preflight_project

    project = ProjectRun.checked(
        waves=[str(f) for f in folders], codebook=str(codebook), out=str(out), coder=coder,
        topics=topics, embedding=embedding, trend_dir=str(trend_dir) if trend_dir else None)
    local_api = launch_local_api()  # starts beside the checks and imports below
    preflight_project(project)  # every wave's folder and config, before any wave is coded
    from flows.code_project import code_project

    use_local_api(local_api)  # a killed run leaves no Prefect server behind
    result = code_project(run=project)
    for summary in result["summaries"]:
        console.print(Markdown(summary))
    for wave, folder in zip(result["waves"], result["output_dirs"], strict=True):
        console.print(f"[bold green]{wave}:[/bold green] {folder}/")
    if result["trend_report"]:
        console.print(f"[bold green]Trend report:[/bold green] {result['trend_report']}")
    console.print(f"[bold green]Database:[/bold green] {out / 'wavecoder.duckdb'} "
                  "(view theme_trends)")
