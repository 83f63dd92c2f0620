"""``wavecoder evaluate`` and ``wavecoder train``: argument parsing and printing only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

console = Console()


PROVENANCE_HELP = ("The gold file's provenance YAML (texts: real|generated, coding: "
                   "human|machine|mixed, coders, coded); default: <gold>.provenance.yaml beside "
                   "it. Only real human-coded gold lets --coder auto choose a coder.")


GROUP_HELP = ("A gold column whose rows stay in one fold (e.g. document: a session's "
              "highlights are never trained and scored apart); the same text twice in one "
              "group is one item.")

NEIGHBOURS_HELP = ("The linear and hybrid coders' vote of each text's nearest training texts: "
                   "a weight from 0 (none) to 1, or auto (chosen on texts held out in "
                   "training, 0.3 unless they clearly prefer another for the fine-tuned "
                   "coders, none for the others); default: the coder's own (0.3 for "
                   "linear-finetuned and hybrid-finetuned, none for the others).")

JOBS_HELP = ("Folds trained at once, each in its own process, with the same scores: for "
             "coders whose folds take minutes (fine-tuning) about half the wall time on two "
             "cores; quick coders lose more to starting the processes. Memory per process.")


def _load(gold: Path, codebook: Path, provenance: Path | None = None):
    from pipeline.config import load_codebook
    from pipeline.quality.gold import load_gold

    book = load_codebook(codebook)
    return load_gold(gold, book, provenance), book


def _neighbours(value: str | None) -> float | str | None:
    """``--neighbours`` as the coders take it: None (the default), ``"auto"`` or a number."""
    if value is None or value == "auto":
        return value
    from pipeline.errors import ConfigError

    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"--neighbours: a weight from 0 to 1 or 'auto', not {value!r}"
                          ) from None


def _mapping_note(gold_set) -> None:
    from pipeline.quality.card import gold_origin

    console.print(gold_origin(gold_set.provenance).replace("**", ""), soft_wrap=True)
    if gold_set.unmapped:
        console.print(f"[yellow]0/1 columns matching no code:[/yellow] "
                      f"{', '.join(gold_set.unmapped)}")
    if gold_set.missing:
        console.print(f"codes without a gold column ({len(gold_set.missing)}): "
                      f"{', '.join(gold_set.missing)}")


def _split_note(summary: dict) -> str:
    """How a cross-validated coder was split: ", 5 folds by 'document' (17 groups)"."""
    if not summary.get("folds"):
        return ""
    if summary.get("grouped_by"):
        return (f", {summary['folds']} folds by '{summary['grouped_by']}' "
                f"({summary['n_groups']} groups)")
    return f", {summary['folds']} stratified folds"


def evaluate_command(
    gold: Path = typer.Option(..., "--gold", help="Human-coded file (.csv/.xlsx, wide or long)."),
    codebook: Path = typer.Option(..., "--codebook", help="Codebook YAML."),
    coder: List[str] = typer.Option([], "--coder", help="rules, semantic or "
                                    "rules+semantic (no training), or baseline, linear, "
                                    "linear-static, textcat, hybrid, hybrid-static or "
                                    "few-shot, cross-validated; repeat to "
                                    "compare side by side (default: rules, unless --model is "
                                    "given)."),
    model: List[Path] = typer.Option([], "--model", help="A saved model folder, scored on the "
                                     "gold file as it is (no retraining); repeatable, and may "
                                     "be given with --coder."),
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds."),
    jobs: int = typer.Option(1, "--jobs", min=1, help=JOBS_HELP),
    group: Optional[str] = typer.Option(None, "--group", help=GROUP_HELP),
    min_support: int = typer.Option(10, "--min-support", help="Score codes with at least "
                                    "this many gold examples."),
    seed: int = typer.Option(42, "--seed"),
    roll_up: Optional[bool] = typer.Option(None, "--roll-up/--no-roll-up", help="Count a "
                                           "child code for its parents (default: when the "
                                           "gold file uses parent codes)."),
    attribute: List[str] = typer.Option([], "--attribute", help="A gold column the trained "
                                        "coders may use as a feature (a rating, a service); "
                                        "repeat. Never a label column."),
    neighbours: Optional[str] = typer.Option(None, "--neighbours", help=NEIGHBOURS_HELP),
    provenance: Optional[Path] = typer.Option(None, "--provenance", help=PROVENANCE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object, nothing else."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write JSON, CSV and charts here."),
) -> None:
    """Measure coders against human coding: per-code P/R/F1/kappa, micro/macro F1, alpha."""
    from pipeline.quality.evaluate_report import evaluation_json, write_evaluations
    from pipeline.quality.groups import group_values, merge_repeats
    from pipeline.quality.measure import measure, measure_saved

    vote = _neighbours(neighbours)
    gold_set, book = _load(gold, codebook, provenance)
    if group is not None:  # before any training: a bad column fails at once
        gold_set = merge_repeats(gold_set, group)
        group_values(gold_set, group, folds)
    progress = None if as_json else (lambda msg: console.log(msg))
    if not as_json:
        _mapping_note(gold_set)
    saved = [measure_saved(gold_set, book, folder, roll_up=roll_up, min_support=min_support,
                           seed=seed) for folder in model]  # a bad folder fails before training
    names = list(coder) or ([] if model else ["rules"])
    measured = measure(gold_set, book, names, n_folds=folds, seed=seed,
                       min_support=min_support, roll_up=roll_up,
                       attributes=list(attribute), group=group, jobs=jobs,
                       neighbours=vote, progress=progress) + saved
    evaluations = [m.evaluation for m in measured]
    for m in measured:
        m.evaluation.summary["seconds"] = m.seconds["total"]
    if out:
        write_evaluations(evaluations, out)
    if as_json:
        print(json.dumps(evaluation_json(evaluations), default=str))
        return
    table = Table(title=f"Agreement with {gold.name} ({len(gold_set.texts)} texts)")
    # Folded, never cut short: in a log's 80 columns three coders' ids read "housin…".
    table.add_column("code", overflow="fold")
    table.add_column("support", justify="right", overflow="fold")
    for e in evaluations:
        table.add_column(f"F1 {e.coder}", justify="right", overflow="fold")
        table.add_column(f"κ {e.coder}", justify="right", overflow="fold")
    frames = [e.per_code.set_index("code_id") for e in evaluations]
    for code_id in frames[0].index:
        cells = [code_id, str(frames[0].loc[code_id, "support"])]
        for frame in frames:
            cells += [f"{frame.loc[code_id, 'f1']:.2f}", f"{frame.loc[code_id, 'kappa']:.2f}"]
        table.add_row(*cells)
    console.print(table)
    for e in evaluations:
        s = e.summary
        console.print(f"[bold]{e.coder}[/bold]: macro-F1 {s['macro_f1']:.3f} "
                      f"{s.get('macro_f1_ci')}, micro-F1 {s['micro_f1']:.3f} "
                      f"{s.get('micro_f1_ci')}, alpha {s['alpha']:.3f} {s.get('alpha_ci')} "
                      f"({s['n_codes']} codes, {s['seconds']} s{_split_note(s)})")
    if out:
        console.print(f"Written to {out}/")


def train_command(
    gold: Path = typer.Option(..., "--gold", help="Human-coded file (.csv/.xlsx)."),
    codebook: Path = typer.Option(..., "--codebook", help="Codebook YAML."),
    out: Path = typer.Option(..., "--out", help="Model folder, e.g. models/<name>/."),
    coder: str = typer.Option("linear", "--coder", help="linear, hybrid, textcat, baseline "
                             "or few-shot (a few labelled texts per code on top of the rules); "
                             "linear-static and hybrid-static train and code faster; "
                             "linear-finetuned and hybrid-finetuned fine-tune MiniLM first "
                             "(minutes), and measured best on the NHS split."),
    folds: int = typer.Option(5, "--folds", min=2),
    jobs: int = typer.Option(1, "--jobs", min=1, help=JOBS_HELP),
    group: Optional[str] = typer.Option(None, "--group", help=GROUP_HELP),
    min_support: int = typer.Option(10, "--min-support", help="Score codes with at least "
                                    "this many gold examples in the card."),
    seed: int = typer.Option(42, "--seed"),
    attribute: List[str] = typer.Option([], "--attribute", help="A gold column the trained "
                                        "coders may use as a feature (a rating, a service); "
                                        "repeat. Never a label column."),
    neighbours: Optional[str] = typer.Option(None, "--neighbours", help=NEIGHBOURS_HELP),
    provenance: Optional[Path] = typer.Option(None, "--provenance", help=PROVENANCE_HELP),
) -> None:
    """Train a coder on all of a gold file; write the model, its config and a model card."""
    import shlex

    from pipeline.quality.coverage import coverage_warning
    from pipeline.quality.train import train_model

    vote = _neighbours(neighbours)
    gold_set, book = _load(gold, codebook, provenance)
    _mapping_note(gold_set)
    command = shlex.join(
        ["wavecoder", "train", "--gold", str(gold), "--codebook", str(codebook), "--coder",
         coder, "--out", str(out), "--folds", str(folds), "--min-support", str(min_support),
         "--seed", str(seed), *(x for a in attribute for x in ("--attribute", a)),
         *(["--group", group] if group else []),
         *(["--neighbours", neighbours] if neighbours is not None else []),
         *(["--provenance", str(provenance)] if provenance else [])])
    card = train_model(coder, gold_set, book, out, n_folds=folds, seed=seed,
                       min_support=min_support, attributes=list(attribute), group=group,
                       jobs=jobs, command=command, neighbours=vote,
                       progress=lambda msg: console.log(msg))
    cv = card.cross_validation
    console.print(f"Trained [bold]{card.coder}[/bold] in {card.train_seconds} s; "
                  f"{cv.folds}-fold CV macro-F1 {cv.macro_f1}, micro-F1 {cv.micro_f1}")
    if warning := coverage_warning(card, book):
        console.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(f"Model and card: {out}/ (use it with: wavecoder run WAVE --coder {out})")
