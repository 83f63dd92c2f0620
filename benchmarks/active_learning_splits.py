"""Active learning over several splits: each queue order against random, split by split, averaged.

    .venv/bin/python benchmarks/active_learning_splits.py docs/active-learning-seeds.csv \
        docs/active-learning-shortlist-seeds.csv [--chart docs/active-learning-splits.png]

Reads the round-by-round CSVs that ``bench_active_learning.py`` writes, with a ``seed`` column
added (one split per seed), and compares every queue order with the random rounds of the same
seed. A queue order is named by its file and strategy (``active-learning-seeds:queue``); the
random rounds may come from any of the files. Printed per split and order: mean macro-F1 from
300 to 1,400 labels and over the whole pool, the share of random's labels with which the queue
first reaches random's final macro-F1 (the whole pool's), how many of random's rounds from 800
labels on it reaches with at most 60 % of their labels, and the median of those shares, and
each order's mean over the splits. Then the curves averaged over the splits (rounds of 100
labels every split has): their means, and the share with which each averaged queue curve
reaches the averaged random curve at 800, 1,400, 2,000, 3,000 and 3,600 labels.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

END_POINTS_FROM = 800
AVERAGED_AT = (800, 1_400, 2_000, 3_000, 3_600)
TARGET_SHARE = 0.6


def read_rounds(paths: list[Path]) -> pd.DataFrame:
    """Every file's rounds, ``order`` naming each queue order by file and strategy."""
    frames = []
    for path in paths:
        frame = pd.read_csv(path)
        missing = {"seed", "strategy", "labels", "macro_f1"} - set(frame.columns)
        if missing:
            raise SystemExit(f"{path}: no column {', '.join(sorted(missing))}")
        frame["order"] = np.where(frame["strategy"] == "random", "random",
                                  path.stem + ":" + frame["strategy"])
        frames.append(frame)
    rounds = pd.concat(frames, ignore_index=True)
    return rounds.drop_duplicates(subset=["order", "seed", "labels"])


def first_reaching(queue: pd.DataFrame, macro_f1: float) -> float:
    """Labels of the queue's first round at or above ``macro_f1`` (NaN when none is)."""
    reached = queue.loc[queue["macro_f1"] >= macro_f1, "labels"]
    return float(reached.min()) if len(reached) else float("nan")


def split_figures(queue: pd.DataFrame, random: pd.DataFrame) -> dict[str, float]:
    """One split's figures for one queue order against random's rounds."""
    both = queue.merge(random, on="labels", suffixes=("_queue", "_random"))
    band = both[both["labels"].between(300, 1_400)]
    final = random.sort_values("labels").iloc[-1]
    ends = random[random["labels"] >= END_POINTS_FROM]
    shares = np.array([first_reaching(queue, end.macro_f1) / end.labels
                       for end in ends.itertuples()])
    return {"mean 300-1,400": band["macro_f1_queue"].mean(),
            "random's": band["macro_f1_random"].mean(),
            "mean, whole pool": both["macro_f1_queue"].mean(),
            "random's, whole pool": both["macro_f1_random"].mean(),
            "reaches the final with": first_reaching(queue, final.macro_f1) / final.labels,
            f"ends at or under {TARGET_SHARE:.0%}": int((shares <= TARGET_SHARE).sum()),
            "end points": len(shares), "median share": float(np.nanmedian(shares))}


def averaged(rounds: pd.DataFrame, order: str) -> pd.Series:
    """An order's macro-F1 averaged over the splits, at the rounds of 100 every split has."""
    chosen = rounds[(rounds["order"] == order) & (rounds["labels"] % 100 == 0)]
    by_labels = chosen.groupby("labels")["macro_f1"]
    every = by_labels.count() == chosen["seed"].nunique()
    return by_labels.mean()[every]


def write_chart(rounds: pd.DataFrame, orders: list[str], path: Path) -> None:
    """A chart of each order's macro-F1 averaged over the splits, random's among them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.2))
    for order in ["random", *orders]:
        curve = averaged(rounds, order)
        axes.plot(curve.index, curve.values, "-" if order == "random" else "o-", markersize=3,
                  label=order.split(":")[0] if order != "random" else "random")
    final = averaged(rounds, "random")
    axes.axhline(final.iloc[-1], color="grey", linewidth=0.8, linestyle=":")
    axes.set_xlabel("labelled comments")
    axes.set_ylabel("macro-F1 on held-out comments, mean of the splits")
    axes.set_title(f"Active learning, {rounds['seed'].nunique()} NHS splits averaged")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> None:
    """Print the per-split table and the averaged shares; ``--chart`` also draws the curves."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, nargs="+")
    parser.add_argument("--chart", type=Path, default=None,
                        help="write the averaged curves to this PNG")
    args = parser.parse_args()
    rounds = read_rounds(args.csv)
    orders = [o for o in dict.fromkeys(rounds["order"]) if o != "random"]
    random = rounds[rounds["order"] == "random"]
    rows = []
    for order in orders:
        for seed in dict.fromkeys(rounds.loc[rounds["order"] == order, "seed"]):
            queue = rounds[(rounds["order"] == order) & (rounds["seed"] == seed)]
            rows.append({"order": order, "seed": seed,
                         **split_figures(queue, random[random["seed"] == seed])})
    table = pd.DataFrame(rows)
    means = table.drop(columns="seed").groupby("order", sort=False).mean().reset_index()
    table = pd.concat([table, means.assign(seed="mean")], ignore_index=True)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
    mean_random = averaged(rounds, "random")
    for order in orders:
        curve = averaged(rounds, order)
        shares = [f"{at:,}: {first_reaching(curve.reset_index(), mean_random[at]) / at:.0%}"
                  for at in AVERAGED_AT if at in mean_random.index]
        print(f"{order}, averaged over the splits: mean macro-F1 {curve.mean():.3f} (random "
              f"{mean_random.mean():.3f}), from 300 to 1,400 labels "
              f"{curve.loc[300:1_400].mean():.3f} ({mean_random.loc[300:1_400].mean():.3f}); "
              "reaches random's averaged macro-F1 at " + ", ".join(shares))
    if args.chart is not None:
        write_chart(rounds, orders, args.chart)
        print(f"chart: {args.chart}")


if __name__ == "__main__":
    main()
