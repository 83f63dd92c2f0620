"""``wavecoder export-review``, ``import-review``, ``review-gold``, ``retrain``: the review loop."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from flows.cli_quality import JOBS_HELP
from flows.cli_sample import MAX_SAMPLE, sample_report, score_text, write_sample
from pipeline.errors import InputError, MissingInputError

console = Console()
errors = Console(stderr=True)  # waiting for another import is said on stderr
SHOWN_PROBLEMS = 25


def _codebook(wave, codebook: Optional[Path]):
    """The codebook given, else the copy the run left in the wave's folder."""
    from pipeline.config import load_codebook

    return load_codebook(codebook) if codebook else wave.require_codebook()


def _outputs_of(file: Path, outputs_dir: Optional[Path]) -> Path:
    """The outputs folder a review file belongs to.

    As given; else the file's own folder if it is a wave's; else, for the wave named inside
    the file, ``<the file's folder>/<wave>`` (a workbook saved among the waves' folders) or
    ``outputs/<wave>``. The name comes from someone else's file, so only a plain folder name
    is followed: never a path that leads elsewhere.
    """
    from pipeline.outputs import RUN_FILE
    from pipeline.review.apply import wave_of_review_file

    if outputs_dir is not None:
        return outputs_dir
    if (file.parent / RUN_FILE).exists():
        return file.parent
    wave = wave_of_review_file(file) if file.is_file() else None
    if wave and wave not in {".", ".."} and Path(wave).name == wave and "\\" not in wave:
        for root in (file.parent, Path("outputs")):
            if (root / wave / RUN_FILE).exists():
                return root / wave
    raise MissingInputError(f"{file}: no wave's outputs folder found for it (not beside it, "
                            "nor <its folder>/<the wave it names> or outputs/<the wave it "
                            "names>); say which with --outputs outputs/<wave>")


def export_review_command(
    outputs_dir: Path = typer.Argument(..., help="A wave's outputs folder."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="The .xlsx to write "
                                          "(default: <outputs folder>/<wave>-review.xlsx)."),
    codebook: Optional[Path] = typer.Option(None, "--codebook", help="Codebook YAML "
                                            "(default: the run's copy in the outputs folder)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing workbook."),
    order: str = typer.Option("standard", "--order", help="standard: the wave's review queue; "
                              "active: for the coder to learn fastest, codings a trained "
                              "model (--model) and the rules disagree on first, then those "
                              "the model is least sure of, across the wave's topics."),
    model: Optional[Path] = typer.Option(None, "--model", help="A trained linear or "
                                         "hybrid model folder (e.g. from wavecoder retrain), "
                                         "for --order active (default: the one that coded "
                                         "the wave)."),
    sample: Optional[int] = typer.Option(None, "--sample", min=1, max=MAX_SAMPLE,
                                         help="Instead of every "
                                         "coding: this many passages drawn at random, coded "
                                         "or not, to read whole (write none where no code "
                                         "applies); importing it measures the machine on "
                                         "them."),
    seed: int = typer.Option(0, "--seed", help="The --sample draw's seed."),
) -> None:
    """Write the review workbook: one row per coding, queued ones first, with drop-downs."""
    from pipeline.errors import MissingInputError
    from pipeline.outputs import read_wave
    from pipeline.review.workbook import write_workbook

    wave = read_wave(outputs_dir)
    book = _codebook(wave, codebook)
    path = output or outputs_dir / f"{wave.wave}-review.xlsx"
    if path.exists() and not force:
        raise InputError(f"{path} exists and may hold a reviewer's decisions; import it "
                         "first, or pass --force to overwrite it")
    if order not in ("standard", "active"):
        raise InputError(f"--order {order}: not standard or active")
    if sample is not None:
        if order != "standard":
            raise InputError("--sample draws passages at random: it takes no --order")
        write_sample(path, wave, book, sample, seed)
        return
    if order == "active":
        queue = _active_queue(wave, book, model, outputs_dir)
    else:
        queue = wave.review_queue  # as the run or the last import published it
    if queue is None:
        raise MissingInputError(f"{outputs_dir / 'review' / 'review_queue.csv'}: no such "
                                "file; run the wave again")
    write_workbook(path, wave.wave, wave.codings, wave.segments, wave.documents, queue, book)
    console.print(f"[bold green]Wrote[/bold green] {path}: {len(wave.codings)} codings, "
                  f"{len(queue)} queued first; fill decision (accept, reject, recode, add), "
                  "then run wavecoder import-review on it")


