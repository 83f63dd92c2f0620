"""Numbers on the report: never shown as exactly 0 or 1 (100%) when they are not."""

from __future__ import annotations

import pytest

from pipeline.report.html import FORMATS
from pipeline.report.numbers import exact_ends, num, pct


@pytest.mark.parametrize(("value", "shown"), [
    (0.9995, "99.95%"), (0.99996, "99.99%"), (1.0, "100.0%"), (0.3333, "33.3%"),
    (0.0, "0.0%"), (0.0004, "0.04%"), (0.00001, "0.01%"), (float("nan"), "")])
def test_shares_near_the_ends_keep_their_side(value, shown):
    assert pct(value) == shown


@pytest.mark.parametrize(("value", "shown"), [
    (0.997, "0.997"), (0.9996, "0.999"), (1.0, "1.00"), (0.81234, "0.81"), (-0.9999, "-0.999"),
    (0.001, "0.001"), (0.0, "0.00")])
def test_kappa_near_one_is_not_one(value, shown):
    assert num(value) == shown
    assert FORMATS["num"](value) == shown  # the report's tables format kappa so


def test_the_shown_value_is_never_past_the_true_one():
    for value in (0.99949, 0.99951, 0.999999, 0.0000001):
        shown = float(exact_ends(value, 1, 100.0))
        assert shown != 100.0 and shown != 0.0
        assert (shown <= value * 100) if value > 0.5 else (shown >= value * 100)


def test_import_review_prints_agreement_with_the_same_rule():
    from flows.cli_sample import score_text  # the review and sample tables' numbers

    assert [score_text(v) for v in (0.9996, 0.5, 1.0, float("nan"))] == [
        "0.9996", "0.500", "1.000", "nan"]
