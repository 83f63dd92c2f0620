"""Two coders' files compared code by code, with kappa worked out by hand for the fixtures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests_paths import ROOT

from pipeline.errors import InputError
from pipeline.quality.agreement import cohen_kappa
from pipeline.quality.coder_agreement import agreement, agreement_json, match, pair_agreement
from pipeline.quality.gold import load_gold


@pytest.fixture(scope="module")
def book():
    from pipeline.config import load_codebook

    return load_codebook(ROOT / "models" / "codebooks" / "recovery-capital.yaml")


@pytest.fixture(scope="module")
def matched(data_dir, book):
    folder = data_dir / "agreement"
    return match(load_gold(folder / "coder-a.csv", book), load_gold(folder / "coder-b.csv", book),
                 book, ("A", "B"))


def test_only_the_items_both_files_hold_are_compared(matched):
    assert matched.gold.ids == [f"i{k}" for k in range(1, 11)]
    assert matched.only == {"A": 1, "B": 1}  # i11 and i12


def test_kappa_by_hand_with_child_codes_rolled_up(matched, book):
    (humans,) = agreement(matched, {}, book)
    table = humans.per_code.set_index("code_id")
    # the codes either coder used, a child counting for its parent
    assert list(table.index) == ["housing", "housing_gap", "mental_health",
                                 "employment_training"]
    # housing: A marks i1-i4 (i3, i4 through housing_gap), B i1-i3 and i5 (i2, i3 likewise):
    # 3 both, 1 each alone, 5 neither. p_o = 0.8, p_e = 0.4*0.4 + 0.6*0.6 = 0.52
    assert table.loc["housing", "kappa"] == round((0.8 - 0.52) / (1 - 0.52), 4) == 0.5833
    assert table.loc["housing", "f1"] == 0.75 and table.loc["housing", "agreement"] == 0.8
    assert table.loc["housing", "n[A]"] == 4 and table.loc["housing", "n[B]"] == 4
    # housing_gap: 1 both, 1 each alone, 7 neither: (0.8 - 0.68) / 0.32
    assert table.loc["housing_gap", "kappa"] == 0.375
    assert table.loc["employment_training", "kappa"] == 1.0
    assert table.loc["mental_health", "kappa"] == 0.0  # only A used it: no better than chance
    assert humans.summary["mean_kappa"] == round((0.5833 + 0.375 + 0 + 1) / 4, 4)
    assert humans.summary["n_items"] == 10 and humans.summary["n_codes"] == 4
    # alpha (nominal, 2 raters): 20 values, 8 ones, 12 zeros, 2 items in disagreement
    assert table.loc["housing", "alpha"] == round(1 - (20 - 1) * 2 / (8 * 12), 4) == 0.6042


def test_a_machine_sits_beside_the_coders_on_the_same_items(matched, book):
    machine = matched.first.copy()  # a machine that codes exactly like A...
    machine[:, matched.gold.code_ids.index("mental_health")] = 0  # ...except mental health
    pairs = agreement(matched, {"m": machine}, book)
    assert [p.raters for p in pairs] == [("A", "B"), ("m", "A"), ("m", "B")]
    vs_a = pairs[1].per_code.set_index("code_id")["kappa"]
    assert vs_a["housing"] == 1.0 and vs_a["mental_health"] == 0.0
    assert pairs[2].per_code["kappa"].tolist() == pairs[0].per_code["kappa"].tolist()[:2] + [
        pytest.approx(float("nan"), nan_ok=True), 1.0]  # m and B never mark mental health
    report = agreement_json(matched, pairs)
    assert report["n_items"] == 10 and report["only_in"] == {"A": 1, "B": 1}
    assert report["pairs"][2]["per_code"][2]["kappa"] is None  # undefined: null, not 0 or 1


def test_pair_agreement_is_the_shared_kappa_per_code():
    rng = np.random.default_rng(3)
    x, y = rng.integers(0, 2, (40, 3)), rng.integers(0, 2, (40, 3))
    pair = pair_agreement(x, y, ["a", "b", "c"], ("x", "y"))
    for j in range(3):
        assert math.isclose(pair.per_code["kappa"][j], round(cohen_kappa(x[:, j], y[:, j]), 4))


def test_files_with_no_item_in_common_are_refused(tmp_path, data_dir, book):
    other = tmp_path / "other.csv"
    other.write_text("segment_id,text,code_id\nz1,Something else entirely.,housing\n")
    with pytest.raises(InputError, match=r"coder-a.csv and other.csv: no item id in common"):
        match(load_gold(data_dir / "agreement" / "coder-a.csv", book), load_gold(other, book),
              book, ("A", "B"))


def test_a_trainable_coder_is_cross_validated_on_the_first_coder(tmp_path, data_dir):
    import pandas as pd

    from pipeline.config import load_codebook
    from pipeline.quality.coder_agreement import machine_decisions

    book = load_codebook(data_dir / "codebook-comments.yaml")
    first = data_dir / "gold" / "comments.csv"
    second = tmp_path / "second.csv"
    frame = pd.read_csv(first, dtype=str, keep_default_na=False)
    frame.loc[:5, "Parking"] = "0"  # a second coder who missed a few
    frame.to_csv(second, index=False)
    matched = match(load_gold(first, book), load_gold(second, book), book, ("A", "B"))
    machines = machine_decisions(matched, book, coders=["baseline"], n_folds=3)
    assert machines["baseline"].shape == matched.first.shape
    pairs = agreement(matched, machines, book)
    assert [p.raters for p in pairs] == [("A", "B"), ("baseline", "A"), ("baseline", "B")]
    vs_a = pairs[1].per_code.set_index("code_id")["kappa"]
    assert pairs[1].summary["n_items"] == 54 and vs_a.notna().all() and (vs_a > 0).all()
