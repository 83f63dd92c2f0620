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

from pipeline.coding import coder_info, make_coder
from pipeline.coding.stream import segment_and_code
from pipeline.config import DEFAULT_CODEBOOK as CODEBOOK_PATH
from pipeline.config import load_codebook
from pipeline.embeddings import make_embedder
from pipeline.export import (
    DATABASE_NAME,
    StageTimer,
    analyst_tables,
    run_record,
    run_summary_markdown,
    store_wave,
    write_json,
    write_outputs,
)
from pipeline.ingest import ingest_wave
from pipeline.review.apply import review_summary, review_tables, write_review_tables
from pipeline.review.log import read_log
from pipeline.review.status import apply_decisions
from pipeline.topics import discover_topics

DEFAULT_CODEBOOK = str(CODEBOOK_PATH)

# Tables are passed in memory between tasks, never hashed or persisted by Prefect.
ingest = task(ingest_wave, name="ingest", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
read_codebook = task(load_codebook, name="load-codebook", retries=2, cache_policy=NO_CACHE)
segment_code = task(segment_and_code, name="segment-and-code", cache_policy=NO_CACHE)
write = task(write_outputs, name="export", retries=2, retry_delay_seconds=2,
             cache_policy=NO_CACHE)
reviewed = task(apply_decisions, name="apply-review-log", cache_policy=NO_CACHE)
review = task(review_tables, name="review-tables", cache_policy=NO_CACHE)
write_review = task(write_review_tables, name="export-review-tables", cache_policy=NO_CACHE)
store = task(store_wave, name="store-duckdb", retries=2, retry_delay_seconds=2,
             cache_policy=NO_CACHE)


@task(name="discover-topics", cache_policy=NO_CACHE)
def discover(segments, codings, embedding: str, min_topic_size: int, progress: bool):
    """BERTopic over the wave's segments with the named embedder."""
    return discover_topics(segments, codings, make_embedder(embedding, progress=progress),
                           min_topic_size=min_topic_size, progress=progress)


@flow(name="code_wave", log_prints=True)
def code_wave(wave_folder: str, wave_id: str | None = None, codebook: str = DEFAULT_CODEBOOK,
              out: str = "outputs", coder: str = "rules", topics: bool = True,
              embedding: str = "minilm", min_topic_size: int = 10,
              agreement: str | None = None, min_kappa: float = 0.6,
              progress: bool = True, code_interviewer: bool = False) -> dict[str, Any]:
    """Ingest, segment, code, discover topics and export one wave; returns its run record."""
    folder, timer = Path(wave_folder), StageTimer()
    with timer.stage("ingest"):
        ingested = ingest(folder, wave_id)
    with timer.stage("load_codebook"):
        book = read_codebook(Path(codebook))
    the_coder = make_coder(coder, book, progress=progress, min_kappa=min_kappa,
                           agreement=Path(agreement) if agreement else None)
    coded = segment_code(ingested.documents, the_coder, speakers=ingested.speaker_labels,
                         code_interviewer=code_interviewer, progress=progress)
    timer.seconds.update(coded.seconds)
    found = None
    if topics:
        with timer.stage("discover"):
            found = discover(coded.segments, coded.codings, embedding, min_topic_size, progress)
    out_dir, wave = Path(out) / ingested.manifest.id, ingested.manifest.id
    with timer.stage("review"):  # decisions logged on an earlier run still stand
        log = read_log(Path(out) / DATABASE_NAME, wave)
        applied = reviewed(coded.codings, coded.segments, log)
        review_found = review(applied.codings, coded.segments, log, book, wave,
                              threshold=min_kappa)
    with timer.stage("export"):
        tables = analyst_tables(ingested, coded.segments, applied.codings, book, found)
        written = write(out_dir, tables, book, ingested.manifest.title)
        written.update(write_review(out_dir, review_found))
    record = run_record(
        ingested=ingested, folder=folder, codebook=book, coder=the_coder.name,
        tables=tables, timings=timer.seconds, output_dir=out_dir, outputs=written,
        parameters={"coder": coder, "topics": topics, "embedding": embedding,
                    "min_topic_size": min_topic_size, "codebook_path": codebook,
                    "agreement": agreement, "min_kappa": min_kappa,
                    "code_interviewer": code_interviewer},
        topics_info=found.params | {"skipped_reason": found.skipped_reason} if found
        else {"skipped_reason": "not requested (--no-topics)"},
    )
    record["coder_info"] = coder_info(the_coder)
    record["review"] = review_summary(applied, review_found)
    with timer.stage("store"):
        store(Path(out) / DATABASE_NAME, wave, tables | {
            k: v for k, v in review_found.items() if k != "review_log"}, record)
    write_json(record, out_dir / "run.json")
    summary = run_summary_markdown(record, tables["theme_summary"], tables.get("topics"),
                                   book.labels())
    create_markdown_artifact(summary, key=artifact_key(ingested.manifest.id),
                             description=f"wavecoder run of {ingested.manifest.id}")
    record["summary_markdown"] = summary
    return record


def artifact_key(wave: str) -> str:
    """Prefect artifact keys allow lower-case letters, digits and dashes only."""
    return "wave-" + re.sub(r"[^a-z0-9-]+", "-", wave.lower()).strip("-")
