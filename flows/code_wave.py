"""The ``code_wave`` flow: one survey wave from its folder to published, coded datasets.

Reads as the list of stages it runs; each stage is a function of :mod:`pipeline`. The flow takes
one typed parameter, :class:`pipeline.parameters.WaveRun`, whatever starts it (the command line,
a deployment, the Prefect UI's form), and every decision (which coder, which gate) is made in
:mod:`pipeline`, so the same wave gives the same codes however it is started.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.setup import offline_environment
from pipeline.coding.stream import segment_and_code
from pipeline.config import load_codebook
from pipeline.embeddings import make_embedder
from pipeline.errors import WavecoderError
from pipeline.export import (
    StageTimer,
    WaveTables,
    publish_wave,
    run_record,
    run_summary_markdown,
    standing,
)
from pipeline.ingest import ingest_wave
from pipeline.outputs import database_of
from pipeline.parameters import WaveRun
from pipeline.quality.choose import resolve_coder
from pipeline.redact.wave import redact_wave
from pipeline.review.apply import review_wave
from pipeline.review.log import read_log
from pipeline.stance import wave_stances
from pipeline.topics import discover_topics


def _retry_unless_bad_input(task, task_run, state) -> bool:
    """Retry what may pass a second time (a locked file); never a bad input or config."""
    try:
        state.result()
    except WavecoderError:
        return False
    except Exception:  # noqa: BLE001  (anything else may be transient)
        return True
    return True


# Tables are passed in memory between tasks, never hashed or persisted by Prefect.
_once = {"cache_policy": NO_CACHE}
_retried = _once | {"retries": 2, "retry_delay_seconds": 2,
                    "retry_condition_fn": _retry_unless_bad_input}
ingest = task(ingest_wave, name="ingest", **_retried)
pseudonymise = task(redact_wave, name="redact", **_once)
read_codebook = task(load_codebook, name="load-codebook", **_once)
choose_coder = task(resolve_coder, name="choose-coder", **_once)
segment_code = task(segment_and_code, name="segment-and-code", **_once)
reviewed = task(review_wave, name="apply-review-log", **_once)
find_stances = task(wave_stances, name="stances", **_once)
publish = task(publish_wave, name="publish", **_retried)


@task(name="discover-topics", **_once)
def discover(segments, codings, embedding: str, min_topic_size: int, progress: bool):
    """BERTopic over the wave's segments with the named embedder."""
    return discover_topics(segments, codings, make_embedder(embedding, progress=progress),
                           min_topic_size=min_topic_size, progress=progress)


@flow(name="code_wave", log_prints=True)
def code_wave(run: WaveRun) -> dict[str, Any]:
    """Ingest, segment and code, discover topics, apply the review log, find stances, publish.

    Returns the run record as ``run.json`` holds it, plus the run summary in Markdown.
    """
    offline_environment()  # a deployment's process starts here, not at the command line
    timer = StageTimer()
    with timer.stage("ingest"):
        ingested = ingest(Path(run.wave_folder), run.wave_id)
    with timer.stage("redact"):  # only when asked; before anything is written
        ingested = pseudonymise(ingested, Path(run.out), asked=run.redact)
    with timer.stage("load_codebook"):
        book = read_codebook(run.codebook_path())
    chosen = choose_coder(run.coder, book, run.codebook_path(), min_kappa=run.min_kappa,
                          agreement=Path(run.agreement) if run.agreement else None,
                          progress=run.progress)
    print(f"coder: {chosen.name} ({chosen.reason})")
    coded = segment_code(ingested.documents, chosen.coder, speakers=ingested.speaker_labels,
                         code_interviewer=run.code_interviewer, progress=run.progress)
    timer.seconds.update(coded.seconds)
    found = None
    if run.topics:
        with timer.stage("discover"):
            found = discover(coded.segments, coded.codings, run.embedding, run.min_topic_size,
                             run.progress)
    wave = ingested.manifest.id
    out_dir = Path(run.out) / wave
    with timer.stage("review"):  # decisions logged on an earlier run still stand
        review = reviewed(coded.codings, coded.segments, read_log(database_of(out_dir), wave),
                          book, wave, threshold=run.min_kappa)
    with timer.stage("stance"):
        found_stances = find_stances(coded.segments, standing(review.applied.codings), book)
    record = run_record(
        ingested=ingested, folder=Path(run.wave_folder), codebook=book,
        coder=chosen.coder.name, segments=coded.segments, codings=review.applied.codings,
        timings=timer.seconds, output_dir=out_dir, coder_info=chosen.info(),
        parameters=run.model_dump(mode="json") | {
            "codebook_path": run.codebook, "coder": chosen.name,
            "agreement": str(chosen.agreement) if chosen.agreement else None},
        topics=found,
    ).model_copy(update={"review": review.summary})
    published = publish(out_dir, WaveTables(
        ingested.documents, coded.segments, review.applied.codings, found_stances,
        rejected=ingested.rejected, topics=found.tables() if found else None), book, record,
        review=review.tables, codebook_file=run.codebook_path())  # times export and store
    summary = run_summary_markdown(published.record.model_dump(),
                                   published.tables["theme_summary"],
                                   published.tables.get("topics"), book.labels())
    create_markdown_artifact(summary, key=artifact_key(wave),
                             description=f"wavecoder run of {wave}")
    return published.record.model_dump() | {"summary_markdown": summary}


def artifact_key(wave: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    return "wave-" + re.sub(r"[^a-z0-9-]+", "-", wave.lower()).strip("-")
