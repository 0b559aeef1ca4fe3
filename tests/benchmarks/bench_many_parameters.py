"""Benchmark: a connector DLL that defines thousands of parameters on one page (offscreen, Mono).

The hostile test connector (tests/bridge/dotnet/Hostile.cs, Mode "many") answers its Global page
with Count String parameters. For 1,000, 3,000 and 20,000 it measures, in the real wizard, from
Next on the page before Global until the Global page is painted (or refused): the whole time, the
part spent in bridge calls, and the GUI thread's longest stall (the longest single turn of the
event loop: what the user feels as a frozen window).
Run: `python tests/benchmarks/bench_many_parameters.py [COUNT ...]` (needs mono and mcs).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bridge"))

import wizard_bench  # noqa: E402  (beside this script: the bridge-call timer, wizard_on)
from dotnet_build import build, missing_tools  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.ui.wizard.connector_wizard import ConnectorWizard  # noqa: E402
from app.wizard.page_keys import CONNECTIVITY, GLOBAL  # noqa: E402

COUNTS = (1000, 3000, 3001, 20000)


def settle(app: QApplication, condition, timeout: float = 600.0) -> float:
    """Turn the event loop until `condition`; returns the longest single turn (seconds)."""
    end = time.monotonic() + timeout
    longest = 0.0
    while True:
        start = time.perf_counter()
        app.processEvents()
        longest = max(longest, time.perf_counter() - start)
        if condition():
            return longest
        if time.monotonic() > end:
            raise TimeoutError("the wizard did not move on")
        time.sleep(0.001)


def set_value(w: ConnectorWizard, name: str, value: str) -> None:
    p = next(p for p in w.session.page_parameters("Connectivity") if p.name == name)
    w.session.set_parameter(p, value)


def measure(app: QApplication, root: Path, count: int) -> str:
    w = wizard_bench.wizard_on(root)
    try:
        w.currentPage().library.setCurrentText("Contoso.Hostile.dll")
        settle(app, lambda: not w.dll.busy)
        assert w.dll.active, w.dll.reason
        w.next()
        settle(app, lambda: w.current_key() == CONNECTIVITY)
        set_value(w, "Mode", "many")
        set_value(w, "Count", str(count - 1))  # and its one "Server"
        while w.flow.next_key(w.currentPage().key) != GLOBAL:  # Capabilities (and Schema pages)
            before = w.current_key()
            w.next()
            settle(app, lambda before=before: w.current_key() != before and not w.dll.busy, 60)
        with wizard_bench.lock:
            wizard_bench.calls.clear()
        before = w.current_key()
        start = time.perf_counter()
        w.next()
        stall = settle(app, lambda: not w.dll.busy and (w.current_key() != before or bool(_refused(w))))
        w.currentPage().repaint()
        total = time.perf_counter() - start
        with wizard_bench.lock:
            bridge = sum(wizard_bench.calls)
        if w.current_key() == GLOBAL:
            shown = len(w.currentPage().form.boxes)
            outcome = f"page shown with {shown} fields"
        else:
            outcome = f"refused: {_refused(w)}"
        return (f"{count:>6} parameters: {total:6.2f} s in all, {bridge:5.2f} s in bridge calls, "
                f"longest GUI stall {stall:5.2f} s; {outcome}")
    finally:
        w.reject()


def _refused(w: ConnectorWizard) -> str:
    """The sentence on the page when the DLL's answer was refused ('' when none)."""
    return " ".join(f.message for f in getattr(w.currentPage(), "bridge_findings", []) or [])


def main() -> int:
    why = missing_tools()
    if why:
        print(f"skipped: {why}")
        return 0
    counts = [int(a) for a in sys.argv[1:]] or list(COUNTS)
    dlls = build()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="bench-many-") as tmp:
        root = Path(tmp) / "host"
        shutil.copytree(ROOT / "resources" / "sample-host", root)
        shutil.copy(dlls.interface, root / "Service")
        shutil.copy(dlls.hostile, root / "Service" / "ECMA")
        for count in counts:
            print(measure(app, root, count), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
