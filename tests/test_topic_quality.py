"""Topic coherence (NPMI) and diversity, computed by hand on small texts and on themed segments."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from pipeline.topic_quality import npmi_coherence, topic_diversity

TEXTS = [["housing", "gap"], ["housing", "gap", "rent"], ["funding", "cut"], ["funding", "rent"]]


def test_npmi_of_one_pair_by_hand():
    # housing in 2 of 4 texts, gap in 2, both in 2: log(0.5 / 0.25) / -log(0.5) = 1
    assert npmi_coherence([["housing", "gap"]], TEXTS) == pytest.approx(1.0)
    # housing 2/4, rent 2/4, together 1/4: log(0.25 / 0.25) = 0, independent
    assert npmi_coherence([["housing", "rent"]], TEXTS) == pytest.approx(0.0)
    # never together: -1; the mean over two topics
    assert npmi_coherence([["housing", "cut"], ["housing", "gap"]], TEXTS) == pytest.approx(0.0)


def test_npmi_of_a_partial_pair_matches_the_formula():
    # funding 2/4, cut 1/4, together 1/4
    expected = math.log(0.25 / (0.5 * 0.25)) / -math.log(0.25)
    assert npmi_coherence([["funding", "cut"]], TEXTS) == pytest.approx(expected)


def test_diversity_counts_repeated_words_once():
    assert topic_diversity([["a", "b"], ["b", "c"]]) == pytest.approx(0.75)
    assert topic_diversity([["a", "b", "c"], ["d", "e", "f"]], top_k=2) == 1.0


def test_themes_words_cohere_and_mixed_words_do_not(data_dir):
    raw = pd.read_csv(data_dir / "topics" / "segments.csv")
    analyse = CountVectorizer(stop_words="english").build_analyzer()
    tokenised = [analyse(t) for t in raw["text"]]
    by_theme = {theme: [w for w, _ in pd.Series(
        [w for t in raw.loc[raw["theme"] == theme, "text"] for w in sorted(set(analyse(t)))])
        .value_counts().head(5).items()] for theme in sorted(raw["theme"].unique())}
    themed = list(by_theme.values())
    mixed = [[words[i] for words in themed] for i in range(4)]  # one word from each theme
    coherent, incoherent = npmi_coherence(themed, tokenised), npmi_coherence(mixed, tokenised)
    assert incoherent < -0.5 and coherent > incoherent + 0.4, (coherent, incoherent)
