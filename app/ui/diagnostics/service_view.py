"""The service bar: the Microsoft ECMA2Host service's state, live, with Start, Stop and Restart.

Away from the Windows host the buttons are disabled and the reason is shown, not hidden.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QStyle, QWidget

from app.host.service import ServiceControl, ServiceState, ServiceStatus
from app.ui.background import Task, run_task

SP = QStyle.StandardPixmap


class ServiceView(QWidget):
    def __init__(self, control: ServiceControl, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.control = control
        self.status: ServiceStatus | None = None
        self.task: Task | None = None

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.icon = QLabel(self)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        row.addWidget(self.icon)
        row.addWidget(self.state, 1)
        self.buttons: dict[str, QPushButton] = {}
        for action, text, tip in (
            ("refresh", "Refresh", "Read the service state again."),
            ("start", "Start", "Start the service (it runs a full import as it starts)."),
            ("stop", "Stop", "Stop the service: Entra cannot provision until it runs again."),
            ("restart", "Restart", "Stop and start the service: applies saved changes and runs a full import."),
        ):
            button = QPushButton(text, self)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, a=action: self.do(a))
            row.addWidget(button)
            self.buttons[action] = button
        if not control.available():
            for button in self.buttons.values():
                button.setEnabled(False)
                button.setToolTip(control.unavailable_reason or "")
            self._set_icon(SP.SP_MessageBoxInformation)
            self.state.setText(control.unavailable_reason or "Service control is not available here.")

    def _set_icon(self, pixmap: QStyle.StandardPixmap) -> None:
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(self.style().standardIcon(pixmap).pixmap(size, size))

    def refresh(self) -> None:
        if self.control.available():
            self.do("refresh")

    def do(self, action: str) -> None:
        if not self.control.available():
            return
        if action == "stop" and QMessageBox.question(
                self, "Stop the service", "Stop the Microsoft ECMA2Host service? Entra cannot provision "
                "to any connector of this host until it runs again.") != QMessageBox.StandardButton.Yes:
            return
        for button in self.buttons.values():
            button.setEnabled(False)
        self.state.setText({"refresh": "Reading the service state…", "start": "Starting…",
                            "stop": "Stopping…", "restart": "Restarting…"}[action])
        control = self.control
        work = {"refresh": lambda progress, _c: control.status(),
                "start": lambda progress, _c: control.start(progress),
                "stop": lambda progress, _c: control.stop(progress),
                "restart": lambda progress, _c: control.restart(progress)}[action]
        self.task = run_task(self, work, name=f"The service {action}", progress=self._show_status,
                             finished=self._done, failed=self._failed)

    def _show_status(self, status: ServiceStatus) -> None:
        self.status = status
        pixmap = {ServiceState.RUNNING: SP.SP_MediaPlay, ServiceState.STOPPED: SP.SP_MediaStop,
                  ServiceState.NOT_INSTALLED: SP.SP_MessageBoxCritical}.get(status.state, SP.SP_BrowserReload)
        self._set_icon(pixmap)
        self.state.setText(status.sentence())

    def _done(self, status: ServiceStatus) -> None:
        self._show_status(status)
        installed = status.state is not ServiceState.NOT_INSTALLED
        self.buttons["refresh"].setEnabled(True)
        self.buttons["start"].setEnabled(installed and status.state is not ServiceState.RUNNING)
        self.buttons["stop"].setEnabled(installed and status.state is not ServiceState.STOPPED)
        self.buttons["restart"].setEnabled(installed)

    def _failed(self, sentence: str) -> None:
        self._set_icon(SP.SP_MessageBoxWarning)
        self.state.setText(sentence)
        for button in self.buttons.values():
            button.setEnabled(True)
