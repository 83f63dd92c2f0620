"""Process setup: spaCy loads without PyTorch (still importable for what embeds); stops are kept."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FRESH_PROCESS = """
import sys
from flows.setup import spacy_without_torch
print(spacy_without_torch())
from pipeline.nlp import load_nlp
doc = load_nlp()("Housing is the gap here.")  # the pipeline segmenting and coding use
print([t.lemma_ for t in doc][:2], "torch" in sys.modules)
import torch
print(int(torch.tensor([2, 3]).sum()), spacy_without_torch())
"""


def test_spacy_loads_without_torch_and_torch_still_imports_after():
    done = subprocess.run([sys.executable, "-c", FRESH_PROCESS], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    assert done.stdout.split("\n")[:3] == ["True", "['Housing', 'be'] False", "5 False"]


def test_nothing_is_done_once_thinc_is_loaded():
    import thinc.compat  # noqa: F401  (this test process loaded it at its start)

    from flows.setup import spacy_without_torch

    assert spacy_without_torch() is False


STOP_IN_A_FINALISER = """
import os, signal, sys
from prefect.utilities.engine import capture_sigterm
from flows.setup import stops_never_swallowed
signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C as in a terminal
if sys.argv[1] == "kept":
    stops_never_swallowed()
    stops_never_swallowed()  # installed once: the hook does not wrap itself

class Broken:
    def __del__(self):
        raise ValueError("a broken finaliser")

class Stopped:
    def __del__(self):
        os.kill(os.getpid(), int(sys.argv[2]))
        for _ in range(1000):  # the handler runs here, inside the finaliser
            pass

with capture_sigterm():  # Prefect's SIGTERM bridge, as in a flow run
    Broken()
    Stopped()
    for _ in range(10**7):
        pass
    print("carried on")
"""


@pytest.mark.parametrize(("mode", "signum", "status"), [
    ("kept", signal.SIGTERM, -signal.SIGTERM), ("kept", signal.SIGINT, -signal.SIGINT),
    ("dropped", signal.SIGTERM, 0), ("dropped", signal.SIGINT, 0)])
def test_a_stop_inside_a_finaliser_still_stops_the_process(mode, signum, status):
    done = subprocess.run([sys.executable, "-c", STOP_IN_A_FINALISER, mode, str(int(signum))],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == status, done.stderr
    assert ("carried on" in done.stdout) is (mode == "dropped")  # without it, the run went on
    assert "a broken finaliser" in done.stderr  # other errors are reported as before


ONE_CLIENT = """
import sys
from flows.setup import one_api_client
from prefect.client.orchestration import get_client
from prefect.context import SyncClientContext
context = one_api_client(sys.argv[1])
if context is None:
    print("none")
else:
    with SyncClientContext.get_or_create() as found:  # as each task run's engine asks
        print(found is context, get_client(sync_client=True) is context.client,
              str(context.client.api_url).rstrip("/") == sys.argv[1].rstrip("/"))
"""


def test_a_worker_process_keeps_one_api_client_for_its_tasks():
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()  # the session's real, ephemeral API
    done = subprocess.run([sys.executable, "-c", ONE_CLIENT, url], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.split("\n")[0] == "True True True"


def test_an_api_out_of_reach_leaves_the_tasks_their_own_clients():
    done = subprocess.run([sys.executable, "-c", ONE_CLIENT, "http://127.0.0.1:9/api"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.split("\n")[0] == "none"


FREEZE = """
import gc, sys, weakref
from flows.setup import freeze_imports, spacy_without_torch
spacy_without_torch()
assert "flows.chunks" not in sys.modules and gc.get_freeze_count() == 0
freeze_imports()
print("chunks" if "flows.chunks" in sys.modules else "missing", gc.get_freeze_count())
class Node:
    pass
a, b = Node(), Node()
a.other, b.other = b, a  # a cycle made after the freeze
gone = weakref.ref(a)
del a, b
gc.collect()
print("collected" if gone() is None else "kept")
"""


def test_a_chunk_worker_freezes_its_imports_and_still_collects_what_tasks_make():
    done = subprocess.run([sys.executable, "-c", FREEZE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded, frozen, collected = done.stdout.split()
    assert (loaded, collected) == ("chunks", "collected")
    assert int(frozen) > 100_000  # Prefect, spaCy, pandas and the coders' modules
