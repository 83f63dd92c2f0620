"""The spaCy textcat coder: trained from the project's config, thresholds from held-out data."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.coding.textcat import TextcatCoder
from pipeline.coding.thresholds import best_thresholds

UNSEEN = ["Parking was impossible, the car park was full", "The food and the meals were cold",
          "Very kind and friendly nurses"]


@pytest.fixture(scope="module")
def gold(comments_gold):
    return comments_gold


@pytest.fixture(scope="module")
def trained(gold):
    return TextcatCoder(codebook="comments@1", max_epochs=30).fit(
        gold.texts, gold.labels, gold.code_ids)


def test_learns_separable_codes(trained):
    proba = trained.predict_proba(UNSEEN)
    assert proba.argmax(axis=1).tolist() == [0, 1, 2]
    assert trained.predict(UNSEEN).diagonal().tolist() == [1, 1, 1]


def test_thresholds_are_those_chosen_on_the_held_out_split(gold, trained):
    order = np.random.default_rng(42).permutation(len(gold.texts))
    dev = order[:int(len(gold.texts) * 0.2)]
    expected = best_thresholds(gold.labels[dev], trained.predict_proba(
        [gold.texts[i] for i in dev]))
    assert [trained.thresholds[c] for c in gold.code_ids] == expected.tolist()


def test_evidence_is_the_deciding_token(trained):
    text = "Honestly the parking here is dreadful"
    start, end = trained.evidence(text, "parking")
    assert text[start:end] == "parking"


def test_saved_folder_holds_the_spacy_pipeline_and_its_config(tmp_path, trained, data_dir):
    from pipeline.config import load_codebook

    trained.to_disk(tmp_path / "model")
    assert (tmp_path / "model" / "textcat" / "config.cfg").is_file()
    loaded = TextcatCoder.from_disk(tmp_path / "model",
                                    load_codebook(data_dir / "codebook-comments.yaml"))
    assert loaded.thresholds == trained.thresholds and loaded.name == trained.name
    assert np.array_equal(loaded.predict_proba(UNSEEN), trained.predict_proba(UNSEEN))
