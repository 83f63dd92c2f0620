"""Helper processes that end with the process that started them, however it ends."""

from __future__ import annotations

import os
import threading
import time


def end_with_parent(parent: int) -> None:
    """End this process within a second of ``parent``'s end (call it first thing in a child).

    A process killed outright (SIGKILL, a closed terminal) tidies nothing up: its helpers would
    carry on with work nobody waits for. Once the parent is gone this process has another
    parent (the system's), which a thread of its own checks every second.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-the-parent", daemon=True).start()
