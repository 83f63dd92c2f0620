"""Giving freed memory back: pages the C heap holds free go back to the system."""

from __future__ import annotations

import os

import pytest

from pipeline.memory import _malloc_trim, release_free_memory


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
