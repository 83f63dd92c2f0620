"""One registry builds every kind of coder and loads every saved one, without pickle."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipeline import schema as s
from pipeline.coding.base import TrainableCoder
from pipeline.coding.registry import CODERS, TRAINABLE, load_coder, new_coder
from pipeline.coding.rules import RuleCoder
from pipeline.coding.semantic import SemanticCoder
from pipeline.coding.union import RulesSemanticCoder
from pipeline.config import load_codebook
from pipeline.errors import ConfigError, InputError

PASSAGE = pd.DataFrame({
    s.SEGMENT_ID: ["p1", "p2", "p3"], s.START: [0, 40, 90],
    s.TEXT: ["Honestly the car park was full again", "The meals were cold and the tea weak",
             "Such friendly and kind nurses on the ward"],
    s.CONTEXT: ["How could we improve?"] * 3})
SAME = [s.SEGMENT_ID, s.CODE_ID, s.START, s.END, s.EVIDENCE, s.CONFIDENCE, s.METHOD, s.CODER]


@pytest.fixture(scope="module")
def book(data_dir):
    return load_codebook(data_dir / "codebook-comments.yaml")


def test_every_kind_is_registered_once_and_untrained_kinds_need_no_training(book):
    assert CODERS == ("rules", "semantic", "rules+semantic", "baseline", "linear",
                      "linear-static", "textcat", "hybrid", "hybrid-static", "finetuned",
                      "linear-finetuned", "hybrid-finetuned", "few-shot")
    assert TRAINABLE == ("baseline", "linear", "linear-static", "textcat", "hybrid",
                         "hybrid-static", "finetuned", "linear-finetuned", "hybrid-finetuned",
                         "few-shot")
    assert new_coder("linear-static", book).embedding == "static"
    assert new_coder("hybrid-static", book).model.embedding == "static"
    assert new_coder("hybrid", book).model.embedding == "minilm"
    assert new_coder("linear", book).embedding == "minilm"
    assert isinstance(new_coder("rules", book), RuleCoder)
    assert not isinstance(new_coder("rules", book), TrainableCoder)
    assert isinstance(new_coder("semantic", book), SemanticCoder)
    assert isinstance(new_coder("rules+semantic", book), RulesSemanticCoder)
    assert not any(isinstance(new_coder(kind, book), TrainableCoder)
                   for kind in ("semantic", "rules+semantic"))
    assert all(isinstance(new_coder(kind, book), TrainableCoder) for kind in TRAINABLE)


def test_unknown_kind_names_the_known_ones(book):
    with pytest.raises(ConfigError,
                       match="unknown coder 'svm' .known: rules, semantic, rules.semantic, base"):
        new_coder("svm", book)


def test_the_nearest_texts_vote_is_set_on_the_linear_model_or_refused(book):
    assert new_coder("linear", book).neighbours == 0.0  # the kind's own default
    assert new_coder("linear", book, neighbours="auto").neighbours == "auto"
    assert new_coder("hybrid-static", book, neighbours=0.2).model.neighbours == 0.2
    assert new_coder("hybrid-finetuned", book, neighbours=0).model.neighbours == 0.0
    with pytest.raises(ConfigError, match="apply to the linear and hybrid coders, not 'rules'"):
        new_coder("rules", book, neighbours=0.3)
    with pytest.raises(ConfigError, match="a weight from 0 to 1 or 'auto', not 2"):
        new_coder("linear", book, neighbours=2)


# The fine-tuned coders' defaults need far more than these 54 texts (it fine-tunes MiniLM);
# tests/coding/test_finetuned.py trains it with quick settings and loads it through load_coder.
@pytest.mark.parametrize("kind", [kind for kind in TRAINABLE
                                  if kind not in ("finetuned", "linear-finetuned",
                                                  "hybrid-finetuned")])
def test_trained_saved_and_loaded_coder_codes_the_same(tmp_path, book, comments_gold, kind):
    gold = comments_gold
    coder = new_coder(kind, book)
    coder.fit(gold.texts, gold.labels, gold.code_ids, gold.extra[["FFT question"]])
    before = coder.code(PASSAGE)
    coder.to_disk(tmp_path / kind)
    assert before.equals(coder.code(PASSAGE))  # saving never changes the coder
    assert not list(tmp_path.rglob("*.joblib")) and not list(tmp_path.rglob("*.pkl"))
    loaded = load_coder(tmp_path / kind, book)
    assert type(loaded) is type(coder) and loaded.name == coder.name
    after = loaded.code(PASSAGE)
    assert len(before) >= 2 and set(before[s.CODE_ID]) >= {"parking", "food_drink"}
    pd.testing.assert_frame_equal(after[SAME], before[SAME])
    texts = PASSAGE[s.TEXT].tolist()
    assert np.array_equal(loaded.predict(texts), coder.predict(texts))
    assert loaded.describe() == coder.describe()


def test_a_saved_coder_for_another_codebook_or_kind_is_refused(tmp_path, book, mini_codebook,
                                                               comments_gold):
    gold = comments_gold
    coder = new_coder("baseline", book)
    coder.fit(gold.texts, gold.labels, gold.code_ids)
    coder.to_disk(tmp_path / "model")
    with pytest.raises(InputError, match=r"config.json: field 'codebook' is 'comments@1'"):
        load_coder(tmp_path / "model", mini_codebook)
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    (tmp_path / "model" / "config.json").write_text(json.dumps({**config, "kind": "rules"}))
    with pytest.raises(InputError, match="field 'kind' is 'rules', not a trained coder"):
        load_coder(tmp_path / "model", book)
    with pytest.raises(InputError, match="config.json not found"):
        load_coder(tmp_path / "nothing", book)


def test_coders_never_import_the_quality_package():
    import subprocess
    import sys

    from tests_paths import ROOT

    probe = ("import sys, pipeline.coding.registry; "
             "print(sorted(m for m in sys.modules if m.startswith('pipeline.quality')))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True, env={"PYTHONPATH": str(ROOT),
                                                        "HF_HUB_OFFLINE": "1"})
    assert result.stdout.strip() == "[]"
