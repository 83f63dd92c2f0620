"""Process setup for the entry points: nothing calls out, Prefect's local API may start slowly.

Called explicitly by the command line, the flow module and the test suite, before Prefect or the
embedding models are imported, never as a side effect of importing a package.
"""

from __future__ import annotations

import os

OFFLINE_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # The ephemeral API needs ~17 s to start on 2 cores, close to Prefect's default of 20 s.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def offline_environment() -> dict[str, str]:
    """Set the offline defaults where the environment does not already set them.

    Values already in the environment win. Returns the values now in force.
    """
    for name, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(name, value)
    return {name: os.environ[name] for name in OFFLINE_DEFAULTS}
