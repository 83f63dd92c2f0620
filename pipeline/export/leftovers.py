"""Hidden folders a publish leaves beside ``outputs/<wave>/``, and clearing those a kill left.

A publish writes ``.<wave>.publishing-<pid>-<random>`` and, while it swaps that folder in, moves
the old one to ``.<wave>.previous-<pid>-<random>``. A killed process cannot tidy up: these are
never read as outputs, and whoever next takes the wave's lock clears them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

PUBLISHING, PREVIOUS = "publishing", "previous"


def beside(out_dir: Path, kind: str) -> Path:
    """A new hidden folder name beside ``out_dir``: ``.<wave>.<kind>-<pid>-<random>``."""
    return out_dir.parent / f".{out_dir.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:12]}"


def clear_leftovers(out_dir: Path) -> list[Path]:
    """Remove what killed publishes of this wave left beside ``out_dir``; returns what went.

    Only folders of processes that are gone are touched (a publish running now keeps its own).
    A staging folder is removed. A previous folder is the old outputs moved aside for the swap:
    if ``out_dir`` is missing, the kill came between the two renames, before the database
    committed, so the old folder is put back; otherwise the swap was done and it is removed.
    """
    cleared = []
    for kind in (PUBLISHING, PREVIOUS):
        for path in sorted(out_dir.parent.glob(f".{out_dir.name}.{kind}-*")):
            pid = path.name.removeprefix(f".{out_dir.name}.{kind}-").split("-")[0]
            if not path.is_dir() or not pid.isdigit() or _alive(int(pid)):
                continue
            if kind == PREVIOUS and not out_dir.exists():
                os.replace(path, out_dir)
            else:
                shutil.rmtree(path, ignore_errors=True)
            cleared.append(path)
    return cleared


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or not a process id at all
        return False
    except PermissionError:  # another user's process
        return True
    return True
