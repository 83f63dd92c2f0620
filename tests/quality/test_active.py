"""The review order for active learning, from a real trained coder, real rules and MiniLM."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.coding.features import rule_matrix
from pipeline.coding.linear import LinearCoder
from pipeline.coding.rules import RuleCoder
from pipeline.config import load_codebook
from pipeline.embeddings import MiniLMEmbedder
from pipeline.errors import InputError
from pipeline.quality.active import (
    chance,
    clusters,
    disagreement,
    rarity,
    review_order,
    uncertainty,
)

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def pool(comments_gold):
    """A coder trained on every other comment; the rest is the unlabelled pool."""
    train = comments_gold.subset(range(0, len(comments_gold.texts), 2))
    rest = comments_gold.subset(range(1, len(comments_gold.texts), 2))
    coder = LinearCoder(codebook="comments@1", embeddings=False, seed=3)
    coder.fit(train.texts, train.labels, train.code_ids)
    book = load_codebook(DATA / "codebook-comments.yaml")
    return {"texts": rest.texts, "proba": coder.predict_proba(rest.texts),
            "labels": rest.labels, "positives": train.labels.sum(axis=0),
            "thresholds": coder.threshold_vector(),
            "rules": rule_matrix(RuleCoder(book), rest.texts, rest.code_ids),
            "embeddings": MiniLMEmbedder().embed(rest.texts)}


def test_the_most_uncertain_text_comes_first(pool):
    doubt = uncertainty(pool["proba"], pool["thresholds"])
    assert doubt.min() >= 0 and doubt.max() <= 1
    plain = review_order(pool["proba"], pool["thresholds"])
    spread = review_order(pool["proba"], pool["thresholds"], embeddings=pool["embeddings"])
    assert plain[0] == spread[0] == int(np.argmax(doubt))
    assert list(doubt[plain]) == sorted(doubt, reverse=True)


def test_a_text_the_coders_dispute_comes_before_one_they_agree_on(pool):
    proba, thresholds = pool["proba"], pool["thresholds"]
    own = (proba >= thresholds).astype(int)
    disputed = disagreement({"trained": own, "rules": pool["rules"]}) > 0
    assert 0 < disputed.sum() < len(disputed)  # the rules miss paraphrase the coder learned
    doubt = uncertainty(proba, thresholds)
    agreed_first = max(np.flatnonzero(~disputed), key=lambda i: doubt[i])
    disputed_last = min(np.flatnonzero(disputed), key=lambda i: doubt[i])
    assert doubt[agreed_first] > doubt[disputed_last]  # uncertainty alone puts it first

    def position(order, i):
        return int(np.flatnonzero(order == i)[0])

    alone = review_order(proba, thresholds)
    assert position(alone, agreed_first) < position(alone, disputed_last)
    both = review_order(proba, thresholds, {"rules": pool["rules"]})
    assert position(both, disputed_last) < position(both, agreed_first)
    assert disputed[both[:disputed.sum()]].all()  # every disputed text before every agreed one


def test_a_batch_spreads_across_embedding_clusters(pool):
    groups = clusters(pool["embeddings"], 4, seed=7)
    assert len(set(groups)) == 4
    order = review_order(pool["proba"], pool["thresholds"], {"rules": pool["rules"]},
                         pool["embeddings"], n_clusters=4, seed=7)
    assert sorted(order) == list(range(len(pool["texts"])))
    assert len(set(groups[order[:4]])) == 4  # the first batch of four: one from each cluster
    plain = review_order(pool["proba"], pool["thresholds"], {"rules": pool["rules"]})
    assert len(set(groups[plain[:4]])) < 4  # without diversity the batch bunches up


def test_a_shortlisted_batch_spreads_only_over_the_highest_priority_texts(pool):
    args = (pool["proba"], pool["thresholds"], {"rules": pool["rules"]}, pool["embeddings"])
    plain = review_order(*args[:3])
    groups = clusters(pool["embeddings"], 4, seed=7)
    whole = review_order(*args, n_clusters=4, seed=7)
    short = review_order(*args, n_clusters=4, seed=7, shortlist=(4, 6))
    assert sorted(short) == list(range(len(pool["texts"])))
    for first in range(0, len(short), 4):  # every batch from the six best texts left,
        left = [i for i in plain if i not in set(short[:first])]
        batch = short[first:first + 4]
        assert set(batch) <= set(left[:6])
        # spread over as many clusters as those six hold
        assert len(set(groups[batch])) == min(len(batch), len(set(groups[left[:6]])))
    assert not set(whole[:4]) <= set(plain[:6])  # the whole pool's spread reaches further
    tight = review_order(*args, n_clusters=4, seed=7, shortlist=(4, 4))  # no room to spread
    assert all(set(tight[k:k + 4]) == set(plain[k:k + 4]) for k in range(0, len(plain), 4))
    with pytest.raises(InputError, match=r"1 <= batch <= candidates, not \(5, 4\)"):
        review_order(*args, shortlist=(5, 4))
    with pytest.raises(InputError, match=r"not \(0, 4\)"):  # refused without embeddings too
        review_order(*args[:3], shortlist=(0, 4))


def test_the_same_seed_gives_the_same_order(pool):
    args = (pool["proba"], pool["thresholds"], {"rules": pool["rules"]}, pool["embeddings"])
    first = review_order(*args, n_clusters=5, seed=11)
    assert np.array_equal(first, review_order(*args, n_clusters=5, seed=11))
    assert sorted(first) == list(range(len(pool["texts"])))


def test_decisions_of_the_wrong_shape_name_the_coder(pool):
    with pytest.raises(InputError, match="coder 'rules'"):
        review_order(pool["proba"], pool["thresholds"], {"rules": pool["rules"][:3]})


def test_texts_likely_to_hold_the_least_labelled_code_rank_first_by_rarity(pool):
    # the labelled half holds 10 parking, 5 food and drink and 9 staff manner comments
    assert list(pool["positives"]) == [10, 5, 9]
    args = (pool["proba"], pool["thresholds"])
    rare = rarity(*args, pool["positives"], {"rules": pool["rules"]})
    assert rare.max() == 1.0 and rare.min() >= 0
    food = pool["labels"][:, 1] == 1
    top = np.argsort(-rare, kind="stable")[:food.sum()]
    assert food[top[:5]].all()  # the rarest code's comments first
    assert food[top].mean() > 0.6 > food.mean()  # and most of them early
    # make parking the code nobody has labelled: its comments come first instead
    parking = pool["labels"][:, 0] == 1
    top = np.argsort(-rarity(*args, np.array([0, 50, 50])), kind="stable")[:parking.sum()]
    assert parking[top].mean() >= 0.8


def test_rarity_moves_a_likely_rare_text_ahead_of_a_merely_uncertain_one(pool):
    proba, thresholds = pool["proba"], pool["thresholds"]
    doubt = uncertainty(proba, thresholds)
    rare = rarity(proba, thresholds, np.array([50, 0, 50]))
    plain = review_order(proba, thresholds)
    weighted = review_order(proba, thresholds, rarity_scores=rare, rarity_weight=3.0)
    assert plain[0] == int(np.argmax(doubt))
    assert not pool["labels"][plain[0], 1]  # uncertainty alone starts elsewhere
    assert pool["labels"][weighted[:3], 1].all()  # rarity starts on food and drink
    assert sorted(weighted) == list(range(len(pool["texts"])))
    assert np.array_equal(review_order(proba, thresholds, rarity_scores=rare,
                                       rarity_weight=0.0), plain)


def test_a_code_the_coder_did_not_learn_takes_its_chance_from_the_rules(pool):
    thresholds = pool["thresholds"].copy()
    thresholds[0] = np.inf  # as if parking had too few examples to learn
    likely = chance(pool["proba"], thresholds, {"rules": pool["rules"]})
    assert np.array_equal(likely[:, 0], pool["rules"][:, 0])
    assert (likely[:, 1:] >= pool["rules"][:, 1:]).all()
    assert np.array_equal(chance(pool["proba"], thresholds)[:, 0], np.zeros(len(likely)))
    with pytest.raises(InputError, match=r"positive counts of shape \(2,\)"):
        rarity(pool["proba"], thresholds, np.array([1, 2]))
