"""Benchmark: the connector wizard's pages built from a connector DLL (offscreen, Mono).

Measures (medians):
- first page: from choosing Contoso.SqlLike.dll on the Properties page until its Connectivity page
  is on screen after Next (a new worker process each run: runtime start, loading the DLL, the
  first GetConfigParameters); goal under 2 s;
- each later page: from Next until the next page is on screen, split into the time spent in bridge
  calls (the connector's own time plus the pipe) and everything else (the wizard's own work:
  snapshot, writing the answers, building the page); goal: the rest under 200 ms;
- baseline from the same run: the same Next clicks with the built-in Generic SQL template (no DLL).
Run: `python tests/benchmarks/bench_wizard_dll.py` (needs mono and mcs; the test connectors are
compiled by tests/bridge/dotnet_build.py).
"""

from __future__ import annotations

import os
import shutil
import statistics
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
from app.wizard.page_keys import (  # noqa: E402
    CAPABILITIES,
    CONNECTIVITY,
    GLOBAL,
    OBJECT_TYPES,
    PARTITIONS,
    RUN_PROFILES,
    PageKey,
)

RUNS = 5
PAGES = (CONNECTIVITY, CAPABILITIES, *(PageKey.schema(n) for n in range(1, 5)), GLOBAL, PARTITIONS,
         RUN_PROFILES, *(PageKey.run_step(p) for p in ("Export", "FullImport", "DeltaImport")), OBJECT_TYPES)


def wait(app: QApplication, condition, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the wizard did not move on")
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()


def host_copy(work: Path, dlls) -> Path:
    root = work / "host"
    shutil.copytree(ROOT / "resources" / "sample-host", root)
    shutil.copy(dlls.interface, root / "Service")
    shutil.copy(dlls.sql, root / "Service" / "ECMA")
    return root


def step(app: QApplication, w: ConnectorWizard) -> tuple[float, float]:
    """Next, until the next page is painted: (total, in bridge calls) in ms."""
    with wizard_bench.lock:
        wizard_bench.calls.clear()
    before = w.current_key()
    start = time.perf_counter()
    w.next()
    wait(app, lambda: w.current_key() != before and not w.dll.busy)
    w.currentPage().repaint()
    total = (time.perf_counter() - start) * 1000
    with wizard_bench.lock:
        bridge = sum(wizard_bench.calls) * 1000
    return total, bridge


def main() -> int:
    why = missing_tools()
    if why:
        print(f"skipped: {why}")
        return 0
    dlls = build()
    app = QApplication.instance() or QApplication([])
    first, totals, outside, in_bridge, baseline = [], {}, {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-wizard-dll-") as tmp:
        root = host_copy(Path(tmp), dlls)
        for _ in range(RUNS):
            w = wizard_bench.wizard_on(root)
            start = time.perf_counter()
            w.currentPage().library.setCurrentText("Contoso.SqlLike.dll")
            wait(app, lambda w=w: not w.dll.busy)
            assert w.dll.active, w.dll.reason
            w.next()
            wait(app, lambda w=w: w.current_key() == CONNECTIVITY)
            w.currentPage().repaint()
            first.append((time.perf_counter() - start) * 1000)
            for key in PAGES[1:]:
                total, bridge = step(app, w)
                totals.setdefault(key, []).append(total)
                in_bridge.setdefault(key, []).append(bridge)
                outside.setdefault(key, []).append(total - bridge)
                assert w.current_key() == key, (w.current_key(), key)
            w.reject()

            t = wizard_bench.wizard_on(root)  # the baseline: the same clicks with the built-in template
            t.currentPage().library.setCurrentText("Microsoft.IAM.Connector.GenericSql.dll")
            app.processEvents()
            for _ in range(len(PAGES)):
                if t.current_key() == OBJECT_TYPES:
                    break
                total, _bridge = step(app, t)
                baseline.setdefault("all", []).append(total)
            t.reject()
    med = statistics.median
    print(f"first page on screen after choosing the DLL: median {med(first):.0f} ms "
          f"(goal 2000 ms; runs: {', '.join(f'{x:.0f}' for x in first)})")
    print(f"{'page':24} {'total':>9} {'in bridge':>10} {'the rest':>9}   (medians, ms)")
    for key in PAGES[1:]:
        print(f"{key!s:24} {med(totals[key]):9.1f} {med(in_bridge[key]):10.1f} {med(outside[key]):9.1f}")
    rest = [x for key in PAGES[1:] for x in outside[key]]
    worst = max(med(outside[key]) for key in PAGES[1:])
    base = med(baseline["all"])
    print(f"the rest per page: median {med(rest):.1f} ms, worst page median {worst:.1f} ms (goal 200 ms); "
          f"template pages (no DLL, same run): median {base:.1f} ms, ratio {med(rest) / base:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
