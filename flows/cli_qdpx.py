"""``wavecoder export-qdpx``: a coded wave as a REFI-QDA project for review in a QDA tool."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

console = Console()


def export_qdpx_command(
    outputs_dir: Path = typer.Argument(..., help="A wave's outputs folder, e.g. "
                                       "outputs/sector-survey-2013."),
    output: Optional[Path] = typer.Option(None, "-o", "--output",
                                          help="The .qdpx to write (default: "
                                          "<outputs folder>/<wave>.qdpx)."),
    codebook: Optional[Path] = typer.Option(None, "--codebook",
                                            help="Codebook YAML (default: the one run.json "
                                            "names)."),
    reviewer: list[str] = typer.Option([], "--reviewer",
                                       help="A reviewer to create as a user of the project "
                                       "(repeatable)."),
) -> None:
    """Export a coded wave to a .qdpx that NVivo, ATLAS.ti, MAXQDA or QualCoder open."""
    from pipeline.config import ConfigError, load_codebook
    from pipeline.outputs import codebook_path_of_run, run_record
    from pipeline.review.qdpx import export_qdpx, wave_layout

    if not outputs_dir.is_dir():
        raise typer.BadParameter(f"{outputs_dir} is not a folder", param_hint="OUTPUTS_DIR")
    try:
        layout = wave_layout(outputs_dir)
        book_path = codebook or codebook_path_of_run(outputs_dir)
        book = load_codebook(book_path)
        recorded = run_record(outputs_dir).get("codebook", {}).get("sha256")
        if recorded and recorded != book.sha256:
            console.print(f"[yellow]warning:[/yellow] {book_path} has changed since the run "
                          f"(sha256 {book.sha256[:12]}…, run.json says {recorded[:12]}…)")
        written = export_qdpx(outputs_dir, book, output, reviewer)
    except (ConfigError, FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from None
    console.print(f"[bold green]Wrote[/bold green] {written}: {len(layout.sources)} sources, "
                  f"{len(book.code_ids())} codes, {len(layout.selections)} coded selections")
