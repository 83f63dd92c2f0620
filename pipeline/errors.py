"""The errors wavecoder raises on purpose: one base, so every entry point catches one type.

Each message is written where the error is raised and names what is wrong: the file, the row or
line, the field. Messages never quote respondents' words (answers, transcripts), only where to
find them. The command line prints ``str(error)`` on one line and exits 2; anything else that
escapes is a bug.
"""

from __future__ import annotations


class WavecoderError(Exception):
    """Base of every error wavecoder raises for bad input or a bad request."""


class ConfigError(WavecoderError, ValueError):
    """A configuration file is missing, unparsable or invalid; the message names file and field."""


class InputError(WavecoderError, ValueError):
    """An input file (wave file, gold file, review file, model folder) cannot be used."""


class MissingInputError(InputError, FileNotFoundError):
    """A file or folder the request names does not exist or is not what it should be."""


class InternalError(Exception):
    """A bug, described by the error's type and where it was raised, never by its message.

    Libraries put the values they choke on into their messages (openpyxl quotes a whole answer
    it cannot write); such a message must not reach logs, Prefect's database or the screen.
    """


def describe_bug(exc: BaseException) -> str:
    """``exc``'s type and the file and line that raised it, without its message."""
    import os
    import traceback

    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{where}"


__all__ = ["ConfigError", "InputError", "InternalError", "MissingInputError", "WavecoderError",
           "describe_bug"]
