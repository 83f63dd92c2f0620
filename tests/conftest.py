"""Shared fixtures: paths to the small real test waves and codebook under tests/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Nothing in the test suite may call out, and Prefect's local API needs time on 2 cores.
for _name, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}.items():
    os.environ.setdefault(_name, _value)

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
