"""Benchmark the review round trip on a sample wave: export, import, refresh; prints figures.

    .venv/bin/python benchmarks/bench_review.py [--wave corpora/sector-survey-2013]

Codes the wave with the rules (no topics) into a temporary outputs folder, then times each
review step on every coding of the wave: the REFI-QDA export, the import of the unchanged
project (every coding accepted), the review workbook export, and the import of a workbook
with every row decided. Peak memory is the process's so far.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.setup import offline_environment  # noqa: E402

offline_environment()
from pipeline import schema as s  # noqa: E402
from pipeline.coding import RuleCoder  # noqa: E402
from pipeline.coding.stream import segment_and_code  # noqa: E402
from pipeline.config import load_codebook  # noqa: E402
from pipeline.export import WaveTables, publish_wave, run_record, standing  # noqa: E402
from pipeline.ingest import ingest_wave  # noqa: E402
from pipeline.outputs import read_wave  # noqa: E402
from pipeline.review.apply import import_review, review_wave  # noqa: E402
from pipeline.review.qdpx import export_qdpx  # noqa: E402
from pipeline.review.queue import review_queue  # noqa: E402
from pipeline.review.workbook import COLUMNS, write_workbook  # noqa: E402
from pipeline.stance import wave_stances  # noqa: E402


def _peak_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _decide_every_row(path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path, rich_text=True)
    sheet = book["review"]
    decision, reviewer = COLUMNS.index(s.DECISION) + 1, COLUMNS.index(s.REVIEWER) + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, decision).value = "accept" if row % 10 else "reject"
        sheet.cell(row, reviewer).value = "Bench Reviewer"
    book.save(path)


def main() -> None:
    """Code the wave, then time each review step and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wave", type=Path, default=ROOT / "corpora/sector-survey-2013")
    parser.add_argument("--codebook", type=Path,
                        default=ROOT / "models/codebooks/recovery-capital.yaml")
    args = parser.parse_args()
    book = load_codebook(args.codebook)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "outputs"
        ingested = ingest_wave(args.wave)
        wave_dir = out / ingested.manifest.id
        coded = segment_and_code(ingested.documents, RuleCoder(book),
                                 interviewer_labels=ingested.interviewer_labels)
        reviewed = review_wave(coded.codings, coded.segments, s.empty(s.STORED_REVIEW_LOG),
                               book, ingested.manifest.id)
        codings = reviewed.applied.codings
        publish_wave(wave_dir, WaveTables(
            ingested.documents, coded.segments, codings,
            wave_stances(coded.segments, standing(codings), book),
            rejected=ingested.rejected), book, run_record(
                ingested=ingested, folder=args.wave, codebook=book, coder="rules",
                segments=coded.segments, codings=codings, parameters={}, timings={},
                topics=None, output_dir=wave_dir),
            review=reviewed.tables, codebook_file=args.codebook)
        print(f"{ingested.manifest.id}: {len(coded.segments)} segments, "
              f"{len(coded.codings)} codings", flush=True)
        steps = []

        def timed(name: str, step) -> object:
            started = time.perf_counter()
            result = step()
            steps.append((name, round(time.perf_counter() - started, 2), _peak_mib()))
            print(f"{name}: {steps[-1][1]} s, peak RSS {steps[-1][2]} MiB so far", flush=True)
            return result

        project = timed("export-qdpx", lambda: export_qdpx(wave_dir, book, Path(tmp) / "w.qdpx"))
        # every coding left as exported, accepted as asked: the import decides every coding
        done = timed("import-review .qdpx", lambda: import_review(project, wave_dir, book,
                                                                  accept_untouched=True))
        print(f"  {len(done.read.decisions)} decisions, statuses {done.refreshed.statuses}")
        wave = read_wave(wave_dir)
        workbook = Path(tmp) / "w.xlsx"
        timed("export-review", lambda: write_workbook(
            workbook, wave.wave, wave.codings, wave.segments, wave.documents,
            review_queue(wave.codings, wave.segments), book))
        _decide_every_row(workbook)
        done = timed("import-review .xlsx", lambda: import_review(workbook, wave_dir, book))
        print(f"  {len(done.read.decisions)} decisions, statuses {done.refreshed.statuses}")


if __name__ == "__main__":
    main()
