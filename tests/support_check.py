"""Shared by the codebook check tests: the check wave coded and published once per module."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
CHECK_WAVE = DATA / "waves" / "check-wave"
CHECK_CODEBOOK = DATA / "codebook-check.yaml"


def publish_check_wave(out_dir: Path) -> Path:
    """Code the check wave with codebook-check.yaml (rules) and publish it to ``out_dir``."""
    from support_review import publish_folder

    from pipeline.config import load_codebook

    publish_folder(CHECK_WAVE, out_dir, load_codebook(CHECK_CODEBOOK), CHECK_CODEBOOK)
    return out_dir


def segment_of(outputs: Path, text_start: str) -> str:
    """The id of the one segment whose text starts with ``text_start``."""
    import pandas as pd

    segments = pd.read_parquet(outputs / "segments.parquet")
    ids = segments.loc[segments["text"].str.startswith(text_start), "segment_id"]
    assert len(ids) == 1, text_start
    return str(ids.iloc[0])
