"""Time spent in bridge calls, for the wizard benchmarks: `calls` holds the duration of every
ConnectorProcess.call made since it was last cleared (the connector's own time plus the pipe), so a
benchmark can split a page's time into the DLL's and the wizard's own."""

from __future__ import annotations

import threading
import time

from app.bridge import client

calls: list[float] = []
lock = threading.Lock()
_original_call = client.ConnectorProcess.call


def _timed_call(self, *args, **kwargs):
    start = time.perf_counter()
    try:
        return _original_call(self, *args, **kwargs)
    finally:
        with lock:
            calls.append(time.perf_counter() - start)


client.ConnectorProcess.call = _timed_call  # type: ignore[method-assign]
