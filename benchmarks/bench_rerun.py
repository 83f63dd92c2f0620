"""Re-running a wave as a user does, from the command line: first run, unchanged, after an edit.

    .venv/bin/python benchmarks/bench_rerun.py [--wave corpora/sector-survey-2013] \
        [--codebook models/codebooks/recovery-capital.yaml] [-- --coder rules --no-topics]

Copies the wave and the codebook into a temporary folder, then times ``wavecoder run`` (each a
new process, Prefect's local API included) four times: the first run, the same run again
(kept by the fingerprint check, no flow), the run after a comment is added to the codebook
(coding recomputed, ingest read from the cache), and ``--force``. Prints wall seconds and what
each run reused (``run.json``'s ``cache``). Options after ``--`` go to every run (default:
``--coder rules --no-topics``). Not a test: the figures vary by machine and load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def wavecoder(*args: str) -> tuple[float, str]:
    """Run the command line in a new process; its wall time and last output lines."""
    started = time.perf_counter()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=ROOT, text=True,
                          capture_output=True, env=environment)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"wavecoder {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def reused(out_dir: Path) -> str:
    """What the last run that published ``out_dir`` read from the cache."""
    cache = json.loads((out_dir / "run.json").read_text(encoding="utf-8")).get("cache", {})
    return ", ".join(f"{stage} {'reused' if used['reused'] else 'computed'}"
                     for stage, used in cache.items()) or "-"


def main() -> None:
    """Time the four runs and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wave", type=Path, default=ROOT / "corpora" / "sector-survey-2013")
    parser.add_argument("--codebook", type=Path,
                        default=ROOT / "models" / "codebooks" / "recovery-capital.yaml")
    parser.add_argument("options", nargs="*", default=["--coder", "rules", "--no-topics"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-rerun-") as tmp:
        wave, codebook, out = Path(tmp) / args.wave.name, Path(tmp) / "codebook.yaml", \
            Path(tmp) / "out"
        shutil.copytree(args.wave, wave)
        text = args.codebook.read_text(encoding="utf-8")
        cues = yaml.safe_load(text).get("stance_cues")
        if cues:  # the copy names the original's cue file by its full path
            text = text.replace(cues, (args.codebook.parent / cues).resolve().as_posix())
        codebook.write_text(text, encoding="utf-8")
        command = ["run", str(wave), "--codebook", str(codebook), "--out", str(out),
                   *args.options]
        rows = []
        for label, extra in (("first run", []), ("unchanged re-run", []),
                             ("after a codebook edit", None), ("--force", ["--force"])):
            if extra is None:
                with codebook.open("a", encoding="utf-8") as handle:
                    handle.write("# edited for the benchmark\n")
                extra = []
            seconds, output = wavecoder(*command, *extra)
            out_dir = next(p for p in out.iterdir() if (p / "run.json").is_file())
            kept = "unchanged: outputs kept" in output
            rows.append((label, seconds, "outputs kept, no flow run" if kept
                         else reused(out_dir)))
    print(f"wavecoder {' '.join(['run', args.wave.name, *args.options])}")
    print(f"{'run':<24} {'wall s':>7}  stages")
    for label, seconds, what in rows:
        print(f"{label:<24} {seconds:>7.1f}  {what}")


if __name__ == "__main__":
    main()