def _active_queue(wave, book, model: Optional[Path], outputs_dir: Path):
    """The review queue ordered for learning, by ``model`` and the rules."""
    from pipeline import schema as s
    from pipeline.review.active_queue import coder_signals, wave_model
    from pipeline.review.agreement import codes_to_revise
    from pipeline.review.queue import review_queue

    model = model or wave_model(wave.run)
    if model is None:
        raise InputError(f"{outputs_dir}: --order active needs --model, a trained linear or "
                         "hybrid model of this codebook (the wave was not coded by one; "
                         "wavecoder retrain makes one from the review)")
    signals = coder_signals(wave.codings, wave.segments, book, model)
    agreement = wave.review_agreement
    poor = (codes_to_revise(agreement) if agreement is not None
            and s.BELOW_THRESHOLD in agreement.columns else [])
    queue = review_queue(wave.codings, wave.segments, active=signals, poor_agreement=poor)
    split = int((queue[s.QUEUE_REASON] == s.QUEUE_CODERS_DISAGREE).sum())
    console.print(f"Ordered for learning by {signals.model}: {split} codings it and the rules "
                  "disagree on, then the least certain, across the wave's topics")
    return queue


def import_review_command(
    file: Path = typer.Argument(..., help="A recoded .qdpx or a filled review .xlsx."),
    outputs_dir: Optional[Path] = typer.Option(None, "--outputs", help="The wave's outputs "
                                               "folder (default: the file's folder when it "
                                               "is one, else outputs/<the wave the file "
                                               "names>)."),
    codebook: Optional[Path] = typer.Option(None, "--codebook", help="Codebook YAML "
                                            "(default: the run's copy in the outputs folder)."),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", help="Reviewer of workbook "
                                           "rows whose reviewer cell is blank, and of .qdpx "
                                           "decisions no human user of the project signed."),
    min_kappa: float = typer.Option(0.6, "--min-kappa", help="Codes agreeing less than this "
                                    "are listed for codebook revision."),
    wait: Optional[float] = typer.Option(None, "--wait", min=0, help="Seconds to wait while "
                                         "another import or run of the wave works on it "
                                         "(default: $WAVECODER_LOCK_WAIT, else 600)."),
    accept_untouched: bool = typer.Option(False, "--accept-untouched", help="Accept the "
                                          "machine codings a .qdpx leaves exactly as exported "
                                          "(by default they stay not reviewed)."),
) -> None:
    """Bring a researcher's decisions back: log them, update statuses, measure agreement."""
    from pipeline.config import load_codebook
    from pipeline.review.apply import import_review

    outputs_dir = _outputs_of(file, outputs_dir)
    done = import_review(file, outputs_dir, load_codebook(codebook) if codebook else None,
                         reviewer=reviewer, threshold=min_kappa, codebook_file=codebook,
                         accept_untouched=accept_untouched,
                         wait=wait, on_wait=lambda message: errors.print(
                             message, markup=False, highlight=False, soft_wrap=True))
    read, appended, refreshed = done.read, done.appended, done.refreshed
    counts = read.decisions["decision"].value_counts().to_dict()
    console.print(f"{file.name}: {len(read.decisions)} decisions "
                  f"({', '.join(f'{v} {k}' for k, v in sorted(counts.items())) or 'none'}); "
                  f"{appended.added} new in the review log, {appended.already_logged} "
                  f"already there; the log holds {appended.log_size}")
    for note in read.notes:
        console.print(note)
    problems = read.problems + refreshed.problems
    for problem in problems[:SHOWN_PROBLEMS]:
        console.print(f"[yellow]problem:[/yellow] {problem}")
    if len(problems) > SHOWN_PROBLEMS:
        console.print(f"... and {len(problems) - SHOWN_PROBLEMS} more problems")
    console.print("codings by status: " + ", ".join(f"{k} {v}" for k, v in
                                                    refreshed.statuses.items()))
    _agreement_table(refreshed.agreement)
    if refreshed.to_revise:
        console.print(f"[yellow]codes below {min_kappa} agreement, for codebook revision:"
                      f"[/yellow] {', '.join(refreshed.to_revise)}")
    sampled = (outputs_dir / "review" / "sample_agreement.csv").is_file()
    console.print(f"[bold green]Updated[/bold green] {outputs_dir}/ (codings, coded_wide, "
                  f"theme_summary) and {outputs_dir / 'review'}/ (agreement.csv, "
                  "review_queue.csv, review_log.csv"
                  + (", sample_agreement.csv)" if sampled else ")"))
    sample = read.sample
    if sample is None and not appended.added and file.suffix.lower() == ".xlsx":
        from pipeline.review.workbook import sample_of

        sample = sample_of(file)  # imported before: its sample is still worth seeing
    if sample is not None:
        sample_report(outputs_dir, sample)
    if read.problems:  # exit 2, so a script can tell that part of the file was not used
        raise InputError(f"{file}: {len(read.problems)} rows or passages could not be used "
                         f"(listed above); the other {len(read.decisions)} decisions were "
                         "applied")


