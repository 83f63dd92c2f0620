"""A codebook REGEX that could hang a run is refused at load, naming the code and pattern
(issue 11: 12); the run never starts. A nested repeat or alternatives that can match the same
text inside a repeated group backtrack exponentially; anything that still runs long on a token
is stopped by the matcher's time limit (tests/coding/test_regex_tokens.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from support_faults import FAULTS, ROOT, run_wave

CASES = {"catastrophic-regex": ("^(\\w+\\s?)*$", "catastrophic backtracking"),
         "nested-star-regex": ("(a*)*b", "catastrophic backtracking"),
         "invalid-regex": ("[unclosed", "not a valid regular expression"),
         "same-alternatives-regex": ("(a|a)*b", "alternatives that can match the same text"),
         "overlapping-alternatives-regex": ("^(a|ab)*c$", "('a' and 'ab') inside a repeated"),
         "overlapping-classes-regex": ("(\\w|\\d)+!", "catastrophic backtracking")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_dangerous_regex_is_a_config_error_naming_code_and_pattern(tmp_path, name):
    pattern, why = CASES[name]
    result = run_wave(ROOT / "tests" / "data" / "waves" / "mini-wave", tmp_path / "out",
                      codebook=FAULTS / "codebooks" / f"{name}.yaml")
    assert result.exit_code == 2
    line = " ".join(result.stderr.split())
    assert f"{name}.yaml" in line and "code 'slow_code' patterns[0].tokens" in line
    assert f"REGEX '{pattern}'" in line and why in line
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_a_run_given_such_a_codebook_ends_at_once_in_its_own_process(tmp_path):
    """As a user types it, with a clock on it: the run ends in seconds, exit 2, one line."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", "from flows.cli import app; app()", "run",
         str(ROOT / "tests" / "data" / "waves" / "mini-wave"), "--out", str(tmp_path / "out"),
         "--no-topics", "--coder", "rules", "--codebook",
         str(FAULTS / "codebooks" / "overlapping-alternatives-regex.yaml")],
        capture_output=True, text=True, cwd=ROOT, timeout=180,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "300"})
    elapsed = time.monotonic() - started
    line = " ".join(done.stderr.split())
    assert done.returncode == 2, done.stderr
    assert "overlapping-alternatives-regex.yaml" in line
    assert "code 'slow_code' patterns[0].tokens: REGEX '^(a|ab)*c$'" in line
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()
    assert elapsed < 120, elapsed  # refused before Prefect starts or any text is read
