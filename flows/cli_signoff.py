"""``wavecoder sign-off``: a named person approves or rejects a wave's codes from the shell.

The same decision the paused flow's form records (:mod:`flows.signoff`), for a run that was
not paused: it signs off the latest run of the wave as it is on disk. The work is in
:mod:`pipeline.review.signoff`.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

console = Console()


def sign_off_command(
    outputs_dir: Path = typer.Argument(..., help="A wave's output folder, e.g. "
                                       "outputs/sector-survey-2014."),
    reviewer: str = typer.Option(..., "--reviewer", help="The name of the person signing "
                                 "off (shown on the report)."),
    reject: bool = typer.Option(False, "--reject", help="Reject: the codes stay a draft and "
                                "out of the published_* views."),
    note: str = typer.Option("", "--note", help="Why, or what to change."),
) -> None:
    """Sign off (approve or --reject) the latest run of a wave: its codes become final."""
    from pipeline.outputs import database_of
    from pipeline.review.signoff import sign_off

    signed = sign_off(outputs_dir, reviewer, "reject" if reject else "approve", note)
    wave = escape(outputs_dir.name)
    if signed.decision == "approve":
        console.print(f"[bold green]Final:[/bold green] {wave} signed off by "
                      f"{escape(signed.reviewer)} at {signed.signed_at}; published in "
                      f"{database_of(outputs_dir)} (published_* views)")
    else:
        console.print(f"[bold yellow]Rejected:[/bold yellow] {wave} by "
                      f"{escape(signed.reviewer)} at {signed.signed_at}; it stays a draft")
    console.print(f"run {signed.run_id}, codings sha256 {signed.codings_sha256[:12]}; a new "
                  "run or a review import that changes the codings needs a new sign-off")


if __name__ == "__main__":
    typer.run(sign_off_command)
