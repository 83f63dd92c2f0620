"""One place where the command line turns errors into a one-line message and an exit status.

Errors wavecoder raises on purpose (:class:`pipeline.errors.WavecoderError`) and the operating
system's file errors name what is wrong; they are printed as one line and the command exits 2.
Anything else is a bug: its type and where it was raised are printed, not its message, which
could quote an answer or a transcript; ``WAVECODER_DEBUG=1`` shows the whole traceback.
"""

from __future__ import annotations

import functools
import os
from typing import Callable, NoReturn, TypeVar

import click
import typer
from rich.console import Console
from rich.markup import escape

from pipeline.errors import InternalError, WavecoderError, describe_bug

USER_ERROR = 2
BUG = 1
F = TypeVar("F", bound=Callable[..., object])

error_console = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = USER_ERROR) -> NoReturn:
    """Print ``error: message`` on one line (markup in the message shown as written); exit."""
    # Paths and pattern keys such as [a-z] or [pattern -> 0 -> LOWER] must not be read as markup.
    error_console.print(f"[red]error:[/red] {escape(' '.join(message.split()))}")
    raise typer.Exit(code=code)


def _os_message(exc: OSError) -> str:
    where = exc.filename if exc.filename is not None else "a file"
    return f"{where}: {exc.strerror or type(exc).__name__}"


def _bug_message(exc: BaseException) -> str:
    what = str(exc) if isinstance(exc, InternalError) else describe_bug(exc)
    return (f"unexpected {what} (a bug in wavecoder; run again with WAVECODER_DEBUG=1 for the "
            "traceback and report it)")


def one_line_errors(command: F) -> F:
    """Wrap a typer command so every error ends as one line on stderr and an exit status."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except WavecoderError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(_os_message(exc))
        except Exception as exc:  # noqa: BLE001  (the one place a bug is reported, not raised)
            if os.environ.get("WAVECODER_DEBUG"):
                raise
            fail(_bug_message(exc), code=BUG)

    return wrapper  # type: ignore[return-value]
