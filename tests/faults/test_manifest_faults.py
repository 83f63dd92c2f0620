"""Files outside the wave folder are never read: a manifest ``file:`` that leaves it is a
ConfigError naming wave.yaml and the field; a link out of the folder is a rejected file
(issue 11: 3, 5).
"""

from __future__ import annotations

import pandas as pd
import pytest
from support_faults import copy_wave, run_wave

CASES = {"absolute-path": "/etc/passwd", "dot-dot": "../../secret/secret.txt",
         "dot-dot-glob": "../*/*.csv", "windows-drive": "C:\\data\\x.csv"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_file_outside_the_wave_folder_is_refused(tmp_path, name):
    secret = tmp_path / "secret" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("a secret nobody listed\n")
    folder = copy_wave(f"manifests/{name}", tmp_path)
    result = run_wave(folder, tmp_path / "out")
    assert result.exit_code == 2
    line = " ".join(result.stderr.split())
    assert "wave.yaml" in line and "sources[0].file" in line, line
    assert "leave the wave folder" in line or "absolute path" in line
    assert not (tmp_path / "out").exists()  # refused before anything ran


def test_a_link_out_of_the_wave_folder_is_rejected_not_followed(tmp_path):
    folder = copy_wave("shadow-wave", tmp_path)
    outside = tmp_path / "in" / "elsewhere" / "private.txt"
    outside.parent.mkdir()
    outside.write_text("Respondent: words that are not part of this wave at all\n")
    (folder / "linked.txt").symlink_to(outside)
    result = run_wave(folder, tmp_path / "out")
    assert result.exit_code == 0, result.output
    outputs = tmp_path / "out" / "shadow-wave"
    rejected = pd.read_csv(outputs / "rejected.csv", dtype=str)
    (detail,) = rejected.loc[rejected["source"] == "linked.txt", "detail"]
    assert "linked.txt: a link to a file outside the wave folder; not read" in detail
    documents = pd.read_parquet(outputs / "documents.parquet")
    assert not documents["text"].str.contains("not part of this wave").any()
    assert len(documents) == 5
