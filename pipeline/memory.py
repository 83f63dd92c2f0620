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

MMAP_THRESHOLD = 1 << 20  # bytes: a block this large or larger gets pages of its own
_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (glibc's malloc.h)


def release_free_memory() -> None:
    """Return the memory Arrow's pool and the C heap hold free to the system; keep the rest."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def large_blocks_apart(threshold: int = MMAP_THRESHOLD) -> bool:
    """Have glibc give every block of ``threshold`` bytes or more pages of its own, for good.

    Each such block (a column's array, a hash table) then goes back to the system as soon as it
    is freed. By default glibc raises the threshold to the size of each large block freed (up
    to 32 MB), so a large wave's later arrays came from the heap and left gaps there that the
    next stage's small objects pinned: the million-answer wave's peak was 0.1 GB higher.
    A process-wide setting, for the process that runs a wave. Returns whether it was set
    (False where the C library has no ``mallopt``).
    """
    mallopt = _libc_function("mallopt")
    return bool(mallopt is not None and mallopt(_M_MMAP_THRESHOLD, threshold) == 1)


def _malloc_trim():  # noqa: ANN202 (a ctypes function, or None)
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl)."""
    return _libc_function("malloc_trim")


@functools.cache
def _libc_function(name: str):  # noqa: ANN202 (a ctypes function, or None)
    """The C library's function ``name``, or None where it has none (or is not found)."""
    library = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(library), name) if library else None
    except (OSError, AttributeError):
        return None
