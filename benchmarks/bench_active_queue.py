"""Time the review queue ordered for learning on a sample wave; prints figures.

    .venv/bin/python benchmarks/bench_active_queue.py [--wave corpora/sector-survey-2013]
        [--model models/recovery-capital-hybrid/linear]

Codes the wave with the rules into a temporary outputs folder (as the flow publishes it, no
Prefect), then times what ``export-review --order active`` adds: the trained model, the rules
and MiniLM over the segments under review (:func:`pipeline.review.active_queue.coder_signals`)
and the ordering (:func:`pipeline.review.queue.review_queue` with them), and compares the
queue with the standard one. Run it under the machine-wide lock (it takes about a minute).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from flows.setup import offline_environment  # noqa: E402

offline_environment()
from support_review import publish_folder  # noqa: E402

from pipeline import schema as s  # noqa: E402
from pipeline.config import load_codebook  # noqa: E402
from pipeline.review.active_queue import coder_signals  # noqa: E402
from pipeline.review.queue import review_queue  # noqa: E402


def main() -> None:
    """Code the wave, time the signals and the ordering, print the two queues' make-up."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--wave", type=Path, default=ROOT / "corpora" / "sector-survey-2013")
    parser.add_argument("--codebook", type=Path,
                        default=ROOT / "models" / "codebooks" / "recovery-capital.yaml")
    parser.add_argument("--model", type=Path,
                        default=ROOT / "models" / "recovery-capital-hybrid" / "linear")
    args = parser.parse_args()
    book = load_codebook(args.codebook)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "outputs" / args.wave.name
        started = time.perf_counter()
        tables, _ = publish_folder(args.wave, out, book, args.codebook)
        print(f"coded and published with the rules: {time.perf_counter() - started:.1f} s")
    codings, segments = tables.codings, tables.segments
    started = time.perf_counter()
    signals = coder_signals(codings, segments, book, args.model)
    signals_s = time.perf_counter() - started
    started = time.perf_counter()
    active = review_queue(codings, segments, active=signals)
    order_s = time.perf_counter() - started
    standard = review_queue(codings, segments)
    print(f"{len(segments)} segments, {len(codings)} codings on "
          f"{codings[s.SEGMENT_ID].nunique()} segments")
    print(f"model + rules + MiniLM: {signals_s:.1f} s; ordering: {order_s:.1f} s")
    for name, queue in (("active", active), ("standard", standard)):
        print(f"{name} queue: {len(queue)} codings, "
              f"{queue[s.QUEUE_REASON].value_counts().to_dict()}")


if __name__ == "__main__":
    main()
