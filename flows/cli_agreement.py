"""``wavecoder agreement``: argument parsing and printing only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

import typer
from rich.console import Console
from rich.table import Table

from pipeline.errors import ConfigError

console = Console()


def _names(paths: list[Path]) -> tuple[str, str]:
    """Each file's name, or its path when both files have the same name."""
    a, b = paths
    return (a.name, b.name) if a.name != b.name else (str(a), str(b))


def _cell(value) -> str:
    return "" if value is None or value != value else f"{value:.2f}"  # NaN: blank


def agreement_command(
    gold: List[Path] = typer.Option(..., "--gold", help="A coder's file (.csv/.xlsx, wide or "
                                    "long); give exactly two, one per coder."),
    codebook: Path = typer.Option(..., "--codebook", help="Codebook YAML both coded with."),
    model: List[Path] = typer.Option([], "--model", help="A saved model folder to put beside "
                                     "the coders on the same items; repeatable."),
    coder: List[str] = typer.Option([], "--coder", help="A coder kind to put beside them "
                                    "(rules; a trainable kind is cross-validated on the first "
                                    "file's codes); repeatable."),
    folds: int = typer.Option(5, "--folds", min=2, help="Folds for a trainable --coder."),
    seed: int = typer.Option(42, "--seed"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object, nothing else."),
) -> None:
    """Per-code kappa, alpha and F1 between two coders' files (child codes count for parents)."""
    from pipeline.config import load_codebook
    from pipeline.quality.coder_agreement import (
        agreement,
        agreement_json,
        machine_decisions,
        match,
    )
    from pipeline.quality.gold import load_gold

    if len(gold) != 2:
        raise ConfigError(f"agreement compares two coders' files: give --gold twice "
                          f"(given {len(gold)})")
    book = load_codebook(codebook)
    names = _names(list(gold))
    matched = match(load_gold(gold[0], book), load_gold(gold[1], book), book, names)
    machines = machine_decisions(matched, book, models=list(model), coders=list(coder),
                                 n_folds=folds, seed=seed)
    pairs = agreement(matched, machines, book)
    if as_json:
        print(json.dumps(agreement_json(matched, pairs), default=str))
        return
    short = {names[0]: "A", names[1]: "B", **{m: f"M{k}" for k, m in enumerate(machines, 1)}}
    table = Table(title=f"Agreement on {len(matched.gold.ids)} items both files hold")
    table.add_column("code", overflow="fold")  # whole, over lines if it must: never "hous…"
    table.add_column("n A", justify="right")
    table.add_column("n B", justify="right")
    for pair in pairs:
        table.add_column(f"κ {short[pair.raters[0]]}–{short[pair.raters[1]]}", justify="right")
    table.add_column("α A–B", justify="right")
    table.add_column("F1 A–B", justify="right")
    humans = pairs[0].per_code
    for j, row in humans.iterrows():
        cells = [row["code_id"], str(row[f"n[{names[0]}]"]), str(row[f"n[{names[1]}]"])]
        cells += [_cell(pair.per_code.loc[j, "kappa"]) for pair in pairs]
        table.add_row(*cells, _cell(row["alpha"]), _cell(row["f1"]))
    console.print(table)
    console.print("; ".join(f"{letter} = {name}" for name, letter in short.items()))
    for pair in pairs:
        s = pair.summary
        console.print(f"[bold]{pair.raters[0]} vs {pair.raters[1]}[/bold]: mean κ "
                      f"{_cell(s['mean_kappa'])}, mean α {_cell(s['mean_alpha'])}, mean F1 "
                      f"{_cell(s['mean_f1'])} ({s['n_codes']} codes)")
    only = ", ".join(f"{n} only in {name}" for name, n in matched.only.items())
    console.print(f"Items compared: {len(matched.gold.ids)}; left out: {only}.")
