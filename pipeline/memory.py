"""Hand memory a stage has freed back to the system, so a long run's peak is its own.

Arrow's allocator (mimalloc) keeps freed blocks for the next allocation and glibc's keeps
freed heap pages: after ingest a million-answer wave held about 0.8 GB it no longer used,
which every later stage then counted on top of its own.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import pyarrow as pa


def release_free_memory() -> None:
    """Return the memory Arrow's pool and the C heap hold free to the system; keep the rest."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():  # noqa: ANN202 (a ctypes function, or None)
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None
