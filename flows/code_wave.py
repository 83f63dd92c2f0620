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

from flows.chunks import code_in_chunks
from flows.guard import no_texts_in_failures
from flows.setup import offline_environment
from flows.signoff import current_run_id, sign_off_step
from pipeline.codebooks.candidates import wave_candidates
from pipeline.config import load_codebook
from pipeline.embeddings import make_embedder
from pipeline.export import (
    StageTimer,
    WaveTables,
    publish_wave,
    run_record,
    run_summary_markdown,
    standing,
)
from pipeline.fingerprint import run_fingerprint, wave_id_of
from pipeline.ingest import ingest_wave
from pipeline.outputs import database_of
from pipeline.parameters import WaveRun
from pipeline.quality.choose import resolve_coder
from pipeline.redact.wave import redact_wave
from pipeline.review.apply import review_wave
from pipeline.review.log import read_log
from pipeline.stage_cache import (
    INGEST,
    SEGMENT_AND_CODE,
    StageCache,
    StageKeys,
)
from pipeline.stance import wave_stances
from pipeline.topic_project import project_topics
from pipeline.topic_store import project_dir, project_of


def _retry_when_transient(task, task_run, state) -> bool:
    """Retry what may pass a second time (a locked or busy file); never bad input or a bug."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:  # noqa: BLE001  (bad input or a bug: the same again next time)
        return False
    return False


def _task(stage, name: str, **options):
    # Tables are passed in memory between tasks, never hashed or persisted by Prefect.
    return task(no_texts_in_failures(stage), name=name, cache_policy=NO_CACHE, **options)


_retried = {"retries": 2, "retry_delay_seconds": 2,
            "retry_condition_fn": _retry_when_transient}
ingest = _task(ingest_wave, "ingest", **_retried)
pseudonymise = _task(redact_wave, "redact")
read_codebook = _task(load_codebook, "load-codebook")
choose_coder = _task(resolve_coder, "choose-coder")
reviewed = _task(review_wave, "apply-review-log")
find_stances = _task(wave_stances, "stances")
publish = _task(publish_wave, "publish", **_retried)
draft = _task(wave_candidates, "candidate-codes")


@task(name="discover-topics", cache_policy=NO_CACHE)
@no_texts_in_failures
def discover(segments, codings, run: WaveRun, project: str):
    """The wave's topics in its project's kept topic model (stable ids, new and vanished)."""
    return project_topics(segments, codings, make_embedder(run.embedding, progress=run.progress),
                          out_root=Path(run.out),
                          store=project_dir(run.topic_models_root(), project), project=project,
                          refit=run.refit_topics, small_below=run.small_wave_segments,
                          min_topic_size=run.min_topic_size,
                          sample_above=run.topic_sample_above,
                          min_word_share=run.topic_word_share,
                          merge_distance=run.topic_merge_distance, progress=run.progress)


@flow(name="code_wave", log_prints=True)
@no_texts_in_failures
def code_wave(run: WaveRun) -> dict[str, Any]:
    """Ingest, segment and code, discover topics, apply the review log, find stances, publish.

    Returns the run record as ``run.json`` holds it, plus the run summary in Markdown.
    """
    offline_environment()  # a deployment's process starts here, not at the command line
    timer = StageTimer()
    wave = wave_id_of(run)
    out_dir = Path(run.out) / wave
    fingerprint = run_fingerprint(run, wave)
    cache = StageCache(out_dir, reuse=run.reuse)  # results of unchanged stages, in out_dir
    keys = StageKeys.of(run)
    with timer.stage("ingest"):
        ingested = cache.get(INGEST, keys.ingest)
    if ingested is None:
        with timer.stage("ingest"):
            ingested = ingest(Path(run.wave_folder), run.wave_id, progress=print)
        with timer.stage("redact"):  # only when asked; before anything is written
            ingested = pseudonymise(ingested, Path(run.out), asked=run.redact)
        cache.put(INGEST, keys.ingest, ingested)  # redacted: no original reaches the cache
    with timer.stage("load_codebook"):
        book = read_codebook(run.codebook_path())
    chosen = choose_coder(run.coder, book, run.codebook_path(), min_kappa=run.min_kappa,
                          agreement=Path(run.agreement) if run.agreement else None,
                          progress=run.progress)
    print(f"coder: {chosen.name} ({chosen.reason})")
    if chosen.coverage:
        print(f"warning: {chosen.coverage}")
    code_key = keys.code(book, chosen)
    with timer.stage("segment_and_code"):
        coded = cache.get(SEGMENT_AND_CODE, code_key)
    if coded is None:
        del timer.seconds["segment_and_code"]
        with timer.stage("segment_and_code"):  # wall time; the chunks' own seconds are summed
            coded = code_in_chunks(ingested, chosen.name, book.sha256, run)
        cache.put(SEGMENT_AND_CODE, code_key, coded)
    timer.seconds.update(coded.seconds)
    found = None
    if run.topics:
        with timer.stage("discover"):
            found = discover(coded.segments, coded.codings, run,
                             project_of(ingested.manifest.id,
                                        run.project or ingested.manifest.project))
    if found is not None and found.skipped_reason is None:
        with timer.stage("candidates"):  # uncovered topics drafted as codes beside the codebook
            found.params["candidates"] = draft(found.topics, found.segment_topics,
                                               coded.segments, book, run.candidates_path())
    with timer.stage("review"):  # decisions logged on an earlier run still stand
        review = reviewed(coded.codings, coded.segments, read_log(database_of(out_dir), wave),
                          book, wave, threshold=run.min_kappa)
    with timer.stage("stance_update"):  # the chunks' stances stand where no review changed one
        found_stances = find_stances(coded.segments, standing(review.applied.codings), book,
                                     earlier=(coded.codings, coded.stances))
    record = run_record(
        ingested=ingested, folder=Path(run.wave_folder), codebook=book,
        coder=chosen.coder.name, segments=coded.segments, codings=review.applied.codings,
        timings=timer.seconds, output_dir=out_dir, coder_info=chosen.info(),
        parameters=run.model_dump(mode="json") | {
            "codebook_path": run.codebook, "coder": chosen.name,
            "agreement": str(chosen.agreement) if chosen.agreement else None},
        topics=found,
    ).model_copy(update={"review": review.summary, "run_id": current_run_id(),
                         "cache": cache.used})
    published = publish(out_dir, WaveTables(
        ingested.documents, coded.segments, review.applied.codings, found_stances,
        rejected=ingested.rejected, topics=found.tables() if found else None), book, record,
        review=review.tables, codebook_file=run.codebook_path(),  # times export and store
        progress=print)  # each step's counts and seconds into the run's log (log_prints)
    cache.published(run, fingerprint, published, progress=print)  # for the next run
    topic_tables = found.tables() if found is not None else None
    summary = run_summary_markdown(published.record.model_dump(),
                                   published.tables["theme_summary"],
                                   topic_tables["topics"] if topic_tables else None,
                                   book.labels())
    final, summary = sign_off_step(run, published.record, summary, artifact_key(wave))
    create_markdown_artifact(summary, key=artifact_key(wave),
                             description=f"wavecoder run of {wave}")
    return final.model_dump() | {"summary_markdown": summary}


def artifact_key(wave: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    return "wave-" + re.sub(r"[^a-z0-9-]+", "-", wave.lower()).strip("-")
