"""``wavecoder`` as a real process a test can watch and kill, and the small wave it runs.

The command runs in its own session, so every process it starts (Prefect's API server first)
shares its process group: what is left of the group after a kill is what the command left
behind. Each command gets its own Prefect home (database and storage) and no configured API,
as a user's first run would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import yaml

ROOT = Path(__file__).resolve().parents[1]
SECTOR_SURVEY = ROOT / "corpora" / "sector-survey-2013"
SMALL_WAVE = "small-2013"


def small_wave(folder: Path, respondents: int = 40) -> Path:
    """The first ``respondents`` services of the 2013 sector survey (five answers each) as a
    wave of its own, ``small-2013``, in ``folder``."""
    folder.mkdir(parents=True)
    lines = (SECTOR_SURVEY / "survey.csv").read_text(encoding="utf-8").splitlines(True)
    (folder / "survey.csv").write_text("".join(lines[: respondents + 1]), encoding="utf-8")
    manifest = yaml.safe_load((SECTOR_SURVEY / "wave.yaml").read_text(encoding="utf-8"))
    manifest["id"] = SMALL_WAVE
    manifest["sources"] = [s for s in manifest["sources"] if s["kind"] == "survey"]
    (folder / "wave.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), "utf-8")
    return folder


def cli_environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a command run as a user would: this checkout, its own Prefect home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")}
    return env | {"PYTHONPATH": str(ROOT), "PREFECT_HOME": str(home / "prefect-home"),
                  "PYTHONUNBUFFERED": "1"} | extra


def _as_from_a_terminal() -> None:
    """Ctrl-C's SIGINT handled as in a terminal, whatever the test run inherited.

    A suite started in the background by a shell without job control (``make test &`` in a
    script, some CI runners) inherits SIGINT ignored, and Python then never turns it into
    KeyboardInterrupt: a command under test would shrug off the Ctrl-C it is tested for.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Command:
    """``python -m flows.cli <args>`` in a session of its own, its stderr read line by line."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path,
                 prefix: list[str] | None = None) -> None:
        self.lines: list[str] = []
        self.stdout = log.open("w", encoding="utf-8")
        self.popen = subprocess.Popen([*(prefix or []), sys.executable, "-m", "flows.cli", *args],
                                      env=env, stdout=self.stdout, stderr=subprocess.PIPE,
                                      text=True, start_new_session=True,
                                      preexec_fn=_as_from_a_terminal)
        self.group = self.popen.pid  # the session's (and process group's) id
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.popen.stderr:  # progress bars end in \r: read as lines too
            self.lines.append(line.rstrip("\n"))

    def wait_until(self, reached: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll every 10 ms until ``reached()``; fail naming ``what`` if the command ends first."""
        deadline = time.monotonic() + timeout
        while not reached():
            if self.popen.poll() is not None:
                raise AssertionError(f"the command ended ({self.popen.returncode}) before "
                                     f"{what}:\n" + "\n".join(self.lines[-30:]))
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} after {timeout} s:\n" +
                                     "\n".join(self.lines[-30:]))
            time.sleep(0.01)

    def said(self, words: str) -> bool:
        """Whether a line of stderr so far holds ``words``."""
        return any(words in line for line in list(self.lines))

    def stop(self, signum: int = signal.SIGKILL, timeout: float = 120) -> int:
        """Send ``signum`` to the command's main process only; wait for it; its exit status."""
        self.popen.send_signal(signum)
        try:
            return self.popen.wait(timeout=timeout)
        finally:
            self._reader.join(timeout=10)
            self.stdout.close()

    def finish(self, timeout: float = 1800) -> int:
        """Wait for the command to end by itself; its exit status."""
        try:
            return self.popen.wait(timeout=timeout)
        finally:
            self._reader.join(timeout=10)
            self.stdout.close()


def group_members(group: int) -> list[int]:
    """Live (not zombie) processes whose process group is ``group``, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended while we looked
            continue
        state, _ppid, pgrp = stat.rpartition(")")[2].split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append(int(entry.name))
    return found


def left_behind(group: int, grace: float = 20) -> tuple[list[int], float]:
    """Processes of ``group`` still alive after up to ``grace`` seconds, and the seconds the
    group took to empty (or ``grace``)."""
    started = time.monotonic()
    while time.monotonic() - started < grace:
        if not group_members(group):
            return [], round(time.monotonic() - started, 2)
        time.sleep(0.1)
    return group_members(group), grace


def end_group(group: int) -> None:
    """Kill what is left of ``group`` (a failed test must not leave a server running)."""
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass
