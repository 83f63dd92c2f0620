"""The ``wavecoder`` command line: runs the flows; all work happens in :mod:`pipeline`."""

from __future__ import annotations

import atexit
import gc
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markdown import Markdown

from flows.cli_errors import one_line_errors
from flows.setup import offline_environment, spacy_without_torch, stops_never_swallowed
from pipeline.config import DEFAULT_CODEBOOK
from pipeline.memory import large_blocks_apart
from pipeline.topic_sample import SAMPLE_ABOVE, SAMPLE_SIZE
from pipeline.topic_words import MERGE_DISTANCE, MIN_WORD_SHARE

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Code survey waves and interview transcripts against a codebook.")
console = Console()


@app.callback()
def _setup() -> None:
    """Before any command: offline, Prefect's API given time, spaCy without PyTorch, stops kept.

    PyTorch is then imported only by the commands that embed or fine-tune; large arrays go
    back to the system as soon as they are freed (:func:`pipeline.memory.large_blocks_apart`).
    """
    offline_environment()
    spacy_without_torch()
    large_blocks_apart()
    stops_never_swallowed()
    # Registered first, so run last at exit: the interpreter's final garbage collections walked
    # every object a run had loaded (spaCy, pandas, torch), 1.5 s of a sample wave's 13 s.
    # Frozen objects are still freed as their modules are cleared, outputs are closed by then.
    atexit.register(gc.freeze)


@app.command()
@one_line_errors
def run(
    folder: Path = typer.Argument(..., help="The wave folder, e.g. corpora/sector-survey-2013."),
    wave: Optional[str] = typer.Option(None, "--wave", help="Wave id (default: wave.yaml's "
                                       "id, else the folder name)."),
    codebook: Path = typer.Option(DEFAULT_CODEBOOK, "--codebook", help="Codebook YAML.",
                                  show_default="models/codebooks/recovery-capital.yaml"),
    out: Path = typer.Option(Path("outputs"), "--out", help="Output root folder."),
    coder: str = typer.Option("auto", "--coder", help="rules, semantic, rules+semantic, "
                              "a trained model's name or folder, or auto: the best coder "
                              "measured on real gold for the codebook."),
    topics: bool = typer.Option(True, "--topics/--no-topics", help="Run BERTopic discovery."),
    embedding: str = typer.Option("minilm", "--embedding",
                                  help="Embedding for topics: minilm, static (fast, for "
                                  "large waves) or tfidf."),
    min_topic_size: int = typer.Option(10, "--min-topic-size", min=2),
    project: Optional[str] = typer.Option(None, "--project", help="Project whose kept topic "
                                          "model keeps topic ids across waves (default: "
                                          "wave.yaml's project, else the id without its year)."),
    topic_models: Optional[Path] = typer.Option(None, "--topic-models", help="Folder of kept "
                                                "topic models (default: OUT/topic-models)."),
    refit_topics: bool = typer.Option(False, "--refit-topics", help="Refit the project's topic "
                                      "model on every wave so far; writes an old → new id "
                                      "mapping beside it."),
    candidates: Optional[Path] = typer.Option(None, "--candidates", help="Where candidate "
                                              "codes are written (default: <codebook>."
                                              "candidates.yaml beside the codebook)."),
    small_wave_segments: int = typer.Option(5000, "--small-wave-segments", min=0,
                                            help="Pool a wave with fewer topic segments with "
                                            "its project's earlier waves."),
    topic_sample_above: int = typer.Option(
        SAMPLE_ABOVE, "--topic-sample-above", min=0, help="Above this many distinct topic "
        f"segments, static and tfidf topics are fitted on a seeded sample of {SAMPLE_SIZE:,} and "
        "the rest assigned."),
    topic_word_share: float = typer.Option(
        MIN_WORD_SHARE, "--topic-word-share", min=0.0, max=1.0, help="A static or tfidf "
        "topic's words are used by at least this share of its segments."),
    topic_merge_distance: float = typer.Option(
        MERGE_DISTANCE, "--topic-merge-distance", min=0.0, max=2.0, help="Merge static or "
        "tfidf topics whose segments use words this alike (cosine distance; 0: never merge)."),
    agreement: Optional[Path] = typer.Option(
        None, "--agreement", help="Evaluation JSON of the rule coder whose per-code kappa "
        "gates codings (default: <codebook>.agreement/evaluation.json if present)."),
    min_kappa: float = typer.Option(0.6, "--min-kappa", help="Codes measured below this "
                                    "kappa are marked needs_review."),
    code_interviewer: bool = typer.Option(False, "--code-interviewer", help="Code the "
                                          "interviewer's segments of transcripts too."),
    redact: bool = typer.Option(False, "--redact", help="Pseudonymise names, emails, phones, "
                                "postcodes, NHS numbers and addresses before anything is "
                                "written (see README, Safety and privacy)."),
    dask: Optional[str] = typer.Option(
        None, "--dask", help="Segment and code the wave's chunks on this Dask scheduler, "
        "e.g. tcp://scheduler:8786 (see README)."),
    chunk_size: int = typer.Option(
        2000, "--chunk-size", min=1, help="Documents per segment-and-code task (the unit of "
        "work a process or Dask worker takes; the same outputs)."),
    processes: int = typer.Option(
        0, "--processes", min=0, help="Local processes that segment and code the wave's "
        "chunks at once (the same outputs); 0: one per core for a large wave (see README)."),
    force: bool = typer.Option(
        False, "--force", help="Run every stage again, even when nothing the outputs depend "
        "on changed since the last run."),
) -> None:
    """Run the Prefect flow ``code_wave`` for one wave folder."""
    from pipeline.parameters import WaveRun, preflight
    from pipeline.stage_cache import unchanged_outputs

    wave_run = WaveRun.checked(
        wave_folder=str(folder), wave_id=wave, codebook=str(codebook), out=str(out),
        coder=coder, topics=topics, embedding=embedding, min_topic_size=min_topic_size,
        project=project, topic_models=str(topic_models) if topic_models else None,
        refit_topics=refit_topics, small_wave_segments=small_wave_segments,
        topic_sample_above=topic_sample_above, topic_word_share=topic_word_share,
        topic_merge_distance=topic_merge_distance,
        candidates_file=str(candidates) if candidates else None,
        agreement=str(agreement) if agreement else None, min_kappa=min_kappa,
        code_interviewer=code_interviewer, redact=redact, dask=dask,
        chunk_size=chunk_size, processes=processes, reuse=not force)
    kept = None if force else unchanged_outputs(wave_run)  # before Prefect or spaCy load
    if kept is not None:
        console.print(f"unchanged: outputs kept in {kept}/ (the same inputs, codebook, coder, "
                      "options and package versions as its last run; --force runs it again)")
        return
    from flows.local_api import launch_local_api, use_local_api

    local_api = launch_local_api()  # starts beside the checks and imports below
    preflight(wave_run)  # a bad folder or config fails here, before the flow starts
    from flows.code_wave import code_wave

    use_local_api(local_api)  # a killed run leaves no Prefect server behind

    record = code_wave(run=wave_run)
    from pipeline.review.apply import complete_review

    if complete_review(Path(record["output_dir"])) is not None:  # an import ran meanwhile
        console.print("Review decisions imported while this run was coding the wave are now "
                      "in its outputs too.")
    console.print(Markdown(record["summary_markdown"]))
    console.print(f"[bold green]Outputs:[/bold green] {record['output_dir']}/ and "
                  f"{out / 'wavecoder.duckdb'}")


