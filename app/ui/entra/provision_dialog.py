"""Provision on demand for one user: type the user's object id, run, see each step Entra reports
(import, scoping, matching, action, export) with its status and time; the button beside the
result opens the host's event log at that moment, when the window gave the page a way to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.entra.provision import ProvisionResult
from app.ui.background import run_task
from app.ui.theme import error_colour, icon

if TYPE_CHECKING:
    from app.ui.entra.page import EntraPage

STEP_COLUMNS = ("Step", "Status", "What Entra reports", "Time (UTC)")


def _e(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ProvisionDialog(QDialog):
    def __init__(self, page: EntraPage, connector: str) -> None:
        super().__init__(page)
        self.setWindowTitle(f"Provision one user on demand through '{connector}'")
        self.resize(900, 460)
        self.page, self.connector = page, connector
        self.result_: ProvisionResult | None = None
        column = QVBoxLayout(self)
        row = QHBoxLayout()
        self.user = QLineEdit(self)
        self.user.setPlaceholderText("the user's principal name (adele.vance@contoso.com) or object id")
        self.run_button = QPushButton("Run", self)
        self.run_button.clicked.connect(self.run)
        self.user.returnPressed.connect(self.run)
        row.addWidget(QLabel("User:", self))
        row.addWidget(self.user, 1)
        row.addWidget(self.run_button)
        column.addLayout(row)
        note = QLabel("The user must be assigned to the application. Entra sends the change to the "
                      "host now, outside the schedule (at most 5 requests in 10 seconds).", self)
        note.setWordWrap(True)
        column.addWidget(note)
        self.outcome = QLabel("", self)
        self.outcome.setWordWrap(True)
        column.addWidget(self.outcome)
        self.steps = QTableWidget(0, len(STEP_COLUMNS), self)
        self.steps.setHorizontalHeaderLabels(STEP_COLUMNS)
        self.steps.verticalHeader().setVisible(False)
        self.steps.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.steps.setWordWrap(False)  # one line per step; the full text is the cell's tooltip
        header = self.steps.horizontalHeader()
        for i in (0, 1, 3):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        column.addWidget(self.steps, 1)
        bottom = QHBoxLayout()
        self.events_button = QPushButton("Show the host's event log at that time", self)
        self.events_button.setEnabled(False)
        self.events_button.setVisible(page.show_events_between is not None)
        self.events_button.clicked.connect(self.show_events)
        bottom.addWidget(self.events_button)
        bottom.addStretch(1)
        close = QPushButton("Close", self)
        close.clicked.connect(self.reject)
        bottom.addWidget(close)
        column.addLayout(bottom)

    @classmethod
    def open_for(cls, page: EntraPage, connector: str) -> ProvisionDialog:
        dialog = cls(page, connector)
        dialog.open()
        return dialog

    def run(self) -> None:
        user = self.user.text().strip()
        self.run_button.setEnabled(False)
        self.outcome.setText("Entra is provisioning the user…")
        run_task(self, lambda _p, _c: self.page.session.provision(self.connector, user),
                 name="Provision on demand", finished=self.show_result, failed=self._failed)

    def _failed(self, sentence: str) -> None:
        self.run_button.setEnabled(True)
        self.outcome.setText(sentence)

    def show_result(self, result: object) -> None:
        assert isinstance(result, ProvisionResult)
        self.result_ = result
        self.run_button.setEnabled(True)
        text = f"Result: <b>{_e(result.result)}</b>"
        if result.error_code or result.error_message:
            text += f" — {_e(': '.join(t for t in (result.error_code, result.error_message) if t))}"
        failed = [s for s in result.steps if s.status not in ("Success", "Skipped")]
        if failed:
            text += (f"<br><span style='color:{error_colour(self)}'>{_e(failed[0].kind)} step: "
                     f"{_e(failed[0].description)}</span>")
        self.outcome.setText(text)
        self.steps.setRowCount(len(result.steps))
        for row, step in enumerate(result.steps):
            status = QTableWidgetItem(step.status)
            status.setIcon(icon("ok" if step.status in ("Success", "Skipped") else "error", self))
            what = QTableWidgetItem(step.description)
            what.setToolTip(step.description)
            for col, item in enumerate((QTableWidgetItem(step.kind), status, what,
                                        QTableWidgetItem(step.timestamp.replace("T", " ")[:19]))):
                self.steps.setItem(row, col, item)
        self.events_button.setEnabled(bool(result.started or result.steps))

    def show_events(self) -> None:
        result = self.result_
        if result is None or self.page.show_events_between is None:
            return
        first = result.started or (result.steps[0].timestamp if result.steps else "")
        last = result.ended or (result.steps[-1].timestamp if result.steps else first)
        self.page.show_events_between(first, last)
