"""Flow tasks fail with messages that quote no respondent: the wrapper every task and flow wears."""

from __future__ import annotations

import functools
import inspect
import os

from pipeline.errors import InternalError, WavecoderError, describe_bug


def no_texts_in_failures(stage):
    """``stage`` failing only with messages that quote no respondent.

    Prefect logs a failed task's exception and keeps it in its database; a library's message
    may hold a whole answer, so a bug is re-raised as its type and place only. Our own errors
    and the system's file errors name files and fields, never texts, and pass through, as does
    a bug a task already described. The flow is wrapped too: Prefect logs a failed flow's
    exception and pickles it into its result storage.
    WAVECODER_DEBUG=1 keeps the original.

    ``from None`` only hides the exception being handled from tracebacks: it stays the new
    one's ``__context__``, and once ``distributed`` is imported (``--dask``), tblib pickles
    exceptions with their whole chain. So the bug is described inside the handler and raised
    outside it, with no chain, and a chain our own errors hid with ``from None`` is dropped.
    """

    @functools.wraps(stage)
    def run(*args, **kwargs):
        try:
            return stage(*args, **kwargs)
        except (WavecoderError, InternalError, OSError) as exc:  # they never quote texts
            if exc.__suppress_context__:
                exc.__context__ = None
            raise
        except Exception as exc:
            if os.environ.get("WAVECODER_DEBUG"):
                raise
            described = describe_bug(exc)
        raise InternalError(f"{described} in stage {stage.__name__}")

    # Prefect resolves parameter types in the wrapper's module: give it them resolved in
    # ``stage``'s own.
    run.__signature__ = inspect.signature(stage, eval_str=True)
    return run
