"""Prefect's temporary local API server for one command: started early, ended with the command.

With no Prefect API configured, Prefect starts its API server (``python -m uvicorn``) as a child
process the first time a flow needs it, waits for it, and stops it at exit. That cost a run
seconds in series with its own start (the server's imports and database set-up, then the
command's spaCy and flow modules), and a command killed by a signal (SIGKILL, SIGTERM, a closed
terminal) never reached the exit, so the server kept running, holding a port and Prefect's
database open.

:func:`launch_local_api` starts the same server (Prefect's own command and environment) before
the command imports what it needs, so both start side by side on two cores, through a two-line
launcher that asks Linux to send the server SIGTERM when its parent ends
(``prctl(PR_SET_PDEATHSIG)``, which survives the launcher's hand-over to uvicorn).
:meth:`LocalApi.use` then waits until it answers and points this process, and every process it
starts, at it through ``PREFECT_API_URL``, so Prefect starts no server of its own; the server is
stopped at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import random
import socket
import subprocess
import sys
import threading
import time

import httpx

# Runs in the server's process before uvicorn. 1 is PR_SET_PDEATHSIG (linux/prctl.h); the check
# after it covers a parent that ended between the fork and the prctl call.
_LAUNCHER = """\
import ctypes, os, runpy, signal, sys
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)
sys.argv = ["uvicorn", *sys.argv[2:]]
runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)
"""
STARTUP_FAILED = 3  # uvicorn's exit status when it could not start, e.g. its port was taken
MAX_RELAUNCHES = 5
PORTS = range(8000, 9000)  # Prefect's own range for its temporary server


class LocalApi:
    """A temporary Prefect API server started for this command (see the module docstring)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = _launch_uvicorn(self.port)
        self.relaunches = 0

    @property
    def api_url(self) -> str:
        """The server's API address, as ``PREFECT_API_URL`` takes it."""
        return f"http://127.0.0.1:{self.port}/api"

    def use(self) -> None:
        """Wait for the server (:meth:`wait`), then send this process's Prefect client to it."""
        from prefect.context import refresh_global_settings_context

        atexit.register(self.stop)
        self.wait()
        # Child processes (a wave's chunk workers) inherit the variables; this process reads
        # them once its settings are refreshed. The server serves no UI, and with an API URL
        # set Prefect would log a "View at" link to one for every run.
        os.environ["PREFECT_API_URL"] = self.api_url
        os.environ["PREFECT_UI_URL"] = ""
        refresh_global_settings_context()

    def wait(self) -> None:
        """Return once the server answers; start it again on another port if that one was taken.

        Raises RuntimeError, with the server stopped, when it ends otherwise or does not answer
        within Prefect's startup timeout (``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS``).
        """
        from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

        deadline = time.monotonic() + PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
        with httpx.Client(timeout=2) as client:
            while not self._answers(client):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("Prefect's temporary API server did not start in time")
                time.sleep(0.1)

    def _answers(self, client) -> bool:
        status = self.process.poll()
        if status == STARTUP_FAILED and self.relaunches < MAX_RELAUNCHES and not _free(self.port):
            self.relaunches += 1  # another process took the port between the check and the bind
            self.port = _free_port()
            self.process = _launch_uvicorn(self.port)
        elif status is not None:
            raise RuntimeError(f"Prefect's temporary API server ended with status {status} "
                               f"(port {self.port})")
        try:
            return client.get(f"{self.api_url}/health").status_code == 200
        except httpx.TransportError:  # not listening yet
            return False

    def stop(self) -> None:
        """End the server (SIGTERM, then SIGKILL after 5 s); nothing if it has ended."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def launch_local_api() -> LocalApi | None:
    """Start Prefect's temporary API server's process, without waiting for it, when one is needed.

    Returns None, and starts nothing, when a Prefect API is configured (``PREFECT_API_URL``, as a
    test harness or a deployment sets it), off Linux, or off the main thread (the kernel's signal
    follows the thread that started the child, not the process). Otherwise call
    :meth:`LocalApi.use` before the first flow runs; a launch never used ends with this process.
    """
    if sys.platform != "linux" or threading.current_thread() is not threading.main_thread():
        return None
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return None
    return LocalApi()


def use_local_api(launched: LocalApi | None) -> None:
    """:meth:`LocalApi.use` on what :func:`launch_local_api` gave; nothing if it gave None."""
    if launched is not None:
        launched.use()


def _free(port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _free_port() -> int:
    for _ in range(50):
        port = random.choice(PORTS)
        if _free(port):
            return port
    raise RuntimeError("no free port for Prefect's temporary API server in 8000-8999")


def _launch_uvicorn(port: int) -> subprocess.Popen:
    """The server's process: Prefect 3.8's own command and environment, behind the launcher."""
    import prefect
    from prefect.settings import get_current_settings

    return subprocess.Popen(
        args=[sys.executable, "-c", _LAUNCHER, str(os.getpid()),
              "--app-dir", str(prefect.__module_path__.parent),
              "--factory", "prefect.server.api.server:create_app",
              "--host", "127.0.0.1", "--port", str(port),
              "--log-level", "error", "--lifespan", "on"],
        env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
             "PREFECT__SERVER_FINAL": "1",
             **get_current_settings().to_environment_variables(exclude_unset=True)},
    )
