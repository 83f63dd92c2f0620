"""Train a model: cross-validate it, train it on all of the gold file, save it with its card.

A model lives in a folder (e.g. ``models/<name>/``): the fitted coder as written by its
``to_disk`` (``config.json`` and ``arrays.npz``, or a spaCy pipeline; see
:mod:`pipeline.coding.disk`), ``card.json`` (data and its hash, date, codebook, per-code
cross-validated scores including kappa, thresholds, training time, the command that made it)
and a readable ``MODEL_CARD.md``. The wave flow loads it by name or folder (``--coder``).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Callable, Sequence

from pipeline.coding.base import TrainableCoder
from pipeline.coding.registry import TRAINABLE, new_coder
from pipeline.config import Codebook
from pipeline.errors import ConfigError
from pipeline.quality.card import ModelCard, write_card
from pipeline.quality.gold import GoldSet
from pipeline.quality.groups import merge_repeats
from pipeline.quality.measure import known_of, measure

COST_NOTE = "cross-validated on the gold file; the saved model is then trained on all of it"


def train_model(kind: str, gold: GoldSet, codebook: Codebook, out: Path, *, n_folds: int = 5,
                seed: int = 42, min_support: int = 10, attributes: Sequence[str] = (),
                group: str | None = None, jobs: int = 1, command: str = "",
                neighbours: float | str | None = None,
                progress: Callable[[str], None] | None = None) -> ModelCard:
    """Cross-validate ``kind`` on ``gold``, train it on all of it, save it and its card.

    ``command`` is how to make the model again (the card records it). ``group``: a gold
    column (the session) kept whole in every fold, the same text twice in a group merged.
    ``jobs``: cross-validation folds trained at once, each in its own process.
    ``neighbours``: the nearest training texts' vote (a weight, or ``"auto"``) in place of
    the kind's default.
    ConfigError if ``kind`` is not a trainable coder.
    """
    coder = new_coder(kind, codebook, attributes=attributes, neighbours=neighbours)
    if not isinstance(coder, TrainableCoder):
        raise ConfigError(f"coder '{kind}' learns nothing to save (trainable: "
                          f"{', '.join(TRAINABLE)})")
    if group is not None:
        gold = merge_repeats(gold, group)
    measured = measure(gold, codebook, [kind], n_folds=n_folds, seed=seed, n_boot=200,
                       min_support=min_support, attributes=attributes, group=group,
                       jobs=jobs, neighbours=neighbours, progress=progress)[0]
    started = time.perf_counter()
    coder.fit(gold.texts, gold.labels, gold.code_ids, known_of(gold, attributes))
    train_seconds = round(time.perf_counter() - started, 1)
    evaluation = measured.evaluation.to_json()
    card = ModelCard(
        name=out.name, kind=kind, coder=coder.name, command=command,
        trained=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        data={"file": gold.source, "sha256": gold.sha256, "texts": len(gold.texts),
              "support": gold.support()},
        codebook={"id": codebook.id, "version": codebook.version, "sha256": codebook.sha256},
        cross_validation={**measured.evaluation.summary, "note": COST_NOTE},
        per_code=evaluation["per_code"], train_seconds=train_seconds, **coder.describe())
    coder.to_disk(out)
    write_card(card, out)
    return card
