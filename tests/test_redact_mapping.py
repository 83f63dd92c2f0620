"""The redaction mapping file: owner-only from the first byte, replaced atomically, read back."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.errors import InputError, MissingInputError
from pipeline.redact import read_mapping, write_mapping

MAPPING = pd.DataFrame({
    s.WAVE: ["w1", "w1", "w1"],
    s.PLACEHOLDER: ["[PERSON_1]", "[PHONE_1]", "[PHONE_1]"],
    s.ENTITY_TYPE: ["PERSON", "PHONE", "PHONE"],
    s.ORIGINAL: ["Chidi Okafor", "07700 900123", "+44 7700 900123"],
})


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_mapping_file_is_owner_only_even_with_a_permissive_umask(tmp_path):
    previous = os.umask(0)
    try:
        path = write_mapping(MAPPING, tmp_path / "private" / "redaction_mapping.csv")
    finally:
        os.umask(previous)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert sorted(p.name for p in path.parent.iterdir()) == ["redaction_mapping.csv"]
    pd.testing.assert_frame_equal(read_mapping(path), s.conform(MAPPING, s.REDACTION_MAPPING))


def test_rewriting_replaces_a_world_readable_file_in_one_rename(tmp_path, monkeypatch):
    path = tmp_path / "redaction_mapping.csv"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    created = []
    real_replace = os.replace

    def watching_replace(src, dst):
        created.append(_mode(src))  # the temporary file, before it takes the name
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching_replace)
    write_mapping(MAPPING, path)
    assert created == [0o600]
    assert _mode(path) == 0o600
    assert read_mapping(path)[s.ORIGINAL].tolist() == MAPPING[s.ORIGINAL].tolist()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "redaction_mapping.csv"
    write_mapping(MAPPING, path)
    before = path.read_bytes()
    with pytest.raises(KeyError):
        write_mapping(MAPPING.drop(columns=[s.ORIGINAL]), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["redaction_mapping.csv"]


def test_reading_a_missing_or_foreign_file_names_the_file_only(tmp_path):
    with pytest.raises(MissingInputError, match="nothing.csv"):
        read_mapping(tmp_path / "nothing.csv")
    foreign = tmp_path / "foreign.csv"
    foreign.write_text("name,secret\nGary,07700 900123\n", encoding="utf-8")
    with pytest.raises(InputError, match="foreign.csv: not a redaction mapping") as raised:
        read_mapping(foreign)
    assert "Gary" not in str(raised.value) and "07700" not in str(raised.value)
