"""Measure coders against a gold set: cross-validated where they learn, side by side.

Every trained coder is scored on the same folds (multilabel-stratified, or by a gold column
such as the session: :mod:`pipeline.quality.groups`); the rule coder needs no training and is
scored on every text. Scores count a child code for its parents, as the coded
datasets do, and only codes with enough gold examples are scored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.coding.base import TrainableCoder
from pipeline.coding.features import rule_matrix
from pipeline.coding.registry import load_coder, new_coder
from pipeline.config import Codebook
from pipeline.errors import InputError
from pipeline.quality.evaluate import (
    DEFAULT_MIN_SUPPORT,
    Evaluation,
    cross_validate,
    folds,
    score,
    with_ancestors,
)
from pipeline.quality.gold import GoldSet
from pipeline.quality.groups import group_values, merge_repeats

CONTEXT_COLUMNS = ("context", "question", "FFT question")


def context_of(gold: GoldSet) -> list[str | None] | None:
    """The question each gold text answers, when the gold file has such a column."""
    for column in CONTEXT_COLUMNS:
        if column in gold.extra.columns:
            return gold.extra[column].tolist()
    return None


def known_of(gold: GoldSet, attributes: Sequence[str] = ()) -> pd.DataFrame:
    """What a coder may be told about each gold text: its question (``context``), attributes.

    Only the named ``attributes`` are passed on (never the file's other columns, which may be
    labels such as a coder's sentiment score); ValueError names the columns there are.
    """
    missing = [a for a in attributes if a not in gold.extra.columns]
    if missing:
        raise InputError(f"{gold.source}: no attribute column {missing} (columns: "
                         f"{', '.join(map(str, gold.extra.columns))})")
    frame = gold.extra[list(attributes)].reset_index(drop=True).copy()
    frame[s.CONTEXT] = context_of(gold)
    return frame


def fold_predictor(name: str, codebook: Codebook, attributes: Sequence[str] = (),
                   neighbours: float | str | None = None
                   ) -> Callable[[GoldSet, GoldSet], tuple]:
    """Train ``name`` on one gold set and predict another (one cross-validation fold).

    ``neighbours``: the nearest training texts' vote, in place of the kind's default.
    """

    def predict(train: GoldSet, test: GoldSet) -> tuple[np.ndarray, None]:
        coder = new_coder(name, codebook, attributes=attributes, neighbours=neighbours)
        assert isinstance(coder, TrainableCoder), name  # measure() cross-validates only these
        coder.fit(train.texts, train.labels, train.code_ids, known_of(train, attributes))
        return coder.predict(test.texts, known_of(test, attributes)), None

    return predict


@dataclass
class Measured:
    """An evaluation with what it cost: training seconds per fold, texts coded per second."""

    evaluation: Evaluation
    seconds: dict[str, float] = field(default_factory=dict)


def uses_hierarchy(gold: GoldSet, codebook: Codebook) -> bool:
    """Whether the gold coders applied parent codes as well as children (then roll up)."""
    return any(set(codebook.ancestors(c)) & set(gold.code_ids) for c in gold.code_ids)


def measure(gold: GoldSet, codebook: Codebook, names: list[str], *, n_folds: int = 5,
            seed: int = 42, min_support: int = DEFAULT_MIN_SUPPORT, n_boot: int = 500,
            roll_up: bool | None = None, attributes: Sequence[str] = (),
            group: str | None = None, jobs: int = 1,
            neighbours: float | str | None = None,
            progress: Callable[[str], None] | None = None) -> list[Measured]:
    """Score each named coder on ``gold``; trained coders by ``n_folds``-fold cross-validation.

    With ``roll_up`` (default: when the gold set itself uses parent codes) a child counts for
    its parents on both sides. Scored codes: those with at least ``min_support`` gold examples.
    ``attributes``: gold columns the linear and hybrid coders may use as features.
    ``group``: a gold column (e.g. Taguette's ``document``) whose texts stay in one fold; the
    same text twice in one group is first merged into one item (:func:`merge_repeats`).
    ``jobs``: folds trained at once, each in its own process (the same predictions).
    ``neighbours``: the linear and hybrid coders' vote of the nearest training texts (a
    weight, or ``"auto"``), in place of each kind's default.
    Returns one :class:`Measured` per coder, in the order given.
    """
    roll_up = uses_hierarchy(gold, codebook) if roll_up is None else roll_up
    known_of(gold, attributes)  # fail before any training if an attribute is missing
    groups = None
    if group is not None:
        gold = merge_repeats(gold, group)
        groups = group_values(gold, group, n_folds)
    if len(gold.texts) < n_folds:
        raise InputError(f"{gold.source}: {len(gold.texts)} texts, too few for {n_folds}-fold "
                         "cross-validation: code more texts, or lower --folds (2 at least)")
    splits = folds(gold.labels, n_folds, seed, groups=groups)
    coders = [(name, new_coder(name, codebook, attributes=attributes, neighbours=neighbours))
              for name in names]  # a setting that does not apply fails before any training
    results = []
    for name, coder in coders:
        trainable = isinstance(coder, TrainableCoder)
        started = time.perf_counter()
        if not trainable:  # nothing to learn: scored on every text
            pred = rule_matrix(coder, gold.texts, gold.code_ids)
        else:
            predictor = fold_predictor(name, codebook, attributes, neighbours)
            pred, _ = cross_validate(predictor, gold, splits,
                                     jobs=jobs,
                                     progress=(lambda k, n=name: progress(f"{n}: fold {k}"))
                                     if progress else None)
        elapsed = time.perf_counter() - started
        evaluation = score_predictions(gold, pred, codebook, name, roll_up=roll_up,
                                       min_support=min_support, n_boot=n_boot, seed=seed)
        evaluation.summary.update(
            folds=n_folds if trainable else 0, attributes=list(attributes),
            grouped_by=group if trainable else None,
            n_groups=len(set(groups)) if trainable and groups is not None else None)
        results.append(Measured(evaluation, {"total": round(elapsed, 1)}))
    return results


def score_predictions(gold: GoldSet, pred: np.ndarray, codebook: Codebook, coder: str, *,
                      roll_up: bool, min_support: int = DEFAULT_MIN_SUPPORT, n_boot: int = 500,
                      seed: int = 42) -> Evaluation:
    """Score 0/1 predictions (texts × ``gold.code_ids``) as :func:`measure` does.

    With ``roll_up`` a child counts for its parents on both sides; scored codes are those with
    at least ``min_support`` gold examples; the summary names the gold file and its hash.
    """
    if roll_up:
        truth, all_codes = with_ancestors(gold.labels, gold.code_ids, codebook)
        pred, _ = with_ancestors(pred, gold.code_ids, codebook)
    else:
        truth, all_codes = gold.labels, list(gold.code_ids)
    scored = [j for j, _ in enumerate(all_codes) if truth[:, j].sum() >= min_support]
    if not scored:
        most = max(range(len(all_codes)), key=lambda j: truth[:, j].sum(), default=None)
        best = (f" (most: {all_codes[most]}, {int(truth[:, most].sum())})"
                if most is not None else "")
        raise InputError(f"{gold.source}: no code has {min_support} or more examples among "
                         f"its {len(gold.texts)} texts{best}, so nothing can be scored; code "
                         "more texts, or lower --min-support")
    evaluation = score(truth[:, scored], pred[:, scored], [all_codes[j] for j in scored],
                       coder=coder, labels=codebook.labels(), n_boot=n_boot, seed=seed)
    evaluation.summary.update(
        seed=seed, min_support=min_support, roll_up=roll_up, gold=gold.source,
        gold_sha256=gold.sha256,
        gold_provenance=gold.provenance.model_dump(mode="json") if gold.provenance else None)
    return evaluation


def saved_predictions(directory: Path, gold: GoldSet, codebook: Codebook) -> np.ndarray:
    """0/1 decisions of the model saved in ``directory`` on every gold text, as it is.

    Columns follow ``gold.code_ids``. A gold code the model was not fitted on is decided as a
    run codes it: by the codebook's rules for the kinds that keep them beside the model
    (hybrid, few-shot: ``rules_beside``), else never. The model is given each text's question
    and the gold file's other columns, from which it takes only the attributes it was trained
    with (InputError names any it lacks).
    """
    coder = load_coder(Path(directory), codebook)
    known = gold.extra.reset_index(drop=True).copy()
    known[s.CONTEXT] = context_of(gold)
    decisions = coder.predict(gold.texts, known)
    pred = np.zeros_like(gold.labels)
    column = {c: j for j, c in enumerate(coder.code_ids)}
    for j, code_id in enumerate(gold.code_ids):
        if code_id in column:
            pred[:, j] = decisions[:, column[code_id]]
    unfitted = [j for j, code_id in enumerate(gold.code_ids) if code_id not in column]
    rules = coder.rules_beside() if hasattr(coder, "rules_beside") and unfitted else None
    if rules is not None:
        pred[:, unfitted] = rule_matrix(rules, gold.texts, [gold.code_ids[j] for j in unfitted])
    return pred


def measure_saved(gold: GoldSet, codebook: Codebook, directory: Path, *,
                  roll_up: bool | None = None, min_support: int = DEFAULT_MIN_SUPPORT,
                  n_boot: int = 500, seed: int = 42) -> Measured:
    """Score a saved model on ``gold`` without retraining (``folds`` is 0 in its summary)."""
    roll_up = uses_hierarchy(gold, codebook) if roll_up is None else roll_up
    started = time.perf_counter()
    pred = saved_predictions(directory, gold, codebook)
    elapsed = time.perf_counter() - started
    evaluation = score_predictions(gold, pred, codebook, Path(directory).name, roll_up=roll_up,
                                   min_support=min_support, n_boot=n_boot, seed=seed)
    evaluation.summary.update(folds=0, model=str(directory))
    return Measured(evaluation, {"total": round(elapsed, 1)})
