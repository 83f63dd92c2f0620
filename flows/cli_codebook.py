"""``wavecoder codebook``: codebooks to and from QDA packages; the work is in pipeline.codebooks."""

# No `from __future__ import annotations`: typer reads the annotations of the commands made in
# _draft_command, which name its arguments, so they must be evaluated where they are written.
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from flows.cli_errors import error_console, one_line_errors
from pipeline.config import DEFAULT_CODEBOOK

console = Console(soft_wrap=True)  # paths and id lists stay on their lines
codebook_app = typer.Typer(add_completion=False, no_args_is_help=True,
                           help="Codebooks from and to QDA packages (REFI-QDA .qdc/.qdpx, "
                           "Taguette) and from gold files.")

def _levels(depth: int) -> str:
    return "flat (1 level)" if depth == 1 else f"{depth} levels"


def _report(draft, written: Path) -> None:
    """Print what was written and what is left to do, so a person knows where to start."""
    from pipeline.codebooks import todo_lines

    book = draft.codebook
    console.print(f"[bold green]Wrote[/bold green] {escape(str(written))}: "
                  f"{len(book.code_ids())} codes, {_levels(draft.depth())}, from "
                  f"{escape(draft.kind)}")
    if draft.counts:
        used = sum(1 for n in draft.counts.values() if n)
        console.print(f"uses in the source: {sum(draft.counts.values())} over {used} codes")
    for line in [*todo_lines(draft, shown=8), *draft.notes]:
        console.print(f"[yellow]to do:[/yellow] {escape(line)}")
    console.print(f"The to-do list, every code in full, is at the top of {escape(str(written))}.")


_YamlOut = Annotated[Path, typer.Option("-o", "--output", help="The codebook YAML to write.")]
_NewId = Annotated[Optional[str], typer.Option("--id", help="The new codebook's id (default: "
                                               "from the file name).")]


def _draft_command(name: str, reader: str, file_help: str, summary: str) -> None:
    """Register ``codebook <name>``: read FILE with ``pipeline.codebooks.<reader>``, write YAML."""

    @codebook_app.command(name, help=summary)
    @one_line_errors
    def command(file: Annotated[Path, typer.Argument(help=file_help)], output: _YamlOut = ...,
                codebook_id: _NewId = None) -> None:
        import pipeline.codebooks as codebooks
        from pipeline.codebooks import write_codebook_yaml

        draft = getattr(codebooks, reader)(file, codebook_id)
        _report(draft, write_codebook_yaml(draft, output, name))


_draft_command("import", "import_codebook",
               "A REFI-QDA codebook (.qdc), project (.qdpx) or Taguette codebook (.csv).",
               "Read a QDA package's codebook into a codebook YAML; lists codes that need "
               "patterns.")
_draft_command("from-gold", "draft_from_gold",
               "A gold file (.csv/.xlsx): 0/1 code columns, or a code_id, code or tag column.",
               "Draft a codebook from the codes of a gold file; definitions are left to write.")


@codebook_app.command("export")
@one_line_errors
def export_command(
    codebook: Path = typer.Option(..., "--codebook", help="Codebook YAML."),
    output: Path = typer.Option(..., "-o", "--output", help="The .qdc to write."),
) -> None:
    """Write a codebook YAML as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA."""
    from pipeline.codebooks import load_codebook_yaml, write_qdc

    book = load_codebook_yaml(codebook)
    written = write_qdc(book, output)
    console.print(f"[bold green]Wrote[/bold green] {escape(str(written))}: "
                  f"{len(book.code_ids())} codes of codebook {book.id} {book.version}")


# --------------------------------------------------------------------------- codebook check


@codebook_app.command("check")
@one_line_errors
def check_command(
    outputs: Path = typer.Argument(..., help="A wave's outputs folder (outputs/<wave>/)."),
    codebook: Path = typer.Option(..., "--codebook", help="The codebook YAML to check (may be "
                                  "an edit of the one the wave was coded with)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the check to "
                                          "this file: .json, or .md for people."),
    as_json: bool = typer.Option(False, "--json", help="Print the check as JSON."),
    top: int = typer.Option(5, "--top", min=0, help="Near misses shown per code."),
    suggestions: int = typer.Option(5, "--suggestions", min=0,
                                    help="Suggested patterns per code."),
    min_similarity: float = typer.Option(0.35, "--min-similarity", min=-1.0, max=1.0,
                                         help="A near miss is at least this similar to the "
                                         "code's definition or an example (cosine)."),
    redundant: float = typer.Option(0.5, "--redundant-jaccard", min=0.0, max=1.0,
                                    help="Flag two codes sharing at least this Jaccard of "
                                    "their segments as possibly redundant."),
) -> None:
    """Check a codebook on a coded wave: counts, overlaps, unmatched patterns, near misses."""
    from pipeline.codebooks import load_codebook_yaml
    from pipeline.codebooks.check import CheckSettings, check_codebook
    from pipeline.codebooks.check_report import (
        check_json,
        check_renderables,
        output_kind,
        write_check,
    )
    from pipeline.embeddings import MiniLMEmbedder
    from pipeline.outputs import read_wave

    if output is not None:
        output_kind(output)  # a wrong suffix is refused before any work
    wave = read_wave(outputs)  # before the model loads: a wrong folder is named at once
    book = load_codebook_yaml(codebook)
    settings = CheckSettings(redundant_jaccard=redundant, near_misses=top,
                             suggestions=suggestions, min_similarity=min_similarity)
    check = check_codebook(wave, book, MiniLMEmbedder(), settings=settings)
    if as_json:
        typer.echo(check_json(check), nl=False)
    else:
        for part in check_renderables(check):
            console.print(part)
    if output is not None:
        written = write_check(check, output)
        (error_console if as_json else console).print(
            f"[bold green]Wrote[/bold green] {escape(str(written))}")


@codebook_app.command("accept")
@one_line_errors
def accept_command(
    candidate: str = typer.Argument(..., help="The candidate's id, from <codebook>.candidates"
                                    ".yaml (written by wavecoder run)."),
    codebook: Path = typer.Option(DEFAULT_CODEBOOK, "--codebook",
                                  help="The codebook YAML to add the code to."),
    candidates: Optional[Path] = typer.Option(None, "--candidates", help="The candidates file "
                                              "(default: <codebook>.candidates.yaml)."),
) -> None:
    """Move a candidate code into the codebook, with a new codebook version."""
    from pipeline.codebooks.accept import accept_candidate

    done = accept_candidate(codebook, candidate, candidates)
    console.print(f"[bold green]Accepted[/bold green] {escape(done.candidate.id)} into "
                  f"{escape(str(done.codebook_file))}: version {done.old_version} → "
                  f"{done.new_version}, {len(done.candidate.patterns)} patterns (would code "
                  f"{done.candidate.would_code} segments of {escape(done.candidate.wave)}). "
                  "Re-code the wave to see it in the outputs.")
