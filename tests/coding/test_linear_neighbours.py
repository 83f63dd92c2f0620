"""The linear coder with the nearest training texts' vote: learned, applied and saved alike."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.linear import LinearCoder
from pipeline.coding.neighbours import WEIGHT_GRID, NeighbourVote, chosen_weight, unit_rows, vote
from pipeline.coding.registry import load_coder
from pipeline.coding.thresholds import best_thresholds
from pipeline.errors import InputError

NEW = ["The car park was full again", "Meals were cold and the tea was weak",
       "Such friendly and kind nurses"]


def fitted(gold, **settings) -> LinearCoder:
    return LinearCoder(codebook="comments@1", embedding="static", **settings).fit(
        gold.texts, gold.labels, gold.code_ids)


@pytest.fixture(scope="module")
def voted(comments_gold):
    return fitted(comments_gold, neighbours=0.3, k=5)


def test_weight_zero_is_the_plain_coder(comments_gold):
    plain, zero = fitted(comments_gold), fitted(comments_gold, neighbours=0.0)
    assert zero.vote is None and zero.thresholds == plain.thresholds
    np.testing.assert_array_equal(zero.predict_proba(NEW), plain.predict_proba(NEW))


def test_weight_one_is_the_vote_alone(comments_gold):
    coder = fitted(comments_gold, neighbours=1.0, k=3)
    train = unit_rows(coder._embed(comments_gold.texts))
    expected = vote(unit_rows(coder._embed(NEW)) @ train.T, comments_gold.labels, 3)
    np.testing.assert_allclose(coder.predict_proba(NEW), expected, rtol=1e-6)


def test_thresholds_are_learned_on_the_blended_held_out_probabilities(comments_gold, voted):
    plain = voted.held_out_proba(voted._features(comments_gold.texts), comments_gold.labels)
    blended = voted.vote.held_out(plain)
    assert voted.threshold_vector().tolist() == best_thresholds(
        comments_gold.labels, blended, shrink=voted.shrink).tolist()


def test_a_saved_voting_model_codes_a_passage_as_it_did(voted, comments_codebook, tmp_path):
    voted.to_disk(tmp_path / "model")
    settings = json.loads((tmp_path / "model" / "config.json").read_text())["settings"]
    assert (settings["neighbours"], settings["k"]) == (0.3, 5)
    loaded = load_coder(tmp_path / "model", comments_codebook)
    assert (loaded.neighbours, loaded.k) == (0.3, 5)
    np.testing.assert_array_equal(loaded.vote.vectors, voted.vote.vectors)
    np.testing.assert_array_equal(loaded.predict_proba(NEW), voted.predict_proba(NEW))
    passage = "Honestly the car park was full again today"
    segments = pd.DataFrame({s.SEGMENT_ID: ["x"], s.START: [10], s.TEXT: [passage],
                             s.CONTEXT: [None]})
    before, after = voted.code(segments), loaded.code(segments)
    pd.testing.assert_frame_equal(before, after)
    row = after.iloc[0]
    assert row[s.CODE_ID] == "parking" and row[s.EVIDENCE].lower() in {"car park", "car", "park"}
    assert passage[row[s.START] - 10:row[s.END] - 10] == row[s.EVIDENCE]
    assert voted.features_used()["neighbours"] == {"weight": 0.3, "k": 5}


def test_auto_chooses_the_weight_on_the_held_out_texts_and_saves_it(comments_gold,
                                                                    comments_codebook, tmp_path):
    coder = fitted(comments_gold, neighbours="auto", k=5)
    features = coder._features(comments_gold.texts)
    plain = coder.held_out_proba(features, comments_gold.labels)
    votes = NeighbourVote.of(coder._embed(comments_gold.texts), comments_gold.labels, 1.0,
                             5).held_out_votes()
    # stock sentence vectors never saw the labels: every training text judges
    weight, scores = chosen_weight(comments_gold.labels, plain, votes,
                                   np.arange(len(comments_gold.texts)), shrink=coder.shrink,
                                   relative=coder.relative)
    assert coder.weight_scores == scores and list(scores) == list(WEIGHT_GRID)
    assert coder.neighbour_weight == weight == max(WEIGHT_GRID, key=lambda w: (scores[w], -w))
    blended = (1 - weight) * plain + weight * votes
    assert coder.threshold_vector().tolist() == best_thresholds(
        comments_gold.labels, blended, shrink=coder.shrink).tolist()
    used = coder.features_used()["neighbours"]
    assert used["weight"] == weight and used["chosen_from"] == {str(w): v for w, v in
                                                                 scores.items()}
    coder.to_disk(tmp_path / "model")
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    assert config["settings"]["neighbours"] == "auto" and config["neighbour_weight"] == weight
    loaded = load_coder(tmp_path / "model", comments_codebook)
    assert loaded.neighbours == "auto" and loaded.vote.weight == weight > 0  # 0.2 here
    assert loaded.describe() == coder.describe()  # what it chose from, on its card
    np.testing.assert_array_equal(loaded.predict_proba(NEW), coder.predict_proba(NEW))
    config["neighbour_weight"] = "heavy"
    (tmp_path / "model" / "config.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match=r"config\.json: field 'neighbour_weight': a weight "
                                         r"from 0 to 1, not 'heavy'"):
        load_coder(tmp_path / "model", comments_codebook)
    config["neighbour_weight"], config["neighbour_scores"] = weight, ["not", "scores"]
    (tmp_path / "model" / "config.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match=r"config\.json: field 'neighbour_scores'"):
        load_coder(tmp_path / "model", comments_codebook)


def test_a_model_saved_before_the_vote_loads_without_it(comments_gold, comments_codebook,
                                                       tmp_path):
    fitted(comments_gold).to_disk(tmp_path / "old")
    config = json.loads((tmp_path / "old" / "config.json").read_text())
    del config["settings"]["neighbours"], config["settings"]["k"]
    (tmp_path / "old" / "config.json").write_text(json.dumps(config))
    old = load_coder(tmp_path / "old", comments_codebook)
    assert old.neighbours == 0.0 and old.vote is None


def test_a_broken_saved_vote_names_the_file(voted, comments_codebook, tmp_path):
    folder = tmp_path / "model"
    voted.to_disk(folder)
    with np.load(folder / "arrays.npz") as data:
        arrays = {name: data[name] for name in data.files if name != "neighbour_labels"}
    np.savez(folder / "arrays.npz", **arrays)
    with pytest.raises(InputError, match=r"arrays\.npz: the neighbours' vectors and labels"):
        load_coder(folder, comments_codebook)
    config = json.loads((folder / "config.json").read_text())
    config["settings"]["neighbours"] = "lots"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match=r"config\.json: field 'settings': neighbours must be"):
        load_coder(folder, comments_codebook)
