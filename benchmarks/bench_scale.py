"""Speed at scale: ``wavecoder run --no-topics`` on 1k to 1M generated answers, with baselines.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1k,10k,100k] [--seed 0] \
        [--work /tmp/wavecoder-bench] [--max-seconds 900] [--out docs]

For each size, a seeded wave of varied answers is generated (``wave_generator.py``, reused when
already written) and coded as a user codes it: ``wavecoder run <wave> --no-topics --force`` in a
new process with the default coder (whatever ``auto`` picks), its wall time, CPU time and peak
RSS (the largest process of the run, Prefect's local API included) measured from outside, its
stage timings read from ``run.json``. In the same run, over the same answers and the same
codebook, two baselines are timed: the naive one (pandas ``str.contains`` on the lower-cased
answers, one regex per code built from the codebook's phrases; no lemmas, negation, offsets or
evidence) and bare spaCy
tokenisation (``spacy.blank("en").pipe``). A run over ``--max-seconds`` is stopped and recorded
as such, with how many answers had been coded by then. Prints one table; with ``--out`` also
writes ``bench-scale.csv`` and ``bench-scale.png`` there. Not a test: figures vary by machine
and load (on a shared machine, take them under a lock).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from wave_generator import QUESTIONS, WaveStats, label_of, size_of, write_wave

from pipeline.config import DEFAULT_CODEBOOK, load_codebook

ROOT = Path(__file__).resolve().parents[1]
STAGES = ["ingest", "segment", "code", "stance", "segment_and_code", "review", "stance_update",
          "export", "store", "wide_files"]
# Seconds each chunk spent, summed over chunks: in two processes they overlap, so the flow's
# wall time counts the chunks' own (segment_and_code) instead.
IN_CHUNKS = ("segment", "code", "stance")
# Written beside export and store (a process of their own from 200,000 rows): not a wall time.
BESIDE = ("wide_files",)
CHUNKS = re.compile(r"segment and code:\s*\d+%\|[^|]*\|\s*(\d+)/(\d+)")
CHUNK_SIZE = 2000  # documents per segment-and-code task (WaveRun.chunk_size's default)
ENVIRONMENT = {  # as the Makefile runs wavecoder: nothing calls out
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


@dataclass
class Measured:
    """One size: the wave, the run of wavecoder and the baselines over the same answers."""

    wave: WaveStats
    wall: float = 0.0
    cpu: float = 0.0
    peak_rss_mb: float = 0.0
    stopped: str = ""  # why the run did not finish, or ""
    timings: dict[str, float] = field(default_factory=dict)
    segments: int = 0
    distinct_segments: float = 0.0
    baselines: dict[str, float] = field(default_factory=dict)  # name -> seconds
    texts: int = 0  # answers the baselines read (non-empty cells)


def generator_version() -> str:
    """A hash of the generator and the sample-text scripts it draws on."""
    files = [Path(__file__).with_name("wave_generator.py"), ROOT / "scripts" / "sample_text.py",
             ROOT / "scripts" / "make_sample_waves.py"]
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]


def wave_for(answers: int, work: Path, seed: int) -> WaveStats:
    """The generated wave of ``answers``, written once per size, seed and generator version."""
    stats_path = work / "waves" / f"bench-{label_of(answers)}-s{seed}.json"
    version = generator_version()
    if stats_path.exists():
        saved = json.loads(stats_path.read_text(encoding="utf-8"))
        if saved.pop("generator", None) == version:
            return WaveStats(**saved)
    stats = write_wave(answers, work / "waves", seed)
    stats_path.write_text(json.dumps(stats.__dict__ | {"generator": version}), encoding="utf-8")
    return stats


def run_wavecoder(wave: Path, out: Path, max_seconds: float, log: Path) -> tuple:
    """``wavecoder run`` in its own process group; (wall, cpu, peak RSS MB, stopped reason)."""
    environment = {**ENVIRONMENT, **os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    command = [sys.executable, "-m", "flows.cli", "run", str(wave), "--no-topics", "--force",
               "--out", str(out)]
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as handle:
        child = subprocess.Popen(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                                 env=environment, start_new_session=True)
        stopped = ""
        while True:  # wait4 gives this child's own peak RSS and CPU, not the whole session's
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > max_seconds:
                os.killpg(child.pid, signal.SIGTERM)  # the run and the local API it started
                time.sleep(5)
                pid, status, usage = os.wait4(child.pid, os.WNOHANG)
                if not pid:
                    os.killpg(child.pid, signal.SIGKILL)
                    _, status, usage = os.wait4(child.pid, 0)
                stopped = f"stopped at {max_seconds:.0f} s"
                break
            time.sleep(0.25)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if not stopped and child.returncode != 0:
        stopped = f"failed (exit {child.returncode}; see {log})"
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stopped


def coded_by_then(log: Path, answers: int) -> str:
    """How far segment-and-code got, from the last progress bar in the run's log."""
    found = CHUNKS.findall(log.read_text(encoding="utf-8", errors="replace"))
    if not found:
        return "no chunk coded"
    done, total = map(int, found[-1])
    if done == total:
        return f"all {answers:,} answers coded, stopped in a later stage"
    return f"about {min(done * CHUNK_SIZE, answers):,} answers coded ({done}/{total} chunks)"


