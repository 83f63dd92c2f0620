"""``export-review --sample`` and the import of a sample: passages drawn at random, read whole.

Helpers of :mod:`flows.cli_review`: the workbook of a sample written, and the machine's
precision and recall on the wave's samples printed after an import.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.errors import InputError

console = Console()
# passages a sample workbook may hold: more than anyone reads, and with their codings well
# inside a sheet's 1,048,576 rows
MAX_SAMPLE = 100_000


def write_sample(path: Path, wave, book, size: int, seed: int) -> None:
    """Write a workbook of ``size`` passages drawn at random from the wave's coded ones."""
    from pipeline import schema as s
    from pipeline.review.sample import draw_sample
    from pipeline.review.workbook import write_workbook

    interviewer = bool((wave.run.parameters if wave.run else {}).get("code_interviewer"))
    drawn = draw_sample(wave.segments, size, seed=seed, code_interviewer=interviewer)
    if not drawn:
        raise InputError(f"{wave.directory}: no passage to draw: every segment is the "
                         "interviewer's or a filler, which the coder does not read")
    write_workbook(path, wave.wave, wave.codings, wave.segments, wave.documents, None, book,
                   sample=drawn)
    coded = set(wave.codings.loc[wave.codings[s.METHOD] != "human", s.SEGMENT_ID])
    uncoded = sum(segment_id not in coded for segment_id in drawn)
    console.print(f"[bold green]Wrote[/bold green] {path}: {len(drawn)} passages drawn at "
                  f"random (seed {seed}), {uncoded} of them without a machine code; read each "
                  "whole: accept or reject every coding, add what is missing, write none "
                  "where no code applies; then run wavecoder import-review on it")


def sample_report(outputs_dir: Path, drawn: list[str]) -> None:
    """Print the machine's precision and recall on the wave's random samples read whole.

    ``drawn``: the passages of the workbook just imported (those not read whole are counted).
    """
    from pipeline import schema as s
    from pipeline.outputs import database_of, read_wave
    from pipeline.review.log import read_log
    from pipeline.review.sample import read_whole, sample_agreement, sampled_passages

    wave = read_wave(outputs_dir)
    log = read_log(database_of(outputs_dir), wave.wave)
    sampled = sampled_passages(log)
    log = log[log[s.SEGMENT_ID].isin(set(sampled) | set(drawn))]
    scores = sample_agreement(wave.codings, log, sampled, wave.require_codebook())
    passages = int(scores[s.PASSAGES].iloc[0]) if len(scores) else 0
    table = Table(title=f"The machine on {passages} passages drawn at random and read whole",
                  caption="machine / reviewer: passages given the code; precision: of the "
                          "machine's, kept; recall: of the reviewer's, found; 95 %: F1's "
                          "bootstrap interval over the passages")
    table.add_column("code_id", overflow="fold")
    for column in ("machine", "reviewer", "both", "precision", "recall", "F1", "95 %", "κ"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in scores.itertuples(index=False):
        interval = ("" if row.f1_low != row.f1_low
                    else f"{row.f1_low:.2f}-{row.f1_high:.2f}")
        table.add_row(row.code_id, *map(str, (row.by_machine, row.by_reviewer, row.by_both)),
                      *[score_text(v) for v in (row.precision, row.recall, row.f1)], interval,
                      score_text(row.kappa))
    console.print(table)
    left = len(drawn) - len(read_whole(wave.codings, log, drawn)[0])
    console.print(f"In {outputs_dir / 'review' / 'sample_agreement.csv'}"
                  + (f"; {left} of this workbook's {len(drawn)} passages are not yet read "
                     "whole (a coding undecided, or an uncoded passage with neither none nor "
                     "add) and are not counted" if left else ""))


def score_text(value: float) -> str:
    """Three decimals, never 1.000 for 0.9996 (beside a rejection it would contradict it)."""
    from pipeline.report.numbers import exact_ends

    return "nan" if value != value else exact_ends(value, 3)
