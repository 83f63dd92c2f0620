"""Agreement between two human coders' files, and a machine beside them on the same items.

Two gold files coded with one codebook are matched by item id; only items both files hold are
compared (the rest are counted, not guessed at). A child code counts for its parents on both
sides, as in scoring. Per code: Cohen's kappa, Krippendorff's alpha, F1 and percent agreement,
all from :mod:`pipeline.quality.agreement` (NaN where undefined, skipped by the means). A
machine is one more rater on the same items, so "machine vs A" and "machine vs B" sit beside
"A vs B": a team sees whether the machine codes like a second coder.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from pipeline.coding.base import TrainableCoder
from pipeline.coding.features import rule_matrix
from pipeline.coding.registry import new_coder
from pipeline.config import Codebook
from pipeline.errors import InputError
from pipeline.quality.agreement import cohen_kappa, krippendorff_alpha, percent_agreement
from pipeline.quality.evaluate import cross_validate, folds, with_ancestors
from pipeline.quality.gold import GoldSet
from pipeline.quality.measure import fold_predictor, saved_predictions


@dataclass
class Matched:
    """Two coders' decisions on the items both files hold, over every codebook code (rolled up).

    ``gold`` is the first file restricted to those items, its labels widened to every code (a
    machine predicts on its texts); ``only`` counts the items each file holds alone.
    """

    names: tuple[str, str]
    gold: GoldSet
    first: np.ndarray
    second: np.ndarray
    only: dict[str, int] = field(default_factory=dict)


def match(first: GoldSet, second: GoldSet, codebook: Codebook,
          names: tuple[str, str]) -> Matched:
    """Both files' decisions on their common items, in the first file's order, rolled up.

    InputError names both files when they share no item id.
    """
    position = {item: i for i, item in enumerate(second.ids)}
    rows = [i for i, item in enumerate(first.ids) if item in position]
    if not rows:
        raise InputError(f"{first.source} and {second.source}: no item id in common (the files "
                         "are matched by their id column)")
    common = first.subset(rows)
    a, codes = with_ancestors(common.labels, common.code_ids, codebook)
    b, _ = with_ancestors(second.labels[[position[item] for item in common.ids]],
                          second.code_ids, codebook)
    widened = GoldSet(common.ids, common.texts, a, codes, common.extra, common.source,
                      common.sha256)
    only = {names[0]: len(first.ids) - len(rows), names[1]: len(second.ids) - len(rows)}
    return Matched(names, widened, a, b, only)


@dataclass
class Pair:
    """Two raters' agreement on the same items: a per-code table and the means over codes."""

    raters: tuple[str, str]
    per_code: pd.DataFrame
    summary: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The summary with per-code rows, as plain JSON types (an undefined score: None)."""
        rows = self.per_code.astype(object).where(self.per_code.notna(), None)
        return {"raters": list(self.raters), **self.summary,
                "per_code": rows.to_dict(orient="records")}


def pair_agreement(x: np.ndarray, y: np.ndarray, codes: Sequence[str],
                   raters: tuple[str, str], labels: dict[str, str] | None = None) -> Pair:
    """Per-code kappa, alpha, F1 and percent agreement of two 0/1 raters (items × ``codes``).

    F1 takes either rater as the reference (it is symmetric). The summary holds the means over
    codes, each skipping codes where the score is undefined.
    """
    x, y = np.asarray(x, dtype=int), np.asarray(y, dtype=int)
    rows = []
    for j, code_id in enumerate(codes):
        both = np.vstack([x[:, j], y[:, j]])
        marked = int(x[:, j].sum() + y[:, j].sum())
        rows.append({
            "code_id": code_id, "label": (labels or {}).get(code_id, code_id),
            f"n[{raters[0]}]": int(x[:, j].sum()), f"n[{raters[1]}]": int(y[:, j].sum()),
            "kappa": round(cohen_kappa(x[:, j], y[:, j]), 4),
            "alpha": round(krippendorff_alpha(both), 4),
            "f1": round(2 * int((x[:, j] & y[:, j]).sum()) / marked, 4) if marked else np.nan,
            "agreement": round(percent_agreement(both), 4)})
    per_code = pd.DataFrame(rows)
    with warnings.catch_warnings():  # no code defined: a NaN mean, shown as blank / null
        warnings.simplefilter("ignore", RuntimeWarning)
        summary = {f"mean_{name}": round(float(np.nanmean(per_code[name])), 4)
                   if len(per_code) else float("nan")
                   for name in ("kappa", "alpha", "f1", "agreement")}
    summary["n_items"], summary["n_codes"] = int(len(x)), len(codes)
    return Pair(raters, per_code, summary)


def agreement(matched: Matched, machines: dict[str, np.ndarray], codebook: Codebook
              ) -> list[Pair]:
    """The two coders against each other, then each machine against each coder.

    ``machines`` maps a name to 0/1 decisions on ``matched.gold``'s texts and codes (rolled
    up here). Codes compared: those either coder used at least once.
    """
    used = [j for j in range(matched.first.shape[1])
            if matched.first[:, j].any() or matched.second[:, j].any()]
    codes = [matched.gold.code_ids[j] for j in used]
    labels = codebook.labels()
    a, b = matched.first[:, used], matched.second[:, used]
    pairs = [pair_agreement(a, b, codes, matched.names, labels)]
    for name, pred in machines.items():
        rolled, _ = with_ancestors(np.asarray(pred, dtype=int), matched.gold.code_ids, codebook)
        for human, decisions in zip(matched.names, (a, b), strict=True):
            pairs.append(pair_agreement(rolled[:, used], decisions, codes, (name, human),
                                        labels))
    return pairs


def machine_decisions(matched: Matched, codebook: Codebook, *, models: Sequence[Path] = (),
                      coders: Sequence[str] = (), n_folds: int = 5, seed: int = 42
                      ) -> dict[str, np.ndarray]:
    """Each machine's 0/1 decisions on the matched items, keyed by a name for the tables.

    A saved model (a folder) codes the texts as it is; the rule coder needs no training; a
    trainable kind is cross-validated on the first coder's decisions (out of fold), so it is
    never scored on an item it learned from.
    """
    gold = matched.gold
    out = {Path(folder).name: saved_predictions(Path(folder), gold, codebook)
           for folder in models}
    for name in coders:
        coder = new_coder(name, codebook)
        if isinstance(coder, TrainableCoder):
            out[name], _ = cross_validate(fold_predictor(name, codebook), gold,
                                          folds(gold.labels, n_folds, seed))
        else:
            out[name] = rule_matrix(coder, gold.texts, gold.code_ids)
    return out


def agreement_json(matched: Matched, pairs: Sequence[Pair]) -> dict[str, Any]:
    """What ``wavecoder agreement --json`` prints: items compared, items left out, every pair."""
    return {"files": list(matched.names), "n_items": len(matched.gold.ids),
            "only_in": matched.only, "roll_up": True,
            "pairs": [pair.to_json() for pair in pairs]}
