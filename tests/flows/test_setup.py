"""Process setup: spaCy loads without PyTorch, which stays importable for what embeds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FRESH_PROCESS = """
import sys
from flows.setup import spacy_without_torch
print(spacy_without_torch())
from pipeline.nlp import load_nlp
doc = load_nlp()("Housing is the gap here.")  # the pipeline segmenting and coding use
print([t.lemma_ for t in doc][:2], "torch" in sys.modules)
import torch
print(int(torch.tensor([2, 3]).sum()), spacy_without_torch())
"""


def test_spacy_loads_without_torch_and_torch_still_imports_after():
    done = subprocess.run([sys.executable, "-c", FRESH_PROCESS], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    assert done.stdout.split("\n")[:3] == ["True", "['Housing', 'be'] False", "5 False"]


def test_nothing_is_done_once_thinc_is_loaded():
    import thinc.compat  # noqa: F401  (this test process loaded it at its start)

    from flows.setup import spacy_without_torch

    assert spacy_without_torch() is False
