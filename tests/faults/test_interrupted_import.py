"""A review import killed part-way is completed by importing the same file again (issue 11: 8).

A real ``wavecoder import-review`` is SIGKILLed while it publishes (its staging folder has
appeared beside the wave's folder: the decisions are logged, the outputs not yet replaced).
The outputs must still be the old ones, whole; importing the same file again must then give
exactly the outputs and log an uninterrupted import gives.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time

import pandas as pd
from support_faults import ROOT
from support_import import (
    WAVE,
    child_env,
    filled_workbook,
    import_command,
    logged,
    published,
    run_import,
)

from pipeline.review.apply import import_review

KILL_WITHIN = 240  # seconds for the child to reach its publish (it loads spaCy and torch first)


def _kill_when_publishing(book, outputs) -> int:
    """Start an import, SIGKILL it once its publish's staging folder exists; its return code."""
    child = subprocess.Popen(import_command(book, outputs), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=child_env(), cwd=ROOT)
    deadline = time.monotonic() + KILL_WITHIN
    try:
        while child.poll() is None and time.monotonic() < deadline:
            if any(outputs.parent.glob(f".{WAVE}.publishing-*")):
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
    finally:
        if child.poll() is None and time.monotonic() >= deadline:
            child.kill()
    return child.wait(timeout=60)


def test_a_killed_import_leaves_whole_outputs_and_importing_again_completes_it(mini_outputs,
                                                                                 tmp_path):
    reference = shutil.copytree(mini_outputs, tmp_path / "reference" / "outputs" / WAVE)
    book = filled_workbook(mini_outputs, tmp_path / "review.xlsx", "Ann", "reject")
    before = published(mini_outputs)

    assert _kill_when_publishing(book, mini_outputs) == -signal.SIGKILL
    # killed mid-publish: the decisions are logged, the folder is the old one, whole
    assert len(logged(mini_outputs)) == 4
    for name, table in published(mini_outputs).items():
        pd.testing.assert_frame_equal(table, before[name], obj=name)

    again = run_import(book, mini_outputs)
    assert again.returncode == 0, again.stderr
    assert "were logged on" in again.stdout and "that import was interrupted" in again.stdout
    assert "rejected 4" in again.stdout
    assert not list(mini_outputs.parent.glob(f".{WAVE}.p*-*")), "a killed publish left files"

    import_review(book, reference)  # the same file, never interrupted
    pd.testing.assert_frame_equal(logged(mini_outputs), logged(reference))
    expected = published(reference)
    for name, table in published(mini_outputs).items():
        pd.testing.assert_frame_equal(table, expected[name], obj=name)

    third = run_import(book, mini_outputs)  # complete now: the same file changes nothing
    assert third.returncode == 0 and "the same file again changes nothing" in third.stdout
