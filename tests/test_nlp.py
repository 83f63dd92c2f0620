"""The shared spaCy pipeline: what it does to a sentence, and what building it does not import.

spaCy loads every package's ``spacy_factories`` entry point whenever it builds a pipeline;
Presidio's imports transformers and torch-backed models, seconds before anything is coded.
The import checks run in a fresh interpreter, where nothing else has imported them yet.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import spacy
from tests_paths import ROOT

from pipeline.nlp import LookupLemmas, blank_english, lemmas, load_nlp

SENTENCE = "The nurses were helping me. I felt better."

HOT_PATH = f"""
import json, sys
from pathlib import Path
import pandas as pd
from pipeline import schema as s
from pipeline.config import load_codebook
from pipeline.nlp import load_nlp
from pipeline.quality.choose import resolve_coder  # the coder registry, every kind in it
from pipeline.coding import RuleCoder
nlp = load_nlp()
book = load_codebook(Path({str(ROOT / "models" / "codebooks" / "recovery-capital.yaml")!r}))
codings = RuleCoder(book).code(pd.DataFrame({{
    s.SEGMENT_ID: ["a"], s.START: [0], s.TEXT: ["We lost our housing support this year."]}}))
heavy = ["transformers", "presidio_analyzer", "sentence_transformers", "sklearn", "bertopic"]
print(json.dumps({{"loaded": [m for m in heavy if m in sys.modules],
                   "codes": sorted(codings[s.CODE_ID])}}))
"""


def test_the_blank_pipeline_tokenises_lemmatises_and_splits_sentences():
    doc = load_nlp()(SENTENCE)
    assert [(t.text, t.lemma_) for t in doc] == [
        ("The", "The"), ("nurses", "nurse"), ("were", "be"), ("helping", "help"), ("me", "me"),
        (".", "."), ("I", "I"), ("felt", "feel"), ("better", "well"), (".", ".")]
    assert [sent.text for sent in doc.sents] == ["The nurses were helping me.", "I felt better."]
    assert lemmas(SENTENCE) == ["nurse", "help", "feel", "well"]
    assert load_nlp() is load_nlp()


def test_building_a_blank_pipeline_leaves_spacy_loading_entry_points_for_everyone_else():
    nlp = blank_english()
    assert nlp.lang == "en" and nlp.pipe_names == []
    restored = spacy.util.registry._entry_point_factories
    assert restored.entry_points and restored.namespace == ("spacy", "factories")


def test_coding_with_the_rules_imports_no_transformers_presidio_or_scikit_learn():
    done = subprocess.run([sys.executable, "-c", HOT_PATH], capture_output=True, text=True,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"},
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["loaded"] == []
    assert "housing" in result["codes"]


def test_lookup_lemmas_are_the_lookup_lemmatizers_for_a_whole_doc():
    nlp = blank_english()
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    text = "The Nurses were running late; I can't say we'd waited. WENT home, been better!"
    doc = LookupLemmas(nlp)(nlp.make_doc(text))
    assert [t.lemma_ for t in doc] == [t.lemma_ for t in nlp(text)]
    # keyed by the token's text, as spaCy's component: "Nurses" and "WENT" stay as they are
    assert [(t.text, t.lemma_) for t in doc][1:5] == [
        ("Nurses", "Nurses"), ("were", "be"), ("running", "run"), ("late", "late")]
    assert [doc[i].lemma_ for i in (8, 11, 17)] == ["not", "would", "be"]  # n't, 'd, been
    kept = nlp.make_doc("were running")
    kept[0].lemma_ = "was"  # a lemma already set is kept, as the component without overwrite
    assert [t.lemma_ for t in LookupLemmas(nlp)(kept)] == ["was", "run"]
    assert len(LookupLemmas(nlp)(nlp.make_doc(""))) == 0
    rule_mode = blank_english()
    rule_mode.add_pipe("lemmatizer", config={"mode": "rule"})
    with pytest.raises(ValueError, match="lookup mode"):
        LookupLemmas(rule_mode)
