"""PyInstaller runtime hook (and source-run helper): report when the first main window paints.

Dormant unless ECMA_WIZARD_STARTUP_PROBE is set, so it costs the shipped app one environment
lookup. When set, the main window's first paint prints
`ecma-wizard startup-probe: first-paint <unix time>` on stderr; with the value "quit" the app
then closes itself. installer/measure_startup.py compares that time with the moment it
started the process: cold start to the first window, measured the same way for the one-file build
and for `python -m app`. No app module is edited: the hook wraps `app.ui.launch.main_window_for`
when that module is imported.
"""

import os
import sys

PROBE_ENV = "ECMA_WIZARD_STARTUP_PROBE"
PREFIX = "ecma-wizard startup-probe: first-paint "


def _watch(window) -> None:
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint and not self.property("seen"):
                self.setProperty("seen", True)
                print(f"{PREFIX}{time.time():.6f}", file=sys.stderr, flush=True)
                if os.environ.get(PROBE_ENV) == "quit":
                    QTimer.singleShot(0, QApplication.quit)
            return False

    window._startup_probe = FirstPaint(window)  # kept alive by the window
    window.installEventFilter(window._startup_probe)


def _patch(launch) -> None:
    original = launch.main_window_for

    def main_window_for(*args, **kwargs):
        window = original(*args, **kwargs)
        _watch(window)
        return window

    launch.main_window_for = main_window_for


class _WrappedLoader:
    def __init__(self, inner) -> None:
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module) -> None:
        self.inner.exec_module(module)
        _patch(module)


class _LaunchFinder:
    """Finds app.ui.launch through the other finders, then patches it once it has run."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "app.ui.launch":
            return None
        import importlib.util

        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _WrappedLoader(spec.loader)
        return spec


def install() -> None:
    if os.environ.get(PROBE_ENV) and not any(isinstance(f, _LaunchFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _LaunchFinder())


install()