def answers_of(wave: WaveStats) -> list[str]:
    """Every non-empty answer cell of the wave, as the baselines read them."""
    columns = [column for _, column, _ in QUESTIONS]
    table = pd.read_csv(Path(wave.folder) / "survey.csv", usecols=columns, dtype=str,
                        keep_default_na=False)
    texts = table.melt(value_name="text")["text"]
    return texts[texts.str.strip() != ""].tolist()


def code_regexes(codebook: Path) -> dict[str, str]:
    """One regex per code from its phrase patterns (token patterns have no phrase to use)."""
    regexes = {}
    for code, _ in load_codebook(codebook).walk():
        phrases = sorted({p.phrase.lower() for p in code.patterns if p.phrase}, key=len,
                         reverse=True)
        if phrases:
            regexes[code.id] = r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b"
    return regexes


def time_baselines(texts: list[str], codebook: Path) -> dict[str, float]:
    """Seconds of the naive pandas regex coder and of bare spaCy tokenisation over ``texts``."""
    import spacy

    series = pd.Series(texts, dtype=object)
    regexes = code_regexes(codebook)
    started = time.perf_counter()
    lower = series.str.lower()  # once, rather than case=False per code: 2-3x faster here
    hits = pd.DataFrame({code: lower.str.contains(regex, regex=True)
                         for code, regex in regexes.items()})
    naive = time.perf_counter() - started
    assert len(hits) == len(texts)
    nlp = spacy.blank("en")
    started = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=1000))
    tokenise = time.perf_counter() - started
    assert tokens > 0
    return {"naive pandas regex": naive, "spaCy blank tokenise": tokenise}


def measure(answers: int, work: Path, seed: int, max_seconds: float, codebook: Path,
            say) -> Measured:
    """Generate (or reuse) the wave of ``answers``, run wavecoder on it, time the baselines."""
    wave = wave_for(answers, work, seed)
    result = Measured(wave)
    out, log = work / "out", work / f"{wave.wave_id}.log"
    say(f"{wave.wave_id}: wavecoder run (cap {max_seconds:.0f} s, log {log})")
    result.wall, result.cpu, result.peak_rss_mb, result.stopped = run_wavecoder(
        Path(wave.folder), out, max_seconds, log)
    if result.stopped.startswith("stopped"):
        result.stopped += ", " + coded_by_then(log, wave.answers)
    elif not result.stopped:
        record = json.loads((out / wave.wave_id / "run.json").read_text(encoding="utf-8"))
        result.timings = record["timings"]
        segments = pd.read_parquet(out / wave.wave_id / "segments.parquet", columns=["text"])
        result.segments = len(segments)
        result.distinct_segments = segments["text"].nunique() / max(len(segments), 1)
    say(f"{wave.wave_id}: baselines")
    texts = answers_of(wave)
    result.texts = len(texts)
    result.baselines = time_baselines(texts, codebook)
    return result


