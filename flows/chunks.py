"""Segment-and-code's chunks as Prefect tasks: here, in local processes, or on Dask workers.

Kept apart from :mod:`flows.code_wave` so that a worker process imports only what a chunk needs
(Prefect, the coder, the stance rules), not the exports and the database.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections import deque
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
from tqdm.auto import tqdm

from flows.guard import no_texts_in_failures
from flows.setup import chunk_worker, offline_environment
from pipeline.coding.stream import (
    ChunkProgress,
    GatheredChunks,
    SegmentedAndCoded,
    chunk_processes,
    code_chunk_with_stances,
    document_chunks,
)
from pipeline.parameters import WaveRun
from pipeline.quality.choose import codebook_in_process, coder_in_process


@task(name="segment-and-code-chunk", cache_policy=NO_CACHE, persist_result=False)
@no_texts_in_failures
def code_chunk(chunk, run: WaveRun, coder: str, codebook_sha256: str, speakers
               ) -> SegmentedAndCoded:
    """One chunk of the wave's documents segmented, coded and its codings' stances found."""
    offline_environment()  # a worker process (local or Dask) starts here
    book = codebook_in_process(run.codebook, codebook_sha256)
    chosen = coder_in_process(coder, run.codebook, codebook_sha256, run.agreement, run.min_kappa)
    return code_chunk_with_stances(chunk, chosen.coder, book, speakers=speakers,
                                   code_interviewer=run.code_interviewer)


def code_in_chunks(ingested, coder: str, codebook_sha256: str, run: WaveRun
                   ) -> SegmentedAndCoded:
    """Every chunk of documents a task of its own; the results joined in the chunks' order.

    On the Dask scheduler ``run.dask`` names (its workers resolve the run's coder once each);
    else in ``run.processes`` local processes (:func:`chunk_processes`), or one chunk after
    another in this process, as one coder is not shared between threads.
    """
    chunks = document_chunks(ingested.documents, run.chunk_size)
    # A worker's working folder is not this one: it is given the files by their full paths.
    run = run.model_copy(update={
        "codebook": str(run.codebook_path().resolve()),
        "agreement": str(Path(run.agreement).resolve()) if run.agreement else None})
    logger = get_run_logger()
    processes = 1 if run.dask else chunk_processes(run.processes, len(chunks))
    shared = {"run": run, "coder": coder, "codebook_sha256": codebook_sha256,
              "speakers": ingested.speaker_labels}
    # Counts only reach the terminal and Prefect's logs: chunks done, documents/s.
    counter, gathered = ChunkProgress(len(chunks)), GatheredChunks()
    bar = tqdm(total=len(chunks), desc="segment and code", unit="chunk", disable=not run.progress)
    # A Dask cluster may have any number of workers: it is handed every chunk at once.
    ahead = len(chunks) if run.dask else IN_FLIGHT_PER_PROCESS * processes
    # Local processes reach this run's API; Dask workers may be on machines that cannot.
    with _this_runs_api() if processes > 1 else contextlib.nullcontext(), \
            _task_runner(run, processes, len(chunks)) as runner:
        for chunk, part in _in_order(runner, chunks, shared, ahead=ahead):
            gathered.add(part)
            logger.info(counter.add(part, len(chunk)))
            bar.set_postfix_str(f"{counter.rate():,.0f} documents/s", refresh=False)
            bar.update()
    bar.close()
    chunks = part = None  # the gathered tables are then the chunks' only holder
    return gathered.joined(ingested.documents)


def _task_runner(run: WaveRun, processes: int, chunks: int):
    """The task runner of ``run``'s chunks: Dask's, ``processes`` local processes, or this one."""
    if run.dask:
        from prefect_dask import DaskTaskRunner  # dask loads only when asked for

        return DaskTaskRunner(address=run.dask)
    if processes > 1:
        from prefect.settings import PREFECT_API_URL

        get_run_logger().info(f"segment and code: {chunks} chunks in {processes} processes")
        return ProcessPoolTaskRunner(max_workers=processes, initializer=chunk_worker,
                                     initargs=(os.getpid(), PREFECT_API_URL.value()))
    return ThreadPoolTaskRunner(1)


IN_FLIGHT_PER_PROCESS = 2  # chunks handed out per worker: none waits, few wait in memory


def _in_order(runner, chunks: list, shared: dict, *, ahead: int):
    """(chunk, its result) in the chunks' order, with at most ``ahead`` chunks handed out.

    A task runner serialises a task's parameters when it is submitted: submitting every chunk
    at once held a million-answer wave's documents a second time, pickled, until each ran.
    """
    waiting: deque = deque()
    pending = iter(chunks)
    for chunk in itertools.islice(pending, ahead):
        waiting.append((chunk, runner.submit(code_chunk, {"chunk": chunk, **shared})))
    while waiting:
        chunk, future = waiting.popleft()
        result = future.result()
        following = next(pending, None)
        if following is not None:
            waiting.append((following, runner.submit(code_chunk, {"chunk": following, **shared})))
        yield chunk, result


def _this_runs_api():
    """Send worker processes to this run's Prefect API, not a temporary server of their own.

    With no API configured, Prefect starts a temporary server for the process that needs one;
    a worker process is handed this process's settings, so each started another (seconds of
    its start and a server's memory). Nothing changes when an API is configured.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():  # as the command line sets it (flows/local_api.py)
        return contextlib.nullcontext()
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer._instances.get(None)
    if server is None or not server.running:
        return contextlib.nullcontext()
    return temporary_settings({PREFECT_API_URL: server.api_url})
