"""Trained linear coders learn separable codes and point at the words that decided."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.linear import BaselineCoder, LinearCoder


@pytest.fixture(scope="module")
def gold(comments_gold):
    return comments_gold


@pytest.fixture(scope="module")
def trained(gold):
    return LinearCoder(codebook="comments@1").fit(gold.texts, gold.labels, gold.code_ids,
                                                  gold.extra["FFT question"].tolist())


UNSEEN = ["The car park had no free spaces at all", "Meals were cold and the tea was weak",
          "Such friendly and kind nurses", "Nothing else to say"]


def test_learns_separable_codes(trained):
    assert trained.predict(UNSEEN).tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]]


def test_thresholds_are_validated_per_code(trained):
    assert set(trained.thresholds) == {"parking", "food_drink", "staff_manner"}
    assert all(0.05 <= t <= 0.95 for t in trained.thresholds.values())
    assert any(t != 0.5 for t in trained.thresholds.values())


def test_codings_carry_probability_and_evidence_offsets(trained):
    text = "Honestly the car park was full again today"
    segments = pd.DataFrame({s.SEGMENT_ID: ["x"], s.START: [100], s.TEXT: [text],
                             s.CONTEXT: ["How could we improve?"]})
    codings = trained.code(segments)
    row = codings.set_index(s.CODE_ID).loc["parking"]
    assert row[s.EVIDENCE].lower() in {"car park", "park", "car"}
    assert text[row[s.START] - 100:row[s.END] - 100] == row[s.EVIDENCE]
    assert 0.5 <= row[s.CONFIDENCE] <= 1 and row[s.METHOD] == "trained"
    assert row[s.CODER] == "linear-v1:comments@1" and row[s.STATUS] == "machine"


def test_codes_with_too_few_examples_are_not_learned(gold):
    labels = gold.labels.copy()
    keep = np.flatnonzero(labels[:, 0])[:3]
    labels[:, 0] = 0
    labels[keep, 0] = 1
    coder = LinearCoder(embeddings=False).fit(gold.texts, labels, gold.code_ids)
    assert coder.not_learned == {"parking": "3 positive examples (< 5)"}
    assert coder.predict(UNSEEN)[:, 0].tolist() == [0, 0, 0, 0]


def test_baseline_svc_cuts_at_zero(gold):
    baseline = BaselineCoder().fit(gold.texts, gold.labels, gold.code_ids)
    assert set(baseline.thresholds.values()) == {0.0}
    assert baseline.predict(UNSEEN[:3]).tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
