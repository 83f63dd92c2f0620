"""The nearest training texts' vote: its weights, held-out edges, blocks, settings, saved form."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.coding import neighbours
from pipeline.coding.neighbours import (
    NeighbourVote,
    checked_settings,
    chosen_weight,
    clearly_better,
    vote,
)
from pipeline.errors import ConfigError, InputError


def test_vote_is_the_similarity_weighted_share_of_the_nearest():
    similarity = np.array([[0.9, 0.1, 0.6, -0.5],
                           [0.0, 0.8, 0.2, 0.4]])
    labels = np.array([[1, 0], [0, 1], [1, 1], [0, 1]])
    # row 0: nearest are 0 (0.9) and 2 (0.6); row 1: 1 (0.8) and 3 (0.4)
    np.testing.assert_allclose(vote(similarity, labels, k=2), [[1.0, 0.6 / 1.5], [0.0, 1.0]])
    # a negative similarity among the nearest weighs nothing
    np.testing.assert_allclose(vote(similarity, labels, k=4)[0],
                               [(0.9 + 0.6) / 1.6, (0.1 + 0.6) / 1.6])


def test_a_training_text_is_not_its_own_neighbour():
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    labels = np.array([[1], [0], [1]])
    held = NeighbourVote.of(vectors, labels, weight=1.0, k=1).held_out(np.zeros((3, 1)))
    # text 0's nearest other text is text 1 (no code), text 1's is text 0 (the code)
    assert held[:, 0].tolist() == [0.0, 1.0, 0.0]


def test_the_blend_is_the_same_a_block_at_a_time(monkeypatch):
    rng = np.random.default_rng(0)
    train, new = rng.normal(size=(9, 4)), rng.normal(size=(7, 4))
    labels = rng.integers(0, 2, size=(9, 3))
    proba = rng.random((7, 3))
    votes = NeighbourVote.of(train, labels, weight=0.3, k=4)
    whole, held_whole = votes.blend(proba, new), votes.held_out(proba[:6].repeat(2, 0)[:9])
    monkeypatch.setattr(neighbours, "BLOCK_ROWS", 2)
    # float32 products of another shape may differ in the last bit, no more
    np.testing.assert_allclose(votes.blend(proba, new), whole, rtol=1e-6)
    np.testing.assert_allclose(votes.held_out(proba[:6].repeat(2, 0)[:9]), held_whole,
                               rtol=1e-6)
    unit = neighbours.unit_rows(new) @ neighbours.unit_rows(train).T
    np.testing.assert_allclose(whole, 0.7 * proba + 0.3 * vote(unit, labels, 4), rtol=1e-6)


def _two_codes(n: int = 40) -> np.ndarray:
    rng = np.random.default_rng(3)
    return np.stack([rng.permutation(np.arange(n) % 2), rng.permutation(np.arange(n) % 4 == 0)],
                    axis=1).astype(int)


def test_auto_gives_the_vote_weight_where_it_separates_what_the_coder_cannot():
    truth = _two_codes()
    guess = np.random.default_rng(4).random(truth.shape)  # the coder knows nothing
    weight, scores = chosen_weight(truth, guess, truth.astype(float), np.arange(40),
                                   shrink=0.5, relative=False)
    # only from 0.5 up do the vote's 0/1 pull every positive above every negative
    assert weight == 0.5 and scores[0.5] == 1.0 and max(scores.values()) == 1.0
    assert all(scores[w] < 1.0 for w in (0.0, 0.1, 0.2, 0.3))


def test_auto_keeps_the_smaller_weight_on_a_tie_and_judges_only_the_given_rows():
    truth = _two_codes()
    sure = 0.2 + 0.6 * truth  # the coder alone is right everywhere
    weight, scores = chosen_weight(truth, sure, truth.astype(float), np.arange(40),
                                   shrink=0.5, relative=False)
    assert weight == 0.0 and scores[0.0] == scores[0.5] == 1.0  # the vote adds nothing
    # a vote right on the rows it was fitted to and wrong on the held-out ones is refused
    votes = truth.astype(float)
    votes[30:] = 1 - votes[30:]
    weight, scores = chosen_weight(truth, np.random.default_rng(5).random(truth.shape), votes,
                                   np.arange(30, 40), shrink=0.5, relative=False)
    assert weight == 0.0 and scores[0.5] < scores[0.0]


def test_a_weight_replaces_the_prior_only_when_clearly_better():
    truth = _two_codes()
    sure = 0.2 + 0.6 * truth
    # a tie keeps the coder's measured default, not the smaller weight
    assert chosen_weight(truth, sure, truth.astype(float), np.arange(40), shrink=0.5,
                         relative=False, prior=0.3)[0] == 0.3
    guess = np.random.default_rng(4).random(truth.shape)
    assert chosen_weight(truth, guess, truth.astype(float), np.arange(40), shrink=0.5,
                         relative=False, prior=0.3)[0] == 0.5


def test_clearly_better_needs_more_than_one_row():
    truth = _two_codes()
    one_slip, many_slips = truth.astype(bool), truth.astype(bool)
    one_slip[0, 0] = not one_slip[0, 0]
    many_slips[::4, 0] = ~many_slips[::4, 0]
    # right where the other slipped once: ahead only in resamples that drew that row (~63 %)
    assert not clearly_better(truth, truth.astype(bool), one_slip)
    assert clearly_better(truth, truth.astype(bool), many_slips)
    assert not clearly_better(truth, many_slips, truth.astype(bool))


def test_settings_are_checked():
    assert checked_settings(0.3, 15, "minilm") == (0.3, 15)
    assert checked_settings(0, 15, None) == (0.0, 15)
    assert checked_settings("auto", 15, "minilm") == ("auto", 15)
    with pytest.raises(ConfigError, match="neighbours must be a weight from 0 to 1 or 'auto', "
                                          "not 1.5"):
        checked_settings(1.5, 15, "minilm")
    with pytest.raises(ConfigError, match="neighbours must be a weight .* not 'x'"):
        checked_settings("x", 15, "minilm")
    with pytest.raises(ConfigError, match="k .* whole number >= 1, not 0"):
        checked_settings(0.3, 0, "minilm")
    with pytest.raises(ConfigError, match="neighbours need sentence embeddings"):
        checked_settings(0.3, 15, None)
    with pytest.raises(ConfigError, match="neighbours need sentence embeddings"):
        checked_settings("auto", 15, None)
    with pytest.raises(ConfigError, match="k .* whole number >= 1, not 2.5"):
        checked_settings("auto", 2.5, "minilm")


def test_saved_arrays_that_do_not_fit_the_model_name_the_file():
    path = Path("model") / "arrays.npz"
    arrays = {"neighbour_vectors": np.ones((4, 3)), "neighbour_labels": np.ones((4, 2))}
    assert NeighbourVote.saved(arrays, 2, 0.3, 15, path).labels.shape == (4, 2)
    for broken in ({"neighbour_vectors": np.ones((4, 3))},
                   {**arrays, "neighbour_labels": np.ones((4, 3))},
                   {**arrays, "neighbour_labels": np.full((4, 2), 7)},
                   {**arrays, "neighbour_vectors": np.ones((5, 3))},
                   {**arrays, "neighbour_vectors": np.full((4, 3), np.nan)}):
        with pytest.raises(InputError, match=r"model.arrays\.npz: the neighbours' vectors"):
            NeighbourVote.saved(broken, 2, 0.3, 15, path)
    with pytest.raises(ConfigError, match="saved vectors have 3 dimensions, the embedding "
                                          "gives 5"):
        NeighbourVote.saved(arrays, 2, 0.3, 15, path).blend(np.zeros((1, 2)), np.ones((1, 5)))


def test_saved_vectors_are_read_as_saved_not_normalised_again():
    unit = neighbours.unit_rows(np.random.default_rng(0).normal(size=(50, 384)))
    assert (neighbours.unit_rows(unit) != unit).any()  # normalising again moves the last bits
    arrays = {"neighbour_vectors": unit, "neighbour_labels": np.ones((50, 2), dtype=np.uint8)}
    saved = NeighbourVote.saved(arrays, 2, 0.3, 15, Path("model") / "arrays.npz")
    np.testing.assert_array_equal(saved.vectors, unit)
