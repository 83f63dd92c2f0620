"""The review queue ordered for learning, on the patient-comments wave coded by the rules.

The rules code "What kind of snacks are in that vending machine?" as ``staff_manner`` (they take
"kind" as kindness); a linear coder trained on the comments gold file says it is not (and that
it is about food): the one coding the model and the rules dispute, so it is reviewed first.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from support_review import DATA, coding, write_comments_outputs

from pipeline import schema as s
from pipeline.config import load_codebook
from pipeline.outputs import read_run_record
from pipeline.quality.train import train_model
from pipeline.review.active_queue import (
    coder_signals,
    common_scale,
    labelled_positives,
    wave_model,
)
from pipeline.review.queue import review_queue

RECODED = "What kind of snacks are in that vending machine?"


@pytest.fixture(scope="module")
def wave(tmp_path_factory, comments_gold):
    tmp = tmp_path_factory.mktemp("active")
    book = load_codebook(DATA / "codebook-comments.yaml")
    out = write_comments_outputs(tmp / "outputs" / "comments-2024", book)
    model = tmp / "comments-linear"
    train_model("linear", comments_gold, book, model, n_folds=2, min_support=5)
    codings = pd.read_parquet(out / "codings.parquet")
    segments = pd.read_parquet(out / "segments.parquet")
    return out, book, model, codings, segments


def test_the_coding_the_model_and_the_rules_dispute_comes_first(wave):
    out, book, model, codings, segments = wave
    signals = coder_signals(codings, segments, book, model)
    queue = review_queue(codings, segments, active=signals)
    first = queue.iloc[0]
    assert (first[s.SEGMENT_ID], first[s.CODE_ID]) == coding(out, RECODED, "staff_manner")
    assert first[s.QUEUE_REASON] == "coders-disagree" and first[s.TEXT] == RECODED
    assert queue[s.QUEUE_REASON].tolist().count("coders-disagree") == 1
    # then its one coding of food and drink, a code with fewer labelled examples than staff
    # manner (18 against 24 in the gold file); uncertainty alone would put "the porter was
    # rude" (staff manner, the model's closest call) there
    assert queue.iloc[1][s.TEXT].startswith("Meals arrived late")
    assert queue.iloc[1][s.CODE_ID] == "food_drink"
    uncertain = review_queue(codings, segments, active=replace(signals, positives=None))
    assert (uncertain.iloc[1][s.TEXT], uncertain.iloc[1][s.CODE_ID]) == (
        queue.iloc[1][s.TEXT], "staff_manner")
    scaled = common_scale(queue, signals)
    assert scaled[0] < 0.5 <= scaled[1:].min()  # only the first is below its threshold
    # here the standard queue samples every coding (a wave this small), so both queue the same
    # codings: only the order changed (the standard queue has this one fourth)
    plain = review_queue(codings, segments)
    assert plain[s.TEXT].tolist().index(RECODED) == 3
    assert sorted(zip(queue[s.SEGMENT_ID], queue[s.CODE_ID], strict=True)) == sorted(
        zip(plain[s.SEGMENT_ID], plain[s.CODE_ID], strict=True))


def test_the_gate_still_comes_first_and_embeddings_only_spread_the_order(wave):
    _, book, model, codings, segments = wave
    gated = codings.assign(**{s.NEEDS_REVIEW: codings[s.CODE_ID] == "parking"})
    signals = coder_signals(gated, segments, book, model, embed=False)
    assert signals.embeddings is None
    queue = review_queue(gated, segments, active=signals)
    assert queue[s.QUEUE_REASON].tolist()[:3] == ["needs-review", "needs-review",
                                                  "coders-disagree"]
    assert queue.iloc[2][s.TEXT] == RECODED


def test_the_model_that_coded_a_wave_is_found_from_its_run_record(wave):
    out, _, model, _, _ = wave
    run = read_run_record(out)
    assert wave_model(run) is None  # coded by the rules
    chosen = run.model_copy(update={"coder_info": {**run.coder_info, "chosen": str(model)}})
    assert wave_model(chosen) == model


def test_codings_of_a_code_with_few_labelled_examples_move_up(wave):
    out, book, model, codings, segments = wave
    signals = coder_signals(codings, segments, book, model, embed=False)
    # the card counts the gold file's 18 parking, 18 food and drink and 24 staff manner comments
    assert signals.positives == {"parking": 18, "food_drink": 18, "staff_manner": 24}
    unknown = replace(signals, positives={"parking": 0, "food_drink": 60, "staff_manner": 60})
    queue = review_queue(codings, segments, active=unknown)
    assert queue.iloc[0][s.TEXT] == RECODED  # a dispute still comes first
    assert sorted(zip(queue[s.SEGMENT_ID][1:3], queue[s.CODE_ID][1:3], strict=True)) == sorted(
        [coding(out, "The car park", "parking"), coding(out, "Parking fees", "parking")])
    codes = review_queue(codings, segments, active=signals)[s.CODE_ID].tolist()
    assert codes[1:3] != ["parking", "parking"]  # with the card's counts they wait


def test_labelled_positives_come_from_the_model_card(wave):
    out, _, model, _, _ = wave
    assert labelled_positives(model)["food_drink"] == 18
    assert labelled_positives(out) is None  # no card.json there


def test_a_hybrid_model_orders_the_queue_by_its_linear_model(wave, tmp_path, comments_gold):
    out, book, _, codings, segments = wave
    hybrid = tmp_path / "comments-hybrid"
    train_model("hybrid", comments_gold, book, hybrid, n_folds=2, min_support=5)
    signals = coder_signals(codings, segments, book, hybrid, embed=False)
    inner = coder_signals(codings, segments, book, hybrid / "linear", embed=False)
    assert signals.proba == inner.proba and signals.thresholds == inner.thresholds
    assert set(signals.thresholds) == {"parking", "food_drink", "staff_manner"}
    # its linear model reads the rules' staff-manner match as a feature and follows it here, so
    # nothing is disputed; the vending-machine coding is still its least certain, so first
    queue = review_queue(codings, segments, active=signals)
    assert (queue.iloc[0][s.TEXT], queue.iloc[0][s.CODE_ID]) == (RECODED, "staff_manner")
    assert "coders-disagree" not in set(queue[s.QUEUE_REASON])
    scaled = common_scale(queue, signals)
    assert 0.5 <= scaled[0] == scaled.min()
