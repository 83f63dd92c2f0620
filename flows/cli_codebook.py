"""``wavecoder codebook``: codebooks to and from QDA packages; the work is in pipeline.codebooks."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from flows.cli_errors import one_line_errors

console = Console(soft_wrap=True)  # paths and id lists stay on their lines
codebook_app = typer.Typer(add_completion=False, no_args_is_help=True,
                           help="Codebooks from and to QDA packages (REFI-QDA .qdc/.qdpx, "
                           "Taguette) and from gold files.")

_ID_HELP = "The new codebook's id (default: from the file name)."
_OUT_HELP = "The codebook YAML to write."


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


@codebook_app.command("import")
@one_line_errors
def import_command(
    file: Path = typer.Argument(..., help="A REFI-QDA codebook (.qdc), project (.qdpx) or "
                                "Taguette codebook (.csv)."),
    output: Path = typer.Option(..., "-o", "--output", help=_OUT_HELP),
    codebook_id: Optional[str] = typer.Option(None, "--id", help=_ID_HELP),
) -> None:
    """Read a QDA package's codebook into a codebook YAML; lists codes that need patterns."""
    from pipeline.codebooks import import_codebook, write_codebook_yaml

    draft = import_codebook(file, codebook_id)
    _report(draft, write_codebook_yaml(draft, output, "import"))


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


@codebook_app.command("from-gold")
@one_line_errors
def from_gold_command(
    file: Path = typer.Argument(..., help="A gold file (.csv/.xlsx): 0/1 code columns, or a "
                                "code_id, code or tag column."),
    output: Path = typer.Option(..., "-o", "--output", help=_OUT_HELP),
    codebook_id: Optional[str] = typer.Option(None, "--id", help=_ID_HELP),
) -> None:
    """Draft a codebook from the codes of a gold file; definitions are left to write."""
    from pipeline.codebooks import draft_from_gold, write_codebook_yaml

    draft = draft_from_gold(file, codebook_id)
    _report(draft, write_codebook_yaml(draft, output, "from-gold"))
