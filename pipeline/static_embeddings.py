"""Static token embeddings distilled from MiniLM: a sentence is the mean of its tokens' vectors.

The model is a folder in model2vec's layout (``config.json``, ``model.safetensors`` holding one
``embeddings`` matrix, ``tokenizer.json``), shipped with the project in
``models/embeddings/minilm-static`` and rebuilt by ``scripts/distill_static.py`` from the
packaged all-MiniLM-L6-v2. It is read from that folder only: nothing is downloaded, no
transformer runs, and a text's vector depends on its text alone (tokens looked up and averaged),
whatever else is embedded with it. Tens of thousands of short texts a second on one core,
against about a hundred for MiniLM itself; it is a weaker model of meaning, so measure before
trading one for the other.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import sparse

from pipeline.errors import ConfigError, MissingInputError

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
TOKENIZER_FILE = "tokenizer.json"
DEFAULT_MODEL = Path("models") / "embeddings" / "minilm-static"
MODEL_FOLDER = Path(__file__).resolve().parents[1] / DEFAULT_MODEL

_LOADED: dict[Path, tuple[object, np.ndarray]] = {}  # one tokenizer and matrix per folder
_CHUNKS: dict[Path, dict[str, np.ndarray]] = {}  # per folder: a chunk of text -> its token ids
MAX_CACHED_CHUNKS = 200_000  # bounds the cache's memory on a very large wave


def _token_ids(tokenizer, texts: list[str], cache: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Each text's token ids, as ``encode_batch`` gives them, a space-separated chunk at a time.

    The tokenizer splits at every space and nothing it does crosses one (lower-casing, accent
    stripping and splitting at punctuation act within a chunk), so a text's ids are its chunks'
    ids in order. A wave repeats its words: each distinct chunk is tokenized once and kept, and
    the new ones of a batch go to the tokenizer together as one pre-split sequence, which costs
    far less than a call per text.
    """
    split = [text.split(" ") for text in texts]
    new = list(dict.fromkeys(c for chunks in split for c in chunks if c not in cache))
    known: dict[str, np.ndarray] = {}
    if new:
        encoding = tokenizer.encode(new, is_pretokenized=True, add_special_tokens=False)
        ids = np.array(encoding.ids, dtype=np.int64)
        words = np.array(encoding.word_ids, dtype=np.int64)  # the chunk each token came from
        bounds = np.searchsorted(words, np.arange(len(new) + 1)).tolist()
        known = {chunk: ids[a:b] for chunk, a, b in zip(new, bounds[:-1], bounds[1:], strict=True)}
        if len(cache) < MAX_CACHED_CHUNKS:
            cache.update(itertools.islice(known.items(), MAX_CACHED_CHUNKS - len(cache)))
    return [np.concatenate([known[c] if c in known else cache[c] for c in chunks])
            for chunks in split]


def _load(folder: Path) -> tuple[object, np.ndarray]:
    """The folder's tokenizer (no truncation, no padding) and float32 embedding matrix."""
    folder = folder.resolve()
    if folder not in _LOADED:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        for name in (CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE):
            if not (folder / name).is_file():
                raise MissingInputError(f"{folder / name}: static embedding model file missing "
                                        "(rebuild with scripts/distill_static.py)")
        config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        if config.get("model_type") != "model2vec":
            raise ConfigError(f"{folder / CONFIG_FILE}: field 'model_type' is "
                              f"'{config.get('model_type')}', not 'model2vec'")
        matrix = load_file(str(folder / WEIGHTS_FILE)).get("embeddings")
        if matrix is None or matrix.ndim != 2:
            raise ConfigError(f"{folder / WEIGHTS_FILE}: no 2-D tensor 'embeddings'")
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        tokenizer.no_truncation()  # a long answer keeps all its tokens: nothing is cut off
        tokenizer.no_padding()
        if tokenizer.get_vocab_size() != len(matrix):
            raise ConfigError(f"{folder / TOKENIZER_FILE}: {tokenizer.get_vocab_size()} tokens "
                              f"for {len(matrix)} embedding rows")
        _LOADED[folder] = (tokenizer, matrix.astype(np.float32))
    return _LOADED[folder]


class StaticEmbedder:
    """Mean of distilled token vectors, L2-normalised; loaded once per process from ``folder``.

    A text with no tokens (empty, or only spaces) gets the zero vector.
    """

    name = "static:minilm-static"

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else MODEL_FOLDER

    @property
    def dimensions(self) -> int:
        """Columns of every vector."""
        return int(_load(self.folder)[1].shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` (one unit-length row each; 256 columns for the shipped model)."""
        tokenizer, matrix = _load(self.folder)
        texts = list(texts)
        out = np.zeros((len(texts), matrix.shape[1]), dtype=np.float32)
        if not texts:
            return out
        ids = _token_ids(tokenizer, texts, _CHUNKS.setdefault(self.folder.resolve(), {}))
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = np.concatenate(ids)
        # Token counts per text times the matrix: the sum of each text's token vectors, without
        # gathering one row per token first (ten times faster on a wave of short answers).
        counts = sparse.csr_matrix(
            (np.ones(len(flat), dtype=np.float32), flat, np.concatenate(([0], np.cumsum(lengths)))),
            shape=(len(texts), len(matrix)))
        sums = np.asarray(counts @ matrix, dtype=np.float32)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return np.divide(sums, norms, out=out, where=norms > 0)
