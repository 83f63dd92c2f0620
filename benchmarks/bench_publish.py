"""Time and size the export and store stages alone: a published wave published again.

Reads a wave's outputs folder (as ``wavecoder run`` wrote it), then publishes the same tables
into a fresh outputs root, as the flow's publish task does, and prints the export and store
seconds (from the run record) and the process's resident memory: before the publish (the
tables held) and its peak during it, sampled every 20 ms. Run it under ``/usr/bin/time -v``
for the process's peak as the kernel counts it.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_publish.py OUTPUTS/<wave> --into NEW_ROOT
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

import pandas as pd

from pipeline import schema as s
from pipeline.export import WaveTables, publish_wave
from pipeline.outputs import CODEBOOK_FILE, REVIEW_DIR, read_wave


def rss_mb() -> float:
    """The resident set size of this process now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class PeakSampler(threading.Thread):
    """The largest :func:`rss_mb` seen while it runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.done = rss_mb(), threading.Event()

    def run(self) -> None:
        """Sample until ``done`` is set."""
        while not self.done.wait(0.02):
            self.peak = max(self.peak, rss_mb())


def main() -> None:
    """Publish the folder given again into ``--into`` and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outputs", type=Path, help="a wave's outputs folder to publish again")
    parser.add_argument("--into", type=Path, required=True, help="a new outputs root")
    args = parser.parse_args()
    wave = read_wave(args.outputs)
    review = {"review_log": pd.DataFrame(),
              "review_agreement": pd.read_csv(args.outputs / REVIEW_DIR / "agreement.csv"),
              "review_queue": wave.review_queue}
    rejected = pd.read_csv(args.outputs / "rejected.csv", dtype=str)
    tables = WaveTables(wave.documents, wave.segments, wave.codings, wave.stances,
                        rejected=rejected)
    before = rss_mb()
    sampler = PeakSampler()
    sampler.start()
    started = time.perf_counter()
    published = publish_wave(args.into / wave.run.wave, tables, wave.codebook, wave.run,
                             review=review, codebook_file=args.outputs / CODEBOOK_FILE)
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    timings = published.record.timings
    print(f"rows: documents {len(wave.documents):,}, segments {len(wave.segments):,}, "
          f"codings {len(wave.codings):,}, wide {len(published.tables['coded_wide']):,} × "
          f"{len(published.tables['coded_wide'].columns)}; "
          f"{int((published.tables['theme_summary'][s.MENTIONS] > 0).sum())} themes mentioned")
    print(f"export {timings['export']:.1f} s, store {timings['store']:.1f} s, "
          f"publish wall {wall:.1f} s; RSS before {before:,.0f} MB, "
          f"peak during {sampler.peak:,.0f} MB (+{sampler.peak - before:,.0f} MB)")


if __name__ == "__main__":
    main()
