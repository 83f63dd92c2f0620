"""Giving freed memory back: pages the C heap holds free go back to the system."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.memory import _malloc_trim, release_free_memory

ROOT = Path(__file__).resolve().parents[1]


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(_malloc_trim() is None or not os.path.exists("/proc/self/statm"),
                    reason="needs glibc's malloc_trim and /proc to see resident memory")
def test_freed_answers_scattered_among_kept_ones_are_given_back():
    # 2 KB strings come from the C heap; keeping every tenth pins the heap's top, so freeing
    # the rest returns nothing by itself: that is what ingest left behind before.
    answers = [f"{i:08d}" + "x" * 2048 for i in range(100_000)]
    kept = answers[::10]
    del answers
    before = _resident_bytes()
    release_free_memory()
    after = _resident_bytes()
    assert before - after > 100 * 2**20, (before, after)
    assert kept[-1].startswith("00099990")


# Large arrays freed between small blocks that stay: what a wave's stages leave on the heap.
LARGE_BETWEEN_SMALL = """
import os, sys
import numpy as np
from pipeline.memory import large_blocks_apart
if sys.argv[1] == "apart":
    assert large_blocks_apart()
else:  # the heap's own way, whatever this process's allocator did before: 3 MB from the heap
    assert large_blocks_apart(64 << 20)
def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
arrays, kept = [], []
for _ in range(60):
    arrays.append(np.ones(3 << 17))  # 3 MB each
    kept.append(bytearray(200_000))
before = resident()
del arrays
print(before - resident())
"""


@pytest.mark.skipif(_malloc_trim() is None or not os.path.exists("/proc/self/statm"),
                    reason="needs glibc and /proc to see resident memory")
def test_large_arrays_go_back_to_the_system_as_soon_as_freed():
    def freed(mode: str) -> int:
        done = subprocess.run([sys.executable, "-c", LARGE_BETWEEN_SMALL, mode], cwd=ROOT,
                              capture_output=True, text=True, timeout=120, check=True)
        return int(done.stdout.strip())

    assert freed("apart") > 150 * 2**20  # 180 MB of arrays: all of it back at once
    assert freed("heap") < 50 * 2**20  # from the heap, between small blocks: kept
