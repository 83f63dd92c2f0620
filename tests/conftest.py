"""Shared fixtures: paths to the small real test waves and codebook under tests/data."""

from __future__ import annotations

from pathlib import Path

import pytest

# Nothing in the test suite may call out, and Prefect's local API needs time on 2 cores: the
# same offline defaults the flows set, applied before any test imports Prefect or the models,
# and spaCy loaded as the command line loads it (without PyTorch, until something embeds).
from flows.setup import offline_environment, spacy_without_torch

offline_environment()
spacy_without_torch()

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data."""
    return DATA


@pytest.fixture(scope="session")
def waves_dir() -> Path:
    """tests/data/waves: small wave folders (with and without wave.yaml, with a broken file)."""
    return DATA / "waves"


@pytest.fixture(scope="session")
def mini_codebook():
    """The small test codebook, loaded and validated."""
    from pipeline.config import load_codebook

    return load_codebook(DATA / "codebook-mini.yaml")


@pytest.fixture(scope="session")
def comments_codebook():
    """The three-code patient-comments codebook (parking, food & drink, staff manner)."""
    from pipeline.config import load_codebook

    return load_codebook(DATA / "codebook-comments.yaml")


@pytest.fixture(scope="session")
def comments_gold():
    """A small human-coded set of patient comments (three separable codes), loaded."""
    from pipeline.config import load_codebook
    from pipeline.quality.gold import load_gold

    return load_gold(DATA / "gold" / "comments.csv",
                     load_codebook(DATA / "codebook-comments.yaml"))


@pytest.fixture(scope="session")
def mini_outputs_template(tmp_path_factory, mini_codebook) -> Path:
    """The mini wave's outputs, written once; copy it (``mini_outputs``) before changing it."""
    from support_review import write_mini_outputs

    return write_mini_outputs(tmp_path_factory.mktemp("template") / "mini-2013", mini_codebook)


@pytest.fixture()
def mini_outputs(tmp_path, mini_outputs_template) -> Path:
    """A fresh copy of the mini wave's outputs under ``tmp_path/outputs/`` (its database
    goes beside it, in ``tmp_path/outputs/wavecoder.duckdb``)."""
    import shutil

    return Path(shutil.copytree(mini_outputs_template, tmp_path / "outputs" / "mini-2013"))


@pytest.fixture(scope="module")
def topic_segments(data_dir):
    """tests/data/topics/segments.csv as read, and as the segments table topics are found in."""
    import pandas as pd

    from pipeline import schema as s

    raw = pd.read_csv(data_dir / "topics" / "segments.csv")
    segments = raw.assign(**{s.DOCUMENT_ID: raw[s.SEGMENT_ID], s.WAVE: "w", s.START: 0,
                             s.END: raw[s.TEXT].str.len(), s.SPEAKER: None, s.CONTEXT: None})
    return raw, s.conform(segments, s.SEGMENTS)
