"""The redaction mapping file: placeholder → original, readable by its owner only.

The file is created with mode 0o600 under a temporary name in the target folder and renamed into
place, so it is never world- or group-readable, not even while being written, and a reader never
sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from pipeline import schema as s
from pipeline.errors import InputError, MissingInputError

MODE = 0o600


def write_mapping(mapping: pd.DataFrame, path: str | Path) -> Path:
    """Write ``mapping`` (``REDACTION_MAPPING``) as UTF-8 CSV at ``path``, mode 0o600, atomically.

    Replaces any earlier file at ``path`` (whatever its mode) in one rename. A folder it has to
    create is made owner-only too (0o700).
    """
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    frame = s.conform(mapping, s.REDACTION_MAPPING)
    # mkstemp creates the file 0o600 with O_EXCL; chmod again in case a platform differs.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            frame.to_csv(handle, index=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_mapping(path: str | Path) -> pd.DataFrame:
    """Read a mapping written by :func:`write_mapping` (to keep a wave's placeholders on re-run)."""
    path = Path(path)
    if not path.is_file():
        raise MissingInputError(f"{path}: redaction mapping not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        return s.conform(frame, s.REDACTION_MAPPING)
    except (KeyError, ValueError, pd.errors.ParserError) as error:
        # Name the file and the problem's kind only: the file holds the originals.
        raise InputError(f"{path}: not a redaction mapping ({type(error).__name__})") from None
