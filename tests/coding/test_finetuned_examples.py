"""Examples given to the fine-tuned coder are fine-tuned on, never held out."""

from __future__ import annotations

import pytest

from pipeline.coding.finetune import Settings
from pipeline.coding.finetuned import FinetunedCoder

QUICK = dict(batch_size=8, lr=1e-4, head_lr=5e-3, patience=3)
PARKING_EXAMPLES = ["Nowhere to park near the clinic", "The car park was full again",
                    "Parking cost a fortune", "We drove round for ages looking for a space",
                    "Paying to park at a hospital is wrong"]
EXAMPLES = [(text, "parking") for text in PARKING_EXAMPLES] + [
    ("Tea and biscuits were on offer", "food_drink"), ("A code the gold lacks", "zzz")]
TRIED = ["Nowhere to park near the clinic", "We drove round for ages looking for a space"]


def fitted(gold, examples=()):
    return FinetunedCoder(codebook="comments@1", dev_share=0.2, examples=examples,
                          settings=Settings(epochs=5, **QUICK)).fit(
        gold.texts, gold.labels, gold.code_ids)


@pytest.fixture(scope="module")
def pair(comments_gold):
    """The same seeded fine-tuning without and with the examples."""
    return fitted(comments_gold), fitted(comments_gold, EXAMPLES)


def test_the_examples_of_learned_codes_are_trained_on(pair):
    without, with_examples = pair
    assert (without.examples_used, with_examples.examples_used) == (0, 6)  # not "zzz"
    # 43 training texts in batches of 8 are 6 batches an epoch; 49 with the examples, 7
    assert (without.history.steps, with_examples.history.steps) == (5 * 6, 5 * 7)


def test_an_example_raises_its_own_codes_score(pair):
    without, with_examples = pair
    parking = without.code_ids.index("parking")
    before = without.predict_proba(TRIED)[:, parking]
    after = with_examples.predict_proba(TRIED)[:, parking]
    assert (after > before).all()


def test_the_held_out_texts_and_their_thresholds_are_the_gold_texts_only(pair, comments_gold):
    without, with_examples = pair
    n = len(comments_gold.texts)
    assert with_examples.dev_rows(n).tolist() == without.dev_rows(n).tolist()
    dev = with_examples.dev_rows(n)
    from pipeline.coding.thresholds import best_thresholds

    held_out = with_examples.network.scores([comments_gold.texts[i] for i in dev])
    cuts = best_thresholds(comments_gold.labels[dev], held_out, shrink=with_examples.shrink)
    assert list(with_examples.thresholds.values()) == cuts.tolist()


def test_the_count_is_saved_with_the_model(tmp_path, pair, comments_codebook):
    from pipeline.coding.registry import load_coder

    pair[1].to_disk(tmp_path / "model")
    loaded = load_coder(tmp_path / "model", comments_codebook)
    assert loaded.examples_used == 6
    assert loaded.describe()["features"]["codebook_examples"] == 6



@pytest.mark.parametrize("kind", ["finetuned", "linear-finetuned", "hybrid-finetuned"])
def test_the_product_fine_tunes_on_the_gold_texts_alone(comments_codebook, kind):
    from pipeline.coding.registry import new_coder

    # measured on the NHS split and not kept (docs/coders.md): the linear model reads them
    codes = [code.model_copy(update={"examples": PARKING_EXAMPLES}) if code.id == "parking"
             else code for code in comments_codebook.codes]
    coder = new_coder(kind, comments_codebook.model_copy(update={"codes": codes}))
    tuned = getattr(getattr(coder, "model", coder), "tuned", coder)
    assert isinstance(tuned, FinetunedCoder) and tuned.examples == []
