"""Start-up from source: the first paint of our main window against a bare Qt window, same run.

    python tests/benchmarks/bench_startup.py [--runs 9]

Both are fresh processes (Qt offscreen) that print the time of their window's first paint and
quit; the figure is that time minus the moment this script started the process. Our side is
`python -m app` on a copy of the sample host through installer/hooks/rthook_startup_probe.py;
the baseline imports PySide6 and shows an empty QMainWindow. Runs alternate so machine noise
hits both. Medians and the ratio are printed, never asserted (goal: at most 2x the bare window).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOOKS = ROOT / "installer" / "hooks"
sys.path.insert(0, str(ROOT / "installer"))
from measure_startup import PREFIX, first_window  # noqa: E402  (one way to time a first paint)

OURS = [sys.executable, "-c",
        f"import sys; sys.path.insert(0, {str(HOOKS)!r}); import rthook_startup_probe; "
        "from app.cli import main; sys.exit(main())"]
BARE = [sys.executable, "-c", f"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
class First(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not self.property("seen"):
            self.setProperty("seen", True)
            print("{PREFIX}" + f"{{time.time():.6f}}", file=sys.stderr, flush=True)
            QTimer.singleShot(0, app.quit)
        return False
window = QMainWindow()
window.resize(1100, 720)
probe = First(window)
window.installEventFilter(probe)
window.show()
app.exec()
"""]


def first_paint(command: list[str], env: dict[str, str]) -> float:
    return first_window(command, env)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ECMA_WIZARD_STARTUP_PROBE="quit",
                   ECMA_WIZARD_DATA=data)
        # as on a user's machine, Python keeps the compiled modules (.pyc) after the first start;
        # with PYTHONDONTWRITEBYTECODE set (this workplace sets it) every start compiles ~50 modules
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        first_paint(OURS, env)  # the sample host copied into the data folder once, caches warm
        ours, bare = [], []
        for _ in range(args.runs):
            bare.append(first_paint(BARE, env))
            ours.append(first_paint(OURS, env))
    b, o = statistics.median(bare), statistics.median(ours)
    print(f"bare Qt window:   median {b * 1000:.0f} ms (min {min(bare) * 1000:.0f}, max {max(bare) * 1000:.0f})")
    print(f"our main window:  median {o * 1000:.0f} ms (min {min(ours) * 1000:.0f}, max {max(ours) * 1000:.0f})")
    print(f"ratio: {o / b:.2f}x (goal <= 2x)")


if __name__ == "__main__":
    main()