def _agreement_table(agreement) -> None:
    """Print one table per comparison (machine vs a reviewer, reviewers vs each other).

    The comparison goes in the title, so the code ids keep their width in an 80-column log.
    """
    if agreement.empty:
        return
    decided = agreement[(agreement[["accepted", "rejected", "added"]].sum(axis=1) > 0)
                        | (agreement["comparison"] != "machine-vs-reviewer")]
    for (comparison, raters), rows in decided.groupby(["comparison", "raters"], sort=False):
        table = Table(title=f"Agreement (codes with decisions): {comparison}, {raters}",
                      caption="codings accepted, rejected and added; agree: percent agreement; "
                              "κ: Cohen's kappa; α: Krippendorff's alpha")
        table.add_column("code_id", overflow="fold")  # folded, never cut short: "labe…"
        for column in ("items", "acc.", "rej.", "add.", "agree", "κ", "α"):
            table.add_column(column, justify="right", no_wrap=True)
        for row in rows.itertuples(index=False):
            table.add_row(*[score_text(v) if isinstance(v, float) else str(v) for v in (
                row.code_id, row.items, row.accepted, row.rejected, row.added,
                row.percent_agreement, row.kappa, row.alpha)])
        console.print(table)


SHIFT_ROWS = 12  # the codes that moved most; the model folder's wave_shift.csv has them all


def shift_table(shift) -> Table:
    """The codes whose share of the sampled segments moved most, before and after (a table)."""
    from pipeline import schema as s

    moved = shift.assign(change=(shift[s.AFTER_SHARE] - shift[s.BEFORE_SHARE]).abs())
    moved = moved[moved["change"] > 0].sort_values("change", ascending=False, kind="stable")
    moved = moved.head(SHIFT_ROWS)
    sampled = int(shift[s.SAMPLED].iloc[0]) if len(shift) else 0
    table = Table(title=f"The new model beside the wave's codes, on {sampled:,} of its segments",
                  caption="share of the sampled segments given each code; ! doubled or halved "
                          "(all codes: wave_shift.csv in the model folder)")
    table.add_column("code_id", overflow="fold")
    for column in ("wave", "new", ""):
        table.add_column(column, justify="right", no_wrap=True)
    for row in moved.itertuples(index=False):
        table.add_row(row.code_id, f"{row.before_share:.1%}", f"{row.after_share:.1%}",
                      "!" if row.shifted else "")
    return table


def review_gold_command(
    outputs_dir: Path = typer.Argument(..., help="A reviewed wave's outputs folder."),
    output: Path = typer.Option(..., "-o", "--output", help="The gold .csv to write."),
) -> None:
    """Write the reviewed segments as a long gold file for ``wavecoder train``/``evaluate``."""
    from pipeline.outputs import database_of, read_wave
    from pipeline.review.gold_export import reviewed_gold
    from pipeline.review.log import read_log

    wave = read_wave(outputs_dir)
    gold = reviewed_gold(wave.codings, wave.segments,
                         read_log(database_of(outputs_dir), wave.wave))
    output.parent.mkdir(parents=True, exist_ok=True)
    gold.rows.to_csv(output, index=False)
    console.print(f"[bold green]Wrote[/bold green] {output}: {gold.segments} reviewed segments, "
                  f"{int((gold.rows['code_id'] != '').sum())} codes; {gold.partly_decided} "
                  "partly decided segments left out")


