"""The connection test form: connector, host, port, token (masked, optionally remembered in the
keyring), and each step's result with its latency and fix."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.diagnostics.connection import LAST_SUCCESSFUL, ConnectionReport, ConnectionTarget, StepResult
from app.diagnostics.tokens import forget_token, remember_token, remembered_token
from app.secrets import SecretStore
from app.ui.background import Cancelled, Task, run_task

SP = QStyle.StandardPixmap
ICONS = {"pass": SP.SP_DialogApplyButton, "fail": SP.SP_MessageBoxCritical,
         "warn": SP.SP_MessageBoxWarning, "skip": SP.SP_MessageBoxQuestion}
LABELS = {"pass": "Passed", "fail": "Failed", "warn": "Warning", "skip": "Not tried"}
COLUMNS = ("Step", "Result", "Latency", "Details")

Runner = Callable[[ConnectionTarget, Callable[[StepResult], None]], ConnectionReport]


class ConnectionTestView(QWidget):
    def __init__(self, connectors: list[str], port: int, expected_thumbprint: str | None, *,
                 run: Runner, secrets: SecretStore, timeout: float = 5.0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._run, self._secrets, self._timeout = run, secrets, timeout
        self._connectors, self._thumbprint = list(connectors), expected_thumbprint
        self.report: ConnectionReport | None = None
        self.task: Task | None = None

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        form_box = QWidget(self)
        form = QFormLayout(form_box)
        form.setContentsMargins(0, 0, 0, 0)
        self.connector = QComboBox(form_box)
        self.connector.addItems(self._connectors)
        self.connector.currentTextChanged.connect(self._load_token)
        self.host = QLineEdit("localhost", form_box)
        self.port = QSpinBox(form_box)
        self.port.setRange(1, 65535)
        self.port.setValue(port)
        self.port.setAccessibleName("Port")
        self.token = QLineEdit(form_box)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("Secret Token")
        self.token.setToolTip("The connector's Secret Token, as Entra has it. Never shown, never logged.")
        self.remember = QCheckBox("Remember in the keyring", form_box)
        reason = secrets.unavailable_reason
        if reason:
            self.remember.setEnabled(False)
            self.remember.setToolTip(reason)
        self.test_button = QPushButton("Test connection", form_box)
        self.test_button.setDefault(True)
        self.test_button.clicked.connect(self.start)
        self.message = QLabel("", form_box)
        self.message.setWordWrap(True)
        form.addRow("Connector", self.connector)
        form.addRow("Host", self.host)
        form.addRow("Port", self.port)
        form.addRow("Token", self.token)
        form.addRow("", self.remember)
        form.addRow("", self.test_button)
        form.addRow(self.message)
        form_box.setMaximumWidth(360)
        row.addWidget(form_box)

        right = QVBoxLayout()
        self.url = QLabel("", self)
        self.url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.url)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setAccessibleName("Connection test steps")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col in (0, 1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        self.table.setMinimumHeight(80)
        right.addWidget(self.table, 1)
        self.headers = QLabel("", self)
        self.headers.setWordWrap(True)
        self.headers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.headers)
        row.addLayout(right, 1)
        self._update_url()
        self.host.textChanged.connect(self._update_url)
        self.port.valueChanged.connect(self._update_url)
        self.connector.currentTextChanged.connect(self._update_url)
        self._load_token(self.connector.currentText())

    def _update_url(self, *_args: object) -> None:
        target = ConnectionTarget(self.connector.currentText(), "", self.host.text().strip() or "localhost",
                                  self.port.value())
        self.url.setText(f"Tenant URL: {target.tenant_url}")

    def _load_token(self, name: str) -> None:
        token = remembered_token(name, self._secrets) if name else None
        self.token.setText(token or "")
        self.remember.setChecked(bool(token))
        self.message.setText("Token taken from the keyring." if token else "")

    def target(self) -> ConnectionTarget:
        return ConnectionTarget(self.connector.currentText(), self.token.text().strip(),
                                self.host.text().strip() or "localhost", self.port.value(),
                                expected_thumbprint=self._thumbprint,
                                known_connectors=tuple(self._connectors), timeout=self._timeout)

    def start(self) -> None:
        target = self.target()
        if not target.connector:
            self.message.setText("This host has no connector to test.")
            return
        if not target.token:
            self.message.setText("Type the connector's Secret Token (the one Entra has).")
            self.token.setFocus()
            return
        can_remember = self.remember.isEnabled()  # read widgets here, never from the worker thread
        remember = self.remember.isChecked() and can_remember
        self.table.setRowCount(0)
        self.headers.setText("")
        self.message.setText("Testing…")
        self.test_button.setEnabled(False)

        def work(progress: Callable[[StepResult], None], _cancelled: Cancelled) -> ConnectionReport:
            if remember:
                remember_token(target.connector, target.token, self._secrets)
            elif can_remember:
                forget_token(target.connector, self._secrets)  # unticked: keep nothing
            return self._run(target, progress)

        self.task = run_task(self, work, name="The connection test", progress=self._add_step,
                             finished=self._finished, failed=self._failed)

    def _add_step(self, step: StepResult) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        latency = f"{step.latency_ms:.1f} ms" if step.latency_ms is not None else ""
        details = step.message + (f"\n→ {step.fix}" if step.fix and step.outcome != "pass" else "")
        cells = (QTableWidgetItem(step.title),
                 QTableWidgetItem(self.style().standardIcon(ICONS[step.outcome]), LABELS[step.outcome]),
                 QTableWidgetItem(latency), QTableWidgetItem(details))
        for col, item in enumerate(cells):
            item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(item.text())
            self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()

    def _finished(self, report: ConnectionReport) -> None:
        self.report = report
        if self.table.rowCount() == 0:  # a runner without progress: show the steps now
            for step in report.steps:
                self._add_step(step)
        self.test_button.setEnabled(True)
        self.message.setText(report.summary())
        self.headers.setText("   ".join(f"{h}: {report.headers.get(h, '—')}" for h in LAST_SUCCESSFUL))

    def _failed(self, sentence: str) -> None:
        self.test_button.setEnabled(True)
        self.message.setText(sentence)
