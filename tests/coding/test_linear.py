"""Trained linear coders learn separable codes and point at the words that decided."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.linear import LinearCoder


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


def test_thresholds_are_what_out_of_fold_probabilities_give(gold):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold

    from pipeline.coding.thresholds import best_thresholds

    coder = LinearCoder(embeddings=False, shrink=0.0).fit(gold.texts, gold.labels,
                                                          gold.code_ids)
    # The same procedure, independently: 3 seeded folds of the training texts, a model per
    # code trained on two folds scores the third, and the F1-best cut on those scores wins.
    features = coder._features(gold.texts)
    held_out = np.zeros(gold.labels.shape)
    for train, test in KFold(3, shuffle=True, random_state=42).split(gold.texts):
        for j in range(len(gold.code_ids)):
            model = LogisticRegression(C=4.0, class_weight="balanced", max_iter=3000,
                                       random_state=42).fit(features[train],
                                                            gold.labels[train, j])
            held_out[test, j] = model.predict_proba(features[test])[:, 1]
    expected = best_thresholds(gold.labels, held_out, shrink=0.0)
    assert coder.threshold_vector().tolist() == pytest.approx(expected.tolist())
    assert coder.thresholds == {"parking": 0.45, "food_drink": 0.4, "staff_manner": 0.55}
    # never the texts being scored: the final model's own scores on them would pick other cuts
    own = coder.predict_proba(gold.texts)
    assert best_thresholds(gold.labels, own, shrink=0.0).tolist() != expected.tolist()


def test_character_ngram_evidence_is_widened_to_the_whole_word(gold):
    coder = LinearCoder(embeddings=False).fit(gold.texts, gold.labels, gold.code_ids)
    text = "Loads of parkers"  # "parkers" is no word of the training texts; "park" is in it
    assert coder.evidence(text, "parking") == (9, 16) and text[9:16] == "parkers"


def test_respondent_attributes_are_features_when_named():
    # The words say nothing; the rating decides. Coding time must bring the rating too.
    texts = [f"Visit number {i}" for i in range(40)]
    ratings = ["5" if i % 4 == 0 else "1" for i in range(40)]
    labels = np.array([[int(r == "5")] for r in ratings])
    known = pd.DataFrame({"rating": ratings, s.CONTEXT: "Why?"})
    coder = LinearCoder(embeddings=False, attributes=["rating"]).fit(texts, labels,
                                                                     ["complaint"], known)
    segments = pd.DataFrame({s.SEGMENT_ID: ["a", "b"], s.START: 0, s.TEXT: ["Visit 99"] * 2,
                             s.CONTEXT: "Why?", "rating": ["5", "1"]})
    codings = coder.code(segments)
    assert codings[s.SEGMENT_ID].tolist() == ["a"]
    row = codings.iloc[0]
    assert "Visit 99"[row[s.START]:row[s.END]] == row[s.EVIDENCE]
    assert coder.features_used()["attributes"] == ["rating"]
    with pytest.raises(ValueError, match=r"attributes \['rating'\] .* come without them"):
        coder.code(segments.drop(columns="rating"))


def test_a_runner_up_far_below_the_best_code_is_dropped_by_the_relative_cut(trained):
    import copy

    text = "Friendly nurses but nowhere to park"  # staff manner 0.89, parking 0.82
    segments = pd.DataFrame({s.SEGMENT_ID: ["x"], s.START: [0], s.TEXT: [text],
                             s.CONTEXT: ["How could we improve?"]})
    assert sorted(trained.code(segments)[s.CODE_ID]) == ["parking", "staff_manner"]
    strict = copy.deepcopy(trained)
    strict.relative_cut = 0.95  # 0.82 < 0.95 × 0.89: parking is a runner-up
    assert strict.code(segments)[s.CODE_ID].tolist() == ["staff_manner"]
    assert strict.predict([text]).tolist() == [[0, 0, 1]]


def test_the_relative_cut_is_learned_saved_and_loaded(gold, comments_codebook, tmp_path):
    import json

    from pipeline.coding.thresholds import best_relative_cut

    coder = LinearCoder(codebook="comments@1").fit(gold.texts, gold.labels, gold.code_ids)
    # The same held-out probabilities that set the thresholds choose the cut.
    held_out = coder.held_out_proba(coder._features(gold.texts), gold.labels)
    assert coder.relative_cut == best_relative_cut(gold.labels, held_out,
                                                   coder.threshold_vector()) == 0.7
    assert LinearCoder(relative=False).fit(gold.texts, gold.labels,
                                           gold.code_ids).relative_cut == 0.0
    coder.to_disk(tmp_path / "model")
    config = json.loads((tmp_path / "model" / "config.json").read_text(encoding="utf-8"))
    assert config["relative_cut"] == 0.7 and config["settings"]["relative"] is True
    book = comments_codebook
    assert LinearCoder.from_disk(tmp_path / "model", book).relative_cut == 0.7
    del config["relative_cut"], config["settings"]["relative"]  # a model saved before
    (tmp_path / "model" / "config.json").write_text(json.dumps(config), encoding="utf-8")
    old = LinearCoder.from_disk(tmp_path / "model", book)
    assert old.relative_cut == 0.0 and old.relative is False