def retrain_command(
    outputs_dir: Path = typer.Argument(..., help="A reviewed wave's outputs folder."),
    gold: Optional[Path] = typer.Option(None, "--gold", help="A gold file to fold the "
                                        "decisions into (a text in both: the reviewers')."),
    codebook: Optional[Path] = typer.Option(None, "--codebook", help="Codebook YAML: the one "
                                            "the wave was coded with (default: its copy)."),
    coder: str = typer.Option("linear", "--coder", help="linear, hybrid, textcat or baseline "
                             "(linear-static, hybrid-static: faster)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Model folder (default: "
                                       "<outputs root>/models/<wave>-<coder>/, beside the "
                                       "outputs: it holds the merged gold's texts)."),
    gold_out: Optional[Path] = typer.Option(None, "--gold-out", help="Where the merged gold "
                                            ".csv goes (default: <model folder>/gold.csv); "
                                            "its provenance sidecar is written beside it."),
    provenance: Optional[Path] = typer.Option(None, "--provenance", help="A provenance YAML "
                                              "saying whether the wave's texts are real or "
                                              "generated (texts: real|generated); default: as "
                                              "the --gold file's sidecar says of its own."),
    folds: int = typer.Option(5, "--folds", min=2),
    min_support: int = typer.Option(10, "--min-support", help="Score codes with at least "
                                    "this many gold examples in the card."),
    seed: int = typer.Option(42, "--seed"),
    jobs: int = typer.Option(1, "--jobs", min=1, help=JOBS_HELP),
    model_gold_too: bool = typer.Option(True, "--model-gold/--no-model-gold", help="Without "
                                        "--gold: fold the decisions into the gold of the "
                                        "trained model that coded the wave, when its folder "
                                        "holds it unchanged (--no-model-gold: this wave's "
                                        "decisions alone)."),
) -> None:
    """Fold a wave's reviewed decisions into the gold and train a coder on it."""
    from pipeline import schema as s
    from pipeline.outputs import read_wave
    from pipeline.quality.coverage import coverage_warning
    from pipeline.review.model_shift import shift_warning
    from pipeline.review.retrain import model_gold, retrain

    wave = read_wave(outputs_dir)
    prior = model_gold(wave) if gold is None else None
    if prior is not None and prior.file is not None and model_gold_too:
        gold = prior.file
        console.print(f"Folding the decisions into the gold of model '{prior.model}', which "
                      f"coded {wave.wave}: {gold} ({prior.texts} texts; --no-model-gold to "
                      "learn from this wave's decisions alone)")
    elif prior is not None and model_gold_too:
        console.print(f"[yellow]note:[/yellow] {wave.wave} was coded by model '{prior.model}', "
                      f"trained on {prior.texts} texts; its gold is not used ({prior.why_not}): "
                      "the new model learns from this wave's decisions alone unless --gold "
                      "names that file")
    folder = out or outputs_dir.parent / "models" / f"{wave.wave}-{coder}"
    book = _codebook(wave, codebook)  # the wave's copy unless one is given
    done = retrain(wave, kind=coder, out=folder, codebook=book if codebook else None,
                   codebook_file=codebook, gold_file=gold, provenance_file=provenance,
                   gold_out=gold_out, n_folds=folds, seed=seed, min_support=min_support,
                   jobs=jobs, progress=lambda msg: console.log(msg))
    merged, origin = done.merged, done.provenance
    replaced = f", {merged.replaced} of its texts replaced by reviewed ones" if gold else ""
    console.print(f"Gold: {merged.reviewed} texts from the reviewed decisions of "
                  f"{wave.wave}" + (f", {merged.from_gold} from {gold.name}{replaced}"
                                     if gold else "")
                  + f"; {merged.partly_decided} partly decided segments left out")
    for note in merged.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    console.print(f"[bold green]Wrote[/bold green] {done.gold_file} (texts: {origin.texts}, "
                  f"coding: {origin.coding})")
    cv = done.card.cross_validation
    console.print(f"Trained [bold]{done.card.coder}[/bold] in {done.card.train_seconds} s; "
                  f"{cv.folds}-fold CV macro-F1 {cv.macro_f1}, micro-F1 {cv.micro_f1} (on "
                  "the gold's own texts, the passages reviewed: not the wave's accuracy, which "
                  "a random sample read whole measures: wavecoder export-review --sample)")
    if warning := coverage_warning(done.card, book):
        console.print(f"[yellow]warning:[/yellow] {warning}")
    if (done.shift[s.BEFORE_SHARE] != done.shift[s.AFTER_SHARE]).any():
        console.print(shift_table(done.shift))
    else:
        console.print(f"The new model gives each code as often as the wave's codes, on "
                      f"{int(done.shift[s.SAMPLED].max()) if len(done.shift) else 0:,} of its "
                      "segments")
    if warning := shift_warning(done.shift):
        console.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(f"Model and card: {folder}/ (use it with: wavecoder run WAVE --coder "
                  f"{folder})")