def rows_of(results: list[Measured]) -> pd.DataFrame:
    """The long table: one row per size and measure (seconds, answers/s, peak RSS, note).

    ``processed`` is what a measure went through: the wave's answer cells for wavecoder's
    stages, the non-empty ones for the baselines (blank cells are no work for a regex).
    """
    rows = []
    for m in results:
        n = m.wave.answers
        base = {"size": label_of(n), "answers": n, "processed": n}
        for stage in STAGES:
            if stage in m.timings:
                rows.append(base | {"measure": stage, "seconds": m.timings[stage]})
        if m.timings:
            walls = [v for k, v in m.timings.items() if k not in BESIDE
                     and (k not in IN_CHUNKS or "segment_and_code" not in m.timings)]
            rows.append(base | {"measure": "flow stages", "seconds": sum(walls)})
        rows.append(base | {"measure": "end to end", "seconds": m.wall, "cpu_seconds": m.cpu,
                            "peak_rss_mb": m.peak_rss_mb, "note": m.stopped,
                            "segments": m.segments,
                            "distinct_segment_share": round(m.distinct_segments, 4)})
        for name, seconds in m.baselines.items():  # over the non-empty answers they read
            rows.append(base | {"measure": name, "seconds": seconds, "processed": m.texts})
    frame = pd.DataFrame(rows)
    frame["answers_per_s"] = (frame["processed"] / frame["seconds"]).round(1)
    naive = frame[frame["measure"] == "naive pandas regex"].set_index("size")["answers_per_s"]
    frame["ratio_to_naive"] = (frame["answers_per_s"] / frame["size"].map(naive)).round(4)
    frame.loc[frame["note"].fillna("") != "", ["answers_per_s", "ratio_to_naive"]] = None
    return frame


def print_table(frame: pd.DataFrame, console: Console) -> None:
    """One table: measures down, sizes across; each cell seconds, answers/s, ratio, RSS."""
    sizes = list(dict.fromkeys(frame["size"]))
    table = Table(title="wavecoder run --no-topics (default coder) vs baselines, same answers")
    table.add_column("measure")
    for size in sizes:
        table.add_column(size, justify="right")
    for measure in dict.fromkeys(frame["measure"]):
        cells = []
        for size in sizes:
            row = frame[(frame["size"] == size) & (frame["measure"] == measure)]
            if row.empty:
                cells.append("-")
                continue
            r = row.iloc[0]
            if isinstance(r.get("note"), str) and r["note"]:
                cells.append(f"{r['note']}\npeak RSS {r['peak_rss_mb']:,.0f} MB · "
                             f"CPU {r['cpu_seconds']:,.0f} s")
                continue
            text = f"{r['seconds']:,.1f} s · {r['answers_per_s']:,.0f}/s"
            if measure not in ("naive pandas regex",):
                text += f" · {r['ratio_to_naive']:.3f}× naive"
            if measure == "end to end":
                text += (f"\npeak RSS {r['peak_rss_mb']:,.0f} MB · CPU {r['cpu_seconds']:,.0f} s"
                         f"\n{r['distinct_segment_share']:.0%} of {int(r['segments']):,} segments "
                         "distinct")
            cells.append(text)
        table.add_row(measure, *cells)
    console.print(table)


def save_chart(frame: pd.DataFrame, path: Path) -> None:
    """Answers per second against wave size, log-log, one line per stage and baseline."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 5))
    axes.set_prop_cycle(color=plt.get_cmap("tab20").colors)
    for measure, rows in frame.dropna(subset=["answers_per_s"]).groupby("measure", sort=False):
        style = "--" if measure in ("naive pandas regex", "spaCy blank tokenise") else "-"
        width = 2.5 if measure == "end to end" else 1.2
        axes.plot(rows["answers"], rows["answers_per_s"], style, marker="o", linewidth=width,
                  label=measure)
    axes.set(xscale="log", yscale="log", xlabel="answers in the wave", ylabel="answers per second",
             title="wavecoder run --no-topics: throughput by stage, with baselines")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="center left", bbox_to_anchor=(1, 0.5))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> None:
    """Measure each size, print the table, save CSV and chart when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k,10k,100k,1m")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/wavecoder-bench"),
                        help="where waves, outputs and logs go (outside the repository)")
    parser.add_argument("--max-seconds", type=float, default=900,
                        help="stop a run that takes longer, and say how far it got")
    parser.add_argument("--codebook", type=Path, default=DEFAULT_CODEBOOK,
                        help="codebook of the naive baseline (wavecoder's default)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for bench-scale.csv and bench-scale.png (e.g. docs)")
    args = parser.parse_args()
    console = Console(width=160)
    results = [measure(size_of(size), args.work, args.seed, args.max_seconds, args.codebook,
                       console.log) for size in args.sizes.split(",") if size.strip()]
    frame = rows_of(results)
    print_table(frame, console)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(args.out / "bench-scale.csv", index=False)
        save_chart(frame, args.out / "bench-scale.png")
        console.print(f"wrote {args.out / 'bench-scale.csv'} and {args.out / 'bench-scale.png'}")


if __name__ == "__main__":
    main()
