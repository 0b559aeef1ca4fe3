"""`ecma-wizard logs --gui FILE`: the viewer in a window of its own."""

from __future__ import annotations

import sys

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from app.events.knowledge import Action
from app.ui.events.viewer import EventViewer


class EventViewerWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("ECMA2Host event log")
        self.viewer = EventViewer(self)
        self.setCentralWidget(self.viewer)
        self.resize(1280, 800)
        self.viewer.actionRequested.connect(self._action)

    def _action(self, action: Action) -> None:
        # Standalone there is no main window to open the certificate dialog or a connector page in
        QMessageBox.information(self, "Event log", f"Open the main window to do this ({action}): "
                                "`ecma-wizard` with no arguments.")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.viewer.close()
        super().closeEvent(event)


def run_viewer(path: str) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = EventViewerWindow()
    window.show()
    window.viewer.open_source(path)
    return app.exec()
