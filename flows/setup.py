"""Process setup for the entry points: nothing calls out, Prefect's local API may start slowly.

Called explicitly by the command line, the flow module, the chunks' worker processes and the
test suite, before Prefect, spaCy or the embedding models are imported, never as a side effect
of importing a package.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading

from pipeline.lifetime import end_with_parent

OFFLINE_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # The ephemeral API needs ~17 s to start on 2 cores, close to Prefect's default of 20 s.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def offline_environment() -> dict[str, str]:
    """Set the offline defaults where the environment does not already set them.

    Values already in the environment win. Returns the values now in force.
    """
    for name, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(name, value)
    return {name: os.environ[name] for name in OFFLINE_DEFAULTS}


def spacy_without_torch() -> bool:
    """Let spaCy's numerical library (thinc) load without PyTorch; PyTorch stays importable.

    thinc imports PyTorch whenever it is installed, for GPU and wrapped PyTorch layers this
    project never uses: 180 MB and about 2 s of every process that loads spaCy, the run's own
    and each chunk worker's, whatever the coder. thinc's one check for PyTorch is made with the
    import blocked (thinc then works as without it installed); sentence embeddings and
    fine-tuning import PyTorch themselves later, as before. Nothing is done when thinc or
    PyTorch is already loaded. Returns whether thinc was loaded here.
    """
    if "thinc.compat" in sys.modules or "torch" in sys.modules:
        return False
    sys.modules["torch"] = None  # type: ignore[assignment]  # importing it raises ImportError
    try:
        import thinc.compat  # noqa: F401  (its check for PyTorch runs once, now)
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return True


def stops_never_swallowed() -> None:
    """A stop (SIGTERM, Ctrl-C) that lands while a finaliser runs still stops the process.

    Python runs a signal's handler in the main thread between any two bytecodes, a finaliser's
    (``__del__``, a weak reference's callback) among them, and drops what a finaliser raises
    after printing "Exception ignored". Prefect's SIGTERM bridge raises ``TerminationSignal``
    and Ctrl-C ``KeyboardInterrupt``: a stop that met a finaliser was dropped, and the run went
    on to publish. Such an exception now sends its signal again from another thread a moment
    later, when the main thread has left the finaliser. Installed once; other unraisable
    exceptions go to the hook that was there before.
    """
    previous = sys.unraisablehook
    if getattr(previous, "resends_stops", False):
        return

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        signum = _stop_signal(unraisable.exc_value)
        if signum is None:
            previous(unraisable)
            return
        threading.Timer(0.01, os.kill, (os.getpid(), signum)).start()

    hook.resends_stops = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


def _stop_signal(error: BaseException | None) -> int | None:
    """The signal a stop raised by a signal's handler stands for; None for other errors."""
    if isinstance(error, KeyboardInterrupt):
        return signal.SIGINT
    signum = getattr(error, "signal", None)  # Prefect's TerminationSignal (a BaseException)
    if isinstance(error, BaseException) and not isinstance(error, Exception) and \
            isinstance(signum, int):
        return signum
    return None


def chunk_worker(parent: int, api_url: str | None = None) -> None:
    """A local chunk process's start: offline, spaCy without PyTorch, ended with its parent.

    Run before the worker reads its first task (whose module imports spaCy), so it lives here,
    in a module that imports nothing heavy. A run killed outright (SIGKILL, a closed terminal)
    never shuts its process pool down, and its workers waited for chunks for ever, each holding
    its coder (:func:`pipeline.lifetime.end_with_parent`). ``api_url``: the run's Prefect API,
    whose one client the process's tasks then share (:func:`one_api_client`).
    """
    offline_environment()
    spacy_without_torch()
    end_with_parent(parent)
    if api_url:
        one_api_client(api_url)
    freeze_imports()


def freeze_imports() -> None:
    """Import what a chunk task runs, then leave those objects out of garbage collection.

    A chunk holds the docs of its coded segments until their stances are found
    (:func:`pipeline.coding.stream.code_chunk_with_stances`); the collections that many live
    objects set off each walked the whole heap, about 200,000 objects, nearly all of them the
    imported modules', which live as long as the process. ``gc.freeze`` moves those out of the
    collector's way once; what the tasks make later is collected as before.
    """
    import flows.chunks  # noqa: F401  (Prefect, spaCy, pandas, the coders: the tasks' imports)

    gc.collect()  # nothing collectable is frozen for good
    gc.freeze()


def one_api_client(api_url: str):  # noqa: ANN201 (Prefect's SyncClientContext, or None)
    """Give this process one Prefect API client for ``api_url``, for every task it runs.

    Without it Prefect made two clients per task run in a worker process, each loading the
    system's CA certificates for a TLS context the loopback API never uses: 28 CPU seconds of
    a million-answer wave's 479 chunks. The context is entered and left open for the process's
    life (its tasks find it, as a task in a flow finds the flow's). Returns it (a test closes
    it), or None when it cannot be made: the tasks then make their own clients, as before.
    """
    try:
        from prefect.context import SyncClientContext
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings({PREFECT_API_URL: api_url}):
            context = SyncClientContext()
            context.__enter__()
    except Exception:  # noqa: BLE001  (only a saving: the tasks still reach the API)
        return None
    return context