@app.command()
@one_line_errors
def wipe(
    outputs: Path = typer.Argument(..., help="The wave's outputs folder, e.g. "
                                   "outputs/sector-survey-2013."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask before deleting."),
) -> None:
    """Delete a wave: its outputs, its redaction key and its rows in the database."""
    from pipeline.export.wipe import wipe_wave

    if not yes:
        typer.confirm(f"Delete everything of wave {outputs.name!r} under {outputs.parent}?",
                      abort=True)
    wiped = wipe_wave(outputs)
    for folder in wiped.folders:
        console.print(f"deleted {folder}/")
    rows = ", ".join(f"{table} {count}" for table, count in sorted(wiped.rows.items()))
    console.print(f"deleted rows of {outputs.name}: {rows or 'none'}")


@app.command()
@one_line_errors
def serve(name: str = typer.Option("code-wave-local", help="Deployment name.")) -> None:
    """Serve ``code_wave`` as an always-on local runner (needs a Prefect API, see README)."""
    from flows.local_api import launch_local_api, use_local_api

    local_api = launch_local_api()
    from flows.code_wave import code_wave

    use_local_api(local_api)
    code_wave.serve(name=name)


from flows.cli_agreement import agreement_command  # noqa: E402
from flows.cli_codebook import codebook_app  # noqa: E402
from flows.cli_project import run_project_command  # noqa: E402
from flows.cli_qdpx import export_qdpx_command  # noqa: E402
from flows.cli_quality import evaluate_command, train_command  # noqa: E402
from flows.cli_report import report_command  # noqa: E402
from flows.cli_review import (  # noqa: E402
    export_review_command,
    import_review_command,
    retrain_command,
    review_gold_command,
)
from flows.cli_signoff import sign_off_command  # noqa: E402

# Every command reports errors the same way: one line naming the file, exit status 2.
for _name, _command, _help in (
    ("evaluate", evaluate_command, None),
    ("train", train_command, None),
    ("agreement", agreement_command, None),
    ("report", report_command, None),
    ("run-project", run_project_command, None),
    ("export-qdpx", export_qdpx_command, "Export a coded wave as a REFI-QDA project (.qdpx)."),
    ("export-review", export_review_command, "Write the review workbook (.xlsx) of a coded wave."),
    ("import-review", import_review_command, "Import review decisions from a .qdpx or review "
     ".xlsx."),
    ("review-gold", review_gold_command, "Write a reviewed wave's decisions as gold data."),
    ("retrain", retrain_command, "Fold a wave's reviewed decisions into the gold and train a "
     "coder on it."),
    ("sign-off", sign_off_command, "Sign off (approve or --reject) a wave's codes: only "
     "signed-off waves are published."),
):
    app.command(_name, help=_help)(one_line_errors(_command))
app.add_typer(codebook_app, name="codebook")


if __name__ == "__main__":
    app()
