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
                                            help="Codebook YAML (default: the copy the run "
                                            "left in the outputs folder)."),
    reviewer: list[str] = typer.Option([], "--reviewer",
                                       help="A reviewer to create as a user of the project "
                                       "(repeatable)."),
) -> None:
    """Export a coded wave to a .qdpx that NVivo, ATLAS.ti, MAXQDA or QualCoder open."""
    from pipeline.config import load_codebook
    from pipeline.outputs import read_wave
    from pipeline.review.qdpx import export_qdpx, wave_layout

    wave = read_wave(outputs_dir)
    layout = wave_layout(wave)
    book = load_codebook(codebook) if codebook else wave.require_codebook()
    recorded = wave.run.codebook.sha256 if wave.run is not None else ""
    if recorded and recorded != book.sha256:
        console.print(f"[yellow]warning:[/yellow] {codebook} is not the codebook the wave "
                      f"was coded with (sha256 {book.sha256[:12]}…, run.json says "
                      f"{recorded[:12]}…)")
    written = export_qdpx(wave, book, output, reviewer)
    console.print(f"[bold green]Wrote[/bold green] {written}: {len(layout.sources)} sources, "
                  f"{len(book.code_ids())} codes, {len(layout.selections)} coded selections")
