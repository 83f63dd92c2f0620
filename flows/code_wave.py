"""The ``code_wave`` flow: one survey wave from its folder to coded datasets.

Reads as the list of stages it runs; each stage is a function of :mod:`pipeline`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from pipeline.coding.stream import segment_and_code
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
from pipeline.ingest import ingest_wave
from pipeline.outputs import database_of
from pipeline.quality.choose import resolve_coder
from pipeline.review.apply import review_wave
from pipeline.review.log import read_log
from pipeline.stance import wave_stances
from pipeline.topics import discover_topics

DEFAULT_CODEBOOK = "models/codebooks/recovery-capital.yaml"

# Tables are passed in memory between tasks, never hashed or persisted by Prefect.
ingest = task(ingest_wave, name="ingest", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
read_codebook = task(load_codebook, name="load-codebook", retries=2, cache_policy=NO_CACHE)
segment_code = task(segment_and_code, name="segment-and-code", cache_policy=NO_CACHE)
reviewed = task(review_wave, name="apply-review-log", cache_policy=NO_CACHE)
find_stances = task(wave_stances, name="stances", cache_policy=NO_CACHE)
publish = task(publish_wave, name="publish", retries=2, retry_delay_seconds=2,
               cache_policy=NO_CACHE)


@task(name="discover-topics", cache_policy=NO_CACHE)
def discover(segments, codings, embedding: str, min_topic_size: int, progress: bool):
    """BERTopic over the wave's segments with the named embedder."""
    return discover_topics(segments, codings, make_embedder(embedding, progress=progress),
                           min_topic_size=min_topic_size, progress=progress)


@flow(name="code_wave", log_prints=True)
def code_wave(wave_folder: str, wave_id: str | None = None, codebook: str = DEFAULT_CODEBOOK,
              out: str = "outputs", coder: str = "auto", topics: bool = True,
              embedding: str = "minilm", min_topic_size: int = 10,
              agreement: str | None = None, min_kappa: float = 0.6,
              progress: bool = True) -> dict[str, Any]:
    """Ingest, segment, code, discover topics, apply the review log, find stances and publish.

    Returns the run record as ``run.json`` holds it, plus the run summary in Markdown.
    """
    folder, timer = Path(wave_folder), StageTimer()
    with timer.stage("ingest"):
        ingested = ingest(folder, wave_id)
    with timer.stage("load_codebook"):
        book = read_codebook(Path(codebook))
    chosen = resolve_coder(coder, book, Path(codebook), min_kappa=min_kappa, progress=progress,
                           agreement=Path(agreement) if agreement else None)
    print(f"coder: {chosen.name} ({chosen.reason})")
    coded = segment_code(ingested.documents, chosen.coder,
                         interviewer_labels=ingested.interviewer_labels, progress=progress)
    timer.seconds.update(coded.seconds)
    found = None
    if topics:
        with timer.stage("discover"):
            found = discover(coded.segments, coded.codings, embedding, min_topic_size, progress)
    out_dir, wave = Path(out) / ingested.manifest.id, ingested.manifest.id
    with timer.stage("review"):  # decisions logged on an earlier run still stand
        review = reviewed(coded.codings, coded.segments, read_log(database_of(out_dir), wave),
                          book, wave, threshold=min_kappa)
    with timer.stage("stance"):
        found_stances = find_stances(coded.segments, standing(review.applied.codings),
                                     parents=book.parents())
    record = run_record(
        ingested=ingested, folder=folder, codebook=book, coder=chosen.coder.name,
        segments=coded.segments, codings=review.applied.codings, timings=timer.seconds,
        output_dir=out_dir, coder_info=chosen.info(),
        parameters={"coder": chosen.name, "topics": topics, "embedding": embedding,
                    "min_topic_size": min_topic_size, "codebook_path": codebook,
                    "agreement": str(chosen.agreement) if chosen.agreement else None,
                    "min_kappa": min_kappa},
        topics_info=found.params | {"skipped_reason": found.skipped_reason} if found
        else {"skipped_reason": "not requested (--no-topics)"},
    ).model_copy(update={"review": review.summary})
    topic_tables = None
    if found is not None and found.skipped_reason is None:
        topic_tables = {"topics": found.topics, "segment_topics": found.segment_topics,
                        "topic_codes": found.topic_codes}
    published = publish(out_dir, WaveTables(
        ingested.documents, coded.segments, review.applied.codings, found_stances,
        rejected=ingested.rejected, topics=topic_tables), book, record,
        review=review.tables, codebook_file=Path(codebook))  # times "export" and "store"
    summary = run_summary_markdown(published.record.model_dump(),
                                   published.tables["theme_summary"],
                                   topic_tables["topics"] if topic_tables else None,
                                   book.labels())
    create_markdown_artifact(summary, key=artifact_key(ingested.manifest.id),
                             description=f"wavecoder run of {ingested.manifest.id}")
    return published.record.model_dump() | {"summary_markdown": summary}


def artifact_key(wave: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    return "wave-" + re.sub(r"[^a-z0-9-]+", "-", wave.lower()).strip("-")
