"""The host doctor's results: one row per check, with what was found and what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.diagnostics.doctor import COPY_DLLS, DoctorReport
from app.severity import Severity
from app.ui.background import Cancelled, Progress, Task, run_task

COLUMNS = ("Result", "Check", "What was found", "What to do")
LABELS = {Severity.OK: "OK", Severity.INFO: "Note", Severity.WARNING: "Warning", Severity.ERROR: "Error",
          Severity.SKIPPED: "Skipped"}
SP = QStyle.StandardPixmap
ICONS = {Severity.OK: SP.SP_DialogApplyButton, Severity.INFO: SP.SP_MessageBoxInformation,
         Severity.WARNING: SP.SP_MessageBoxWarning, Severity.ERROR: SP.SP_MessageBoxCritical,
         Severity.SKIPPED: SP.SP_MessageBoxQuestion}


class DoctorView(QWidget):
    """`run_checks` runs `doctor()` in a thread; `copy_dlls()` is the WinSxS copy (asked by the user)."""

    def __init__(self, doctor: Callable[[], DoctorReport], copy_dlls: Callable[[], list[Path]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doctor, self._copy = doctor, copy_dlls
        self.report: DoctorReport | None = None
        self.task: Task | None = None

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.summary = QLabel("The checks have not run yet.", self)
        self.summary.setWordWrap(True)
        self.run_button = QPushButton("Run checks", self)
        self.run_button.clicked.connect(self.run_checks)
        self.copy_button = QPushButton("Copy PowerShell DLLs from WinSxS", self)
        self.copy_button.setToolTip("Copies the three PowerShell 5.1 resource DLLs to Service\\ECMA and to "
                                    "each PowerShell connector's cache folder (stop the service first).")
        self.copy_button.clicked.connect(self.copy_dlls)
        self.copy_button.setVisible(False)
        top.addWidget(self.summary, 1)
        top.addWidget(self.copy_button)
        top.addWidget(self.run_button)
        column.addLayout(top)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setAccessibleName("Host doctor checks")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 210)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        self.table.setMinimumHeight(110)  # at least two wrapped rows, even beside the Problems dock
        column.addWidget(self.table, 1)

    def run_checks(self) -> None:
        self.run_button.setEnabled(False)
        self.copy_button.setEnabled(False)
        self.summary.setText("Running the checks…")
        self.task = run_task(self, lambda _progress, _cancelled: self._doctor(), name="The host doctor",
                             finished=self._show, failed=self._failed)

    def copy_dlls(self) -> None:
        self.run_button.setEnabled(False)
        self.copy_button.setEnabled(False)
        self.summary.setText("Copying the DLLs…")

        def work(_progress: Progress, _cancelled: Cancelled) -> tuple[DoctorReport, int]:
            written = self._copy()
            return self._doctor(), len(written)

        self.task = run_task(self, work, name="The DLL copy", finished=self._show, failed=self._failed)

    def _failed(self, sentence: str) -> None:
        self.run_button.setEnabled(True)
        self.copy_button.setEnabled(True)
        self.summary.setText(sentence)

    def _show(self, result: DoctorReport | tuple[DoctorReport, int]) -> None:
        copied = None
        if isinstance(result, tuple):
            result, copied = result
        self.show_report(result)
        if copied is not None:
            self.summary.setText(f"Copied {copied} file(s). " + self.summary.text())

    def show_report(self, report: DoctorReport) -> None:
        self.report = report
        self.run_button.setEnabled(True)
        self.copy_button.setEnabled(True)
        checks = sorted(report.checks, key=lambda c: c.severity.rank)
        self.table.setRowCount(len(checks))
        style = self.style()
        for row, check in enumerate(checks):
            result = QTableWidgetItem(style.standardIcon(ICONS[check.severity]),
                                      LABELS[check.severity])
            cells = (result, QTableWidgetItem(check.title), QTableWidgetItem(check.message),
                     QTableWidgetItem(check.action if check.severity is not Severity.OK else ""))
            for col, item in enumerate(cells):
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(item.text())
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        errors = sum(1 for c in report.checks if c.severity is Severity.ERROR)
        warnings = sum(1 for c in report.checks if c.severity is Severity.WARNING)
        skipped = sum(1 for c in report.checks if c.severity is Severity.SKIPPED)
        if errors or warnings:
            text = f"{errors} error(s), {warnings} warning(s) on {report.host}."
        else:
            text = f"Nothing wrong found on {report.host}."
        if skipped:
            text += f" {skipped} check(s) need the Windows host."
        self.summary.setText(text)
        self.copy_button.setVisible(any(c.fix == COPY_DLLS for c in report.checks))
