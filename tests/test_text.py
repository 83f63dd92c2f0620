"""Small text helpers (``pipeline/text.py``)."""

from __future__ import annotations

from pipeline.text import some_of


def test_some_of_names_the_first_few_and_counts_the_rest():
    codes = ["staff", "parking", "food_drink", "transport"]
    assert some_of(codes, 2) == "staff, parking and 2 more"
    assert some_of(codes, 4) == "staff, parking, food_drink, transport"
    assert some_of(["a 9% → 80%", "b 1% → 6%", "c 6% → 12%"], 2, sep="; ") == \
        "a 9% → 80%; b 1% → 6%; and 1 more"
