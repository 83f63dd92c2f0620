"""The baseline coder: TF-IDF words and characters, a linear SVC per code cut at 0."""

from __future__ import annotations

from pipeline.coding.baseline import BaselineCoder

UNSEEN = ["The car park had no free spaces at all", "Meals were cold and the tea was weak",
          "Such friendly and kind nurses"]


def test_baseline_svc_cuts_at_zero(comments_gold):
    gold = comments_gold
    baseline = BaselineCoder().fit(gold.texts, gold.labels, gold.code_ids)
    assert set(baseline.thresholds.values()) == {0.0}
    assert baseline.predict(UNSEEN).tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert baseline.describe()["features"] == {"words": "tf-idf 1-2 grams",
                                               "characters": "tf-idf char_wb 2-5 grams"}
