"""One worker per connector DLL for the whole program: sessions on the same DLL share it.

Going back and forth in the wizard (or opening the same connector again) reuses the running
worker instead of paying the runtime start again. A DLL whose file changed (size or time) gets a
fresh worker: the old one still holds the old code.
"""

from __future__ import annotations

import threading
from pathlib import Path

from app.bridge.client import DEFAULT_TIMEOUT, SCHEMA_TIMEOUT, ConnectorProcess
from app.bridge.locate import ConnectorLibrary


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
        return (st.st_size, st.st_mtime_ns)
    except OSError:
        return (-1, -1)


class WorkerPool:
    def __init__(self) -> None:
        self._workers: dict[tuple[str, str], tuple[tuple[int, int], ConnectorProcess]] = {}
        self._lock = threading.Lock()

    def get(self, library: ConnectorLibrary, *, timeout: float = DEFAULT_TIMEOUT,
            schema_timeout: float = SCHEMA_TIMEOUT) -> ConnectorProcess:
        key = (str(library.dll), str(library.interface_dll or ""))
        stamp = _stamp(library.dll)
        with self._lock:
            found = self._workers.get(key)
            if found and found[0] == stamp:
                process = found[1]
                process.timeout, process.schema_timeout = timeout, schema_timeout
                return process
            if found:
                found[1].close()
            process = ConnectorProcess(library.dll, library.interface_dll, timeout=timeout,
                                       schema_timeout=schema_timeout)
            self._workers[key] = (stamp, process)
            return process

    def close_all(self) -> None:
        """At program exit: every worker ends (each with os._exit inside)."""
        with self._lock:
            workers, self._workers = list(self._workers.values()), {}
        for _, process in workers:
            process.close()


workers = WorkerPool()  # the program's pool; the GUI calls workers.close_all() when it quits
