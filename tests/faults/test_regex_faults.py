"""A codebook REGEX that could hang a run is refused at load, naming the code and pattern
(issue 11: 12); the run never starts."""

from __future__ import annotations

import pytest
from support_faults import FAULTS, ROOT, run_wave

CASES = {"catastrophic-regex": ("^(\\w+\\s?)*$", "catastrophic backtracking"),
         "nested-star-regex": ("(a*)*b", "catastrophic backtracking"),
         "invalid-regex": ("[unclosed", "not a valid regular expression")}


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
