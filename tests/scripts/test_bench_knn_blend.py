"""benchmarks/bench_knn_blend.py: each weight's model reuses the fold's vectors, unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


class CountingEmbedder:
    name = "counting"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen.extend(texts)
        return np.array([[len(text), text.count("a")] for text in texts], dtype=np.float32)


def test_a_fold_embeds_each_text_once_and_gets_the_same_vectors(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))  # the benchmarks import each other flat
    from bench_knn_blend import CachedEmbedder

    inner, cache = CountingEmbedder(), {}
    first = CachedEmbedder(inner, cache).embed(["a van", "no car", "a van"])
    again = CachedEmbedder(inner, cache).embed(["no car", "a taxi"])
    assert inner.seen == ["a van", "no car", "a taxi"]
    np.testing.assert_array_equal(first, [[5, 2], [6, 1], [5, 2]])
    np.testing.assert_array_equal(again, [[6, 1], [6, 2]])
