"""Open the GUI: `python -m app` with no arguments, `ecma-wizard gui [--config F | --host-dir D]`, or
`ecma-wizard gui --report FILE.zip` (a host report, read-only).

No arguments: the real install, else a private copy of the bundled sample host
(`app.host.layout.resolve()`). A problem with what the user named is one sentence in a dialog
(and on stderr), never a traceback; the program's own failures go to the crash log.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, TypedDict, Unpack, cast

from app import __version__
from app.datastore import configure_logging, crash_details
from app.errors import UserError
from app.host.layout import HostLayout, resolve

if TYPE_CHECKING:  # Qt and the window load when the GUI opens, not when the command line starts
    from PySide6.QtCore import QMessageLogContext, QtMsgType
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    from app.config.store import ConfigStore
    from app.host.service import ServiceControl
    from app.ui.main_window import CertificateLookup, MainWindow

    class WindowOptions(TypedDict, total=False):
        """MainWindow's keyword arguments, as main_window_for passes them on."""

        store: ConfigStore | None
        certificate_status: CertificateLookup | None
        service: ServiceControl | None
        needs_elevation: bool | None
        parent: QWidget | None

APP_NAME = "ECMA Host Wizard"


def ensure_app(argv: list[str] | None = None, theme: str | None = None) -> QApplication:
    """The QApplication (created once), named and themed."""
    from PySide6.QtWidgets import QApplication

    from app.ui.theme import apply_theme

    app = cast("QApplication | None", QApplication.instance())  # ours is always a QApplication
    if app is None:
        _quiet_offscreen_noise()
        app = QApplication([sys.argv[0] if sys.argv else "ecma-wizard", *(argv or [])])
        app.setApplicationName(APP_NAME)
        app.setApplicationDisplayName(APP_NAME)
        app.setApplicationVersion(__version__)
        app.setOrganizationName("ECMAHostWizard")
        apply_theme(app, theme)
    elif theme:
        apply_theme(app, theme)
    return app


def _quiet_offscreen_noise() -> None:
    """The offscreen platform (screenshots, self-test) warns once per window that it cannot
    propagate size hints: harmless, and it buries the useful output. Everything else still shows."""
    import os

    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def main_window_for(layout: HostLayout, **kwargs: Unpack[WindowOptions]) -> MainWindow:
    """A main window on `layout` (tests, screenshots, the self-test): takes the edit lock, loads."""
    ensure_app()
    from app.ui.main_window import MainWindow

    return MainWindow(layout, **kwargs)


def parse_gui_args(argv: list[str]) -> argparse.Namespace:
    # the same two options as the command line's (app/cli/common.py add_location_options), spelled
    # here because the command line sits above the UI and opens it, not the other way round
    parser = argparse.ArgumentParser(prog="ecma-wizard gui", description="Open the GUI.", allow_abbrev=False)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--config", metavar="FILE", help="a Configuration.xml (or connector export)")
    where.add_argument("--host-dir", metavar="DIR", help="an ECMA2Host install folder")
    parser.add_argument("--report", metavar="FILE.zip", help="open a host report read-only")
    parser.add_argument("--theme", choices=("auto", "light", "dark"), default=None,
                        help="colour scheme (default: follow the system; ECMA_WIZARD_THEME overrides)")
    return parser.parse_args(argv)


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """The program's own failure: write the details, tell the user in one sentence, keep running."""
    if isinstance(value, UserError):
        text = value.sentence()
    else:
        details = crash_details("".join(traceback.format_exception(kind, value, tb)))
        text = f"An internal error happened ({details}). Nothing was saved by it."
    print(f"ecma-wizard: {text}", file=sys.stderr)
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is not None:
            QMessageBox.critical(QApplication.activeWindow(), APP_NAME, text)
    except Exception:  # never fail while reporting a failure
        pass


def after_first_paint(window: QWidget, work: Callable[[], object]) -> None:
    """Run `work` once, just after `window` has painted for the first time: a timer of 0 ms set
    before show() fires before the first paint (Qt posts the paint after the timer's event)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                self.deleteLater()
                QTimer.singleShot(0, work)
            return False

    window.installEventFilter(FirstPaint(window))


def _load_core_first() -> None:
    """Import the Qt-free modules the first window needs before PySide6: once PySide6 is loaded,
    it reads the source of every module imported after it (its __feature__ check), a few ms each."""
    import app.config.document_store
    import app.config.rules
    import app.config.store
    import app.host.elevation
    import app.wizard.page_keys  # noqa: F401


def run_gui(argv: list[str]) -> int:
    return open_gui(parse_gui_args(argv))


def no_display_reason(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> str | None:
    """Why the GUI cannot open here, or None. Qt itself would abort with a core dump and a page
    about platform plugins on a Linux server without a desktop session."""
    if platform.startswith("linux") and not environ.get("QT_QPA_PLATFORM") \
            and not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return ("no display: the GUI needs a desktop session (or QT_QPA_PLATFORM=offscreen to "
                "run without one); every task also has a command, see `ecma-wizard --help`.")
    return None


def _refuse(exc: UserError) -> int:
    """What the user named cannot be opened: one sentence on stderr and in a dialog, exit 2."""
    from PySide6.QtWidgets import QMessageBox

    print(f"ecma-wizard: {exc.sentence()}", file=sys.stderr)
    QMessageBox.critical(None, APP_NAME, exc.sentence())
    return 2


def _run_window(app: QApplication, make_window: Callable[[], QMainWindow]) -> int:
    from PySide6.QtCore import QTimer

    sys.excepthook = _excepthook
    window = make_window()
    after_first_paint(window, _after_start)
    QTimer.singleShot(3000, _after_start)  # also when the window never paints (started minimized)
    window.show()
    code = int(app.exec())
    from app.ui.background import finish_all

    finish_all()  # work still running is asked to stop and given a moment to end cleanly
    return code


def _after_start() -> None:
    """Once the first window has painted: the cycle collector again, and the app log's file handler
    (logging.handlers' import is not needed before)."""
    gc.enable()
    configure_logging()


def open_gui(args: argparse.Namespace) -> int:
    """Show the main window on the host `args` names (--config / --host-dir) until it closes."""
    reason = no_display_reason()
    if reason:
        print(f"ecma-wizard: {reason}", file=sys.stderr)
        return 2
    # Python's cycle collector ran ~60 times on the way to the first window (Qt's enum classes and
    # our modules being made: ~15 ms, 4% of the start-up) and had next to nothing to free: it
    # waits for the first paint (_after_start), and is back in any case when the GUI ends.
    gc.disable()
    try:
        return _open_window(args)
    finally:
        gc.enable()


def _open_window(args: argparse.Namespace) -> int:
    _load_core_first()
    app = ensure_app(theme=getattr(args, "theme", None))
    try:
        if getattr(args, "report", None):  # `gui --report FILE.zip`: the report alone, read-only
            from app.report.reader import read_report, read_zip_file
            from app.ui.report.window import ReportWindow

            report = read_report(read_zip_file(args.report), args.report)
            return _run_window(app, lambda: ReportWindow(report))
        layout = resolve(getattr(args, "config", None), getattr(args, "host_dir", None))
    except UserError as exc:
        return _refuse(exc)
    return _run_window(app, lambda: main_window_for(layout))
