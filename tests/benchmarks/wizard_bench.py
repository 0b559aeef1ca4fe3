"""What the wizard benchmarks share: `calls` holds the duration of every ConnectorProcess.call made
since it was last cleared (the connector's own time plus the pipe), so a benchmark can split a
page's time into the DLL's and the wizard's own; `wizard_on` opens the connector wizard on a host."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from app.bridge import client
from app.config.store import ConfigStore
from app.host.layout import from_host_dir
from app.ui.wizard.connector_wizard import ConnectorWizard

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


def wizard_on(root: Path) -> ConnectorWizard:
    """The New connector wizard on the host at `root`, named Bench, with a generated token."""
    layout = from_host_dir(root)
    store = ConfigStore(layout.config_path)
    w = ConnectorWizard(store.load(), store, layout)
    w.resize(920, 700)
    w.show()
    page = w.currentPage()
    page.name.setText("Bench")
    w.session.set_name("Bench")
    page.generate.click()
    return w
