"""Prefect's temporary local API server, ended with the command that started it, however it ends.

With no Prefect API configured, Prefect starts its API server (``python -m uvicorn``) as a child
process for the length of a command and stops it at exit. A command killed by a signal (SIGKILL,
SIGTERM, a closed terminal) never reaches that exit, and the server kept running, holding a port
and Prefect's database open. :func:`tie_local_api` starts the same server itself, from the main
thread, through a two-line launcher that asks Linux to send the server SIGTERM when its parent
ends (``prctl(PR_SET_PDEATHSIG)``, which survives the launcher's hand-over to uvicorn), and
registers it where Prefect looks for its temporary server, as Prefect's own test harness does.
Prefect then uses this server and stops it at a normal exit as before.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

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


def tie_local_api() -> bool:
    """Start Prefect's temporary API now, so that it ends with this process.

    Does nothing (returns False) when a Prefect API is configured (``PREFECT_API_URL``), when a
    temporary server is already registered (a test harness), off Linux, or off the main thread
    (the kernel's signal follows the thread that started the child, not the process).
    Returns True when the server was started here.
    """
    if sys.platform != "linux" or threading.current_thread() is not threading.main_thread():
        return False
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value() or SubprocessASGIServer._instances.get(None) is not None:
        return False
    server = _build_server_class(SubprocessASGIServer)()  # registered under Prefect's key None
    server.start()
    return True


def _build_server_class(base):
    """``base`` (Prefect's SubprocessASGIServer) launching uvicorn through :data:`_LAUNCHER`."""

    class TiedServer(base):
        """Prefect's temporary API server, sent SIGTERM by the kernel when its parent ends."""

        def _run_uvicorn_command(self) -> subprocess.Popen:
            # The same command and environment as Prefect's own (prefect 3.8), behind the launcher.
            import prefect
            from prefect.settings import get_current_settings

            return subprocess.Popen(
                args=[sys.executable, "-c", _LAUNCHER, str(os.getpid()),
                      "--app-dir", str(prefect.__module_path__.parent),
                      "--factory", "prefect.server.api.server:create_app",
                      "--host", "127.0.0.1", "--port", str(self.port),
                      "--log-level", "error", "--lifespan", "on"],
                env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                     "PREFECT__SERVER_FINAL": "1",
                     **get_current_settings().to_environment_variables(exclude_unset=True)},
            )

    return TiedServer
