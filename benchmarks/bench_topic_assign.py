"""How long assigning a wave's segments to a kept topic model takes, per 1,000 segments.

    python benchmarks/bench_topic_assign.py [--repeat 5]

Fits a kept model on the 2013 sample wave (as the first wave of a project does), saves it
with safetensors and loads it back offline, then times :func:`pipeline.continuity.assign` on
the 2015 wave's distinct topic segments: the kept model's ``transform`` on precomputed
embeddings, and separately the MiniLM embedding those segments need first (cached by text, so
a segment is embedded once per run; exact, as topics are). Prints one line per figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.continuity import _fit, _texts, assign  # noqa: E402
from pipeline.embeddings import MiniLMEmbedder, offline  # noqa: E402
from pipeline.ingest import ingest_wave  # noqa: E402
from pipeline.segment import segment_documents  # noqa: E402
from pipeline.topic_store import KeptTopics, load_kept, save_kept  # noqa: E402


def main() -> None:
    """Fit, save, load, and time assignment and embedding per 1,000 segments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed assignment rounds")
    args = parser.parse_args()
    offline()
    texts = {w: _texts(segment_documents(ingest_wave(ROOT / "corpora" / w).documents))
             for w in ("sector-survey-2013", "sector-survey-2015")}
    embedder = MiniLMEmbedder(shared_cache=False, exact=True)  # as topics embed
    fit_texts = texts["sector-survey-2013"]
    model, _ = _fit(fit_texts, embedder.embed(fit_texts), min_topic_size=10, seed=42,
                    top_n_words=10, progress=False)
    new = texts["sector-survey-2015"]
    started = time.perf_counter()
    vectors = embedder.embed(new)
    embed_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        save_kept(Path(folder), model, KeptTopics(project="bench", embedding=embedder.name))
        kept, _ = load_kept(Path(folder))
        assign(kept, new[:10], vectors[:10])  # warm up
        started = time.perf_counter()
        for _ in range(args.repeat):
            assigned, _ = assign(kept, new, vectors)
        assign_seconds = (time.perf_counter() - started) / args.repeat
    per = 1000 / len(new)
    print(f"kept model: {len(kept.topic_embeddings_) - kept._outliers} topics fitted on "
          f"{len(fit_texts)} distinct segments of sector-survey-2013")
    print(f"assigned: {len(new)} distinct segments of sector-survey-2015, "
          f"{int((assigned == -1).sum())} left unassigned")
    print(f"assign (transform on embeddings): {assign_seconds * per * 1000:.1f} ms per 1,000 "
          "segments")
    print(f"MiniLM embedding first: {embed_seconds * per:.1f} s per 1,000 segments")


if __name__ == "__main__":
    main()
