"""The neighbours' vote of benchmarks/bench_knn_blend.py: its weights, and its blend's edges."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

TEXTS = ["the ambulance arrived late and the crew were rude",
         "transport to the clinic was late again",
         "the driver was kind and on time",
         "staff listened and explained my care",
         "nurses explained the treatment clearly",
         "the doctor listened to me",
         "waited hours for the ambulance",
         "my care plan was explained well",
         "the patient transport van never came",
         "the receptionist explained the wait",
         "the paramedics took me to hospital quickly",
         "they told me what would happen next"]
LABELS = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1], [1, 0], [0, 1],
                   [1, 0], [0, 1], [1, 0], [0, 1]])  # six of each: both codes are learned


@pytest.fixture()
def blend(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # the benchmarks import each other flat
    import bench_knn_blend

    return bench_knn_blend


def test_vote_is_the_similarity_weighted_share_of_the_nearest(blend):
    similarity = np.array([[0.9, 0.1, 0.6, -0.5],
                           [0.0, 0.8, 0.2, 0.4]])
    target = np.array([[1, 0], [0, 1], [1, 1], [0, 1]])
    votes = blend.vote(similarity, target, k=2)
    # row 0: nearest are 0 (0.9) and 2 (0.6); row 1: 1 (0.8) and 3 (0.4)
    np.testing.assert_allclose(votes, [[1.0, 0.6 / 1.5], [0.0, 1.0]])
    # a negative similarity among the nearest weighs nothing
    np.testing.assert_allclose(blend.vote(similarity, target, k=4)[0],
                               [(0.9 + 0.6) / 1.6, (0.1 + 0.6) / 1.6])


def test_weight_zero_is_the_coder_itself_and_weight_one_the_vote(blend):
    from pipeline.coding.linear import LinearCoder

    class StaticBlend(blend.KnnBlend, LinearCoder):
        pass

    plain = LinearCoder(embedding="static", threshold_folds=2).fit(
        TEXTS, LABELS, ["transport", "communication"])
    unblended = StaticBlend(embedding="static", threshold_folds=2)
    unblended.weight = 0.0
    unblended.fit(TEXTS, LABELS, ["transport", "communication"])
    new = ["the ambulance crew were late", "they explained everything"]
    assert unblended.learned == plain.learned == ["transport", "communication"]
    np.testing.assert_array_equal(unblended.predict_proba(new), plain.predict_proba(new))

    voted = StaticBlend(embedding="static", threshold_folds=2)
    voted.weight, voted.k = 1.0, 3
    voted.fit(TEXTS, LABELS, ["transport", "communication"])
    proba = voted.predict_proba(new)
    vectors = blend._unit(np.asarray(voted._embed(new), dtype=float))
    train = blend._unit(np.asarray(voted._embed(TEXTS), dtype=float))
    np.testing.assert_allclose(proba, blend.vote(vectors @ train.T, LABELS, 3))
    # the nearest three of the first new comment are ambulance and transport comments
    assert proba[0, 0] > proba[0, 1]
