"""Cross-validation by group: every text of one session (respondent, site...) in one fold.

Interview highlights repeat within and across sessions, and a session's texts share its
speakers' words, so random folds score a coder on sessions it has partly read. Grouping by a
gold column (Taguette's ``document``) keeps each session whole: the score is what a coder
trained on some sessions does on a new one.

Before grouping, the same text coded twice in the same group (two highlights of the same words
in one session) becomes one item with both codes, as one text coded with two tags is; the same
text in two sessions stays two items, one per session.
"""

from __future__ import annotations

import numpy as np

from pipeline.errors import InputError
from pipeline.quality.gold import GoldSet


def group_values(gold: GoldSet, column: str, n_folds: int) -> list[str]:
    """Each gold text's value of ``column`` (a blank is a group of its own value, "").

    InputError names the file and the column when the column is missing or holds fewer
    distinct values than ``n_folds`` (a fold would get no group).
    """
    if column not in gold.extra.columns:
        raise InputError(f"{gold.source}: no column '{column}' to group folds by (columns: "
                         f"{', '.join(map(str, gold.extra.columns)) or 'none'})")
    values = [str(v).strip() for v in gold.extra[column].tolist()]
    n_groups = len(set(values))
    if n_groups < n_folds:
        raise InputError(f"{gold.source}: column '{column}' has {n_groups} group"
                         f"{'s' * (n_groups != 1)}, fewer than the {n_folds} folds")
    return values


def merge_repeats(gold: GoldSet, column: str) -> GoldSet:
    """One item per (group, text): repeats within a group merged, their codes combined.

    The first occurrence keeps its id and other columns; a text in several groups stays one
    item per group. InputError names the file when ``column`` is missing.
    """
    if column not in gold.extra.columns:
        group_values(gold, column, 0)  # raises, naming the file and the column
    first: dict[tuple[str, str], int] = {}
    keep: list[int] = []
    labels = gold.labels.copy()
    for i, (group, text) in enumerate(zip(gold.extra[column].astype(str).str.strip(),
                                          gold.texts, strict=True)):
        key = (group, text.strip())
        if key in first:
            labels[first[key]] |= gold.labels[i]
        else:
            first[key] = i
            keep.append(i)
    merged = gold.subset(keep)
    merged.labels = labels[keep]
    return merged


def grouped_folds(groups: list[str], n_folds: int, seed: int
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs where no group is in two folds, fold sizes balanced.

    Groups are taken in a seeded random order, each to the fold with the fewest texts so far
    (ties: the first), so folds differ by at most one group's size and the seed changes which
    groups are tested together. Callers check the number of groups (:func:`group_values`).
    """
    names, index = np.unique(np.asarray(groups, dtype=str), return_inverse=True)
    sizes = np.bincount(index, minlength=len(names))
    fold_of = np.zeros(len(names), dtype=int)
    filled = np.zeros(n_folds, dtype=int)
    for g in np.random.default_rng(seed).permutation(len(names)):
        fold_of[g] = int(np.argmin(filled))
        filled[fold_of[g]] += sizes[g]
    row_fold = fold_of[index]
    every = np.arange(len(groups))
    return [(every[row_fold != k], every[row_fold == k]) for k in range(n_folds)]
