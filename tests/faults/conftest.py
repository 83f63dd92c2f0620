"""Fault tests run waves through the command line against one real, ephemeral Prefect API."""

from __future__ import annotations

import pytest
from prefect.testing.utilities import prefect_test_harness


@pytest.fixture(scope="session", autouse=True)
def prefect_api_for_faults():
    """One ephemeral Prefect API for the fault tests (it takes ~20 s to start)."""
    with prefect_test_harness(server_startup_timeout=120):
        yield
