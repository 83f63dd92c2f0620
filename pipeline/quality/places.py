"""Where a run finds the measurements and models that choose its coder.

Kept apart from :mod:`pipeline.quality.choose` (which loads coders) so that a run's fingerprint
(:mod:`pipeline.fingerprint`) can name the same files without importing any coder.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / "models"  # the project's models, wherever the command runs
AGREEMENT_SUFFIX = ".agreement"  # models/codebooks/<codebook>.agreement/evaluation.json


def agreement_file(codebook_path: Path) -> Path | None:
    """The stored evaluation of the rule coder beside a codebook file, if there is one."""
    path = Path(codebook_path).with_suffix(AGREEMENT_SUFFIX) / "evaluation.json"
    return path if path.is_file() else None
