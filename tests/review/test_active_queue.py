"""The review queue ordered for learning, on the patient-comments wave coded by the rules.

The rules code "What kind of snacks are in that vending machine?" as ``staff_manner`` (they take
"kind" as kindness); a linear coder trained on the comments gold file says it is not (and that
it is about food): the one coding the model and the rules dispute, so it is reviewed first.
"""

from __future__ import annotations

import pandas as pd
import pytest
from support_review import DATA, coding, write_comments_outputs

from pipeline import schema as s
from pipeline.config import load_codebook
from pipeline.outputs import read_run_record
from pipeline.quality.train import train_model
from pipeline.review.active_queue import coder_signals, common_scale, wave_model
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
    # the rest by the model's uncertainty: "the porter was rude" is its closest call
    assert queue.iloc[1][s.TEXT].startswith("Meals arrived late")
    assert queue.iloc[1][s.CODE_ID] == "staff_manner"
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
