"""The Diagnostics page of the main window: service bar, host doctor, connection test."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGroupBox, QLabel, QSplitter, QVBoxLayout, QWidget

from app.config.document import ConfigDocument
from app.diagnostics.connection import (
    DEFAULT_TIMEOUT,
    ConnectionReport,
    ConnectionTarget,
    Progress,
    run_connection_test,
)
from app.diagnostics.doctor import CertificateCheck, DoctorReport, copy_powershell_resources, run_doctor
from app.errors import UserError
from app.host.layout import HostLayout
from app.host.machine import Machine, default_machine
from app.host.service import ServiceControl, default_service_control
from app.secrets import SecretStore
from app.ui.diagnostics.connection_view import ConnectionTestView
from app.ui.diagnostics.doctor_view import DoctorView
from app.ui.diagnostics.service_view import ServiceView


class ConnectionTest(Protocol):
    """run_connection_test's shape, for a stand-in server's test to replace it."""

    def __call__(self, target: ConnectionTarget, *, progress: Progress | None = ...) -> ConnectionReport: ...


class DiagnosticsPage(QWidget):
    """Everything is injectable (tests, screenshots); by default the real host's facts are used.
    The doctor and the service state are read the first time the page is shown."""

    def __init__(self, layout: HostLayout, *, machine: Machine | None = None,
                 service: ServiceControl | None = None, certificate_check: CertificateCheck | None = None,
                 secrets: SecretStore | None = None, run_test: ConnectionTest = run_connection_test,
                 timeout: float = DEFAULT_TIMEOUT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = layout
        self.machine = machine or default_machine()
        self.service = service or default_service_control(host_root=layout.root)
        self._certificate_check = certificate_check
        self._shown_once = False

        connectors, port, thumbprint, problem = [], 8585, None, ""
        try:
            doc = ConfigDocument.load(layout.config_path)
            connectors = [c.name for c in doc.connectors]
            port = int(doc.setting.port) if doc.setting.port.strip().isdigit() else 8585
            thumbprint = doc.setting.certificate or None
        except UserError as exc:
            problem = exc.sentence()

        column = QVBoxLayout(self)
        service_box = QGroupBox("Microsoft ECMA2Host service", self)
        self.service_view = ServiceView(self.service, service_box)
        QVBoxLayout(service_box).addWidget(self.service_view)
        column.addWidget(service_box)
        if problem:
            warning = QLabel(problem, self)
            warning.setWordWrap(True)
            column.addWidget(warning)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        doctor_box = QGroupBox("Host doctor", splitter)
        self.doctor = DoctorView(self._run_doctor, self._copy_dlls, doctor_box)
        QVBoxLayout(doctor_box).addWidget(self.doctor)
        test_box = QGroupBox("Connection test (what Entra does: TLS, certificate, SCIM with the token)", splitter)
        self.connection = ConnectionTestView(
            connectors, port, thumbprint, run=lambda target, progress: run_test(target, progress=progress),
            secrets=secrets or SecretStore(), timeout=timeout, parent=test_box)
        QVBoxLayout(test_box).addWidget(self.connection)
        splitter.addWidget(doctor_box)
        splitter.addWidget(test_box)
        splitter.setStretchFactor(0, 3)  # the doctor's rows wrap: give it the larger share
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([420, 280])
        column.addWidget(splitter, 1)

    def _run_doctor(self) -> DoctorReport:
        return run_doctor(self.layout_, machine=self.machine, service=self.service,
                          certificate_check=self._certificate_check)

    def _copy_dlls(self) -> list[Path]:
        return copy_powershell_resources(self.layout_, self.machine)

    def start(self) -> None:
        """Read the service state and run the doctor (once, when first shown)."""
        self._shown_once = True
        self.service_view.refresh()
        self.doctor.run_checks()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self.start()
