"""Help > Create a host report… and File > Open host report…: the dialog that gathers a report in
the background, shows every file and its size before anything is written, then writes it (also in
the background); and opening a report in a read-only window."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.host.layout import HostLayout
from app.report.build import BuiltReport, build_report, write_report
from app.report.context import DEFAULT_DAYS, ReportOptions
from app.report.reader import read_report, read_zip_file
from app.ui.background import Task

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow
    from app.ui.report.window import ReportWindow


def open_report(parent: QWidget | None = None, path: str | None = None) -> ReportWindow | None:
    """Ask for a report (unless given) and show it read-only; a bad file is one sentence."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, "Open host report", "", "Host reports (*.zip);;All files (*)")
        if not path:
            return None
    try:
        report = read_report(read_zip_file(path), path)
    except UserError as exc:
        QMessageBox.warning(parent, "Not a host report", exc.sentence())
        return None
    from app.ui.report.window import ReportWindow

    window = ReportWindow(report)
    window.show()
    if parent is not None:  # keep it alive beside the main window
        setattr(parent, "_report_windows", [*getattr(parent, "_report_windows", []), window])  # noqa: B010
    return window


def create_report(window: MainWindow) -> CreateReportDialog:
    dialog = CreateReportDialog(window.host, window)
    dialog.show()
    window.report_dialog = dialog
    return dialog


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CreateReportDialog(QDialog):
    def __init__(self, layout: HostLayout, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createReportDialog")
        self.setWindowTitle("Create a host report")
        self.resize(760, 560)
        self.layout_ = layout
        self.built: BuiltReport | None = None
        self.task: Task | None = None
        self.written: Path | None = None
        column = QVBoxLayout(self)
        intro = QLabel("A host report gathers versions, the service, bindings, certificates, the configuration "
                       "files with every secret replaced by its structure, the connector DLLs, the event log "
                       "and the doctor's findings into one zip, to read before sending it to support. Nothing "
                       "on the host is changed.", self)
        intro.setWordWrap(True)
        column.addWidget(intro)
        form = QFormLayout()
        self.days = QSpinBox(self)
        self.days.setRange(1, 365)
        self.days.setValue(DEFAULT_DAYS)
        self.days.setSuffix(" day(s)")
        form.addRow("Event log of the last", self.days)
        self.redact = QLineEdit(self)
        self.redact.setPlaceholderText("host, domain and user names, separated by commas")
        form.addRow("Replace these names", self.redact)
        self.bridge = QCheckBox("Ask each connector DLL for its pages (in a separate process)", self)
        self.bridge.setChecked(True)
        form.addRow("", self.bridge)
        column.addLayout(form)
        self.gather_button = QPushButton("&Gather", self)
        self.gather_button.clicked.connect(self.gather)
        column.addWidget(self.gather_button)
        self.status = QLabel("", self)
        self.status.setObjectName("reportStatus")
        self.status.setWordWrap(True)
        column.addWidget(self.status)
        self.files = QTreeWidget(self)
        self.files.setObjectName("reportPlan")
        self.files.setHeaderLabels(["File in the report", "Size"])
        self.files.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        column.addWidget(self.files, 1)
        self.left_out = QLabel("", self)
        self.left_out.setWordWrap(True)
        column.addWidget(self.left_out)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Close, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Save report…")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self.buttons.accepted.connect(self.ask_where)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)

    def options(self) -> ReportOptions:
        names = [n.strip() for n in re.split(r"[,;\n]", self.redact.text()) if n.strip()]
        return ReportOptions(self.layout_, days=self.days.value(), redact=names, with_bridge=self.bridge.isChecked())

    def gather(self) -> None:
        if self.task is not None and self.task.running:  # the button reads Cancel meanwhile
            self.task.cancel()
            self.status.setText("Cancelling after the current step…")
            return
        options = self.options()
        self.gather_button.setText("&Cancel")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self.files.clear()
        self.status.setText("Gathering…")
        self.task = Task(lambda progress, cancelled: build_report(options, progress, cancelled),
                         name="host report", parent=self)
        self.task.progress.connect(lambda text: self.status.setText(f"Gathering: {text}…"))
        self.task.finished.connect(self.show_plan)
        self.task.failed.connect(self._failed)
        self.task.start()

    def show_plan(self, built: BuiltReport) -> None:
        """Every file and its size, before anything is written."""
        self.built = built
        self.gather_button.setText("&Gather again")
        for name, size in built.members:
            self.files.addTopLevelItem(QTreeWidgetItem([name, f"{size:,} bytes"]))
        total = sum(size for _n, size in built.members)
        self.status.setText(f"{len(built.members)} files, {total:,} bytes ({built.size:,} bytes zipped). Nothing "
                            "is written until you save. Read summary.md in it first.")
        # grouped by reason: "needs the Windows host" once, with everything it kept out
        by_reason: dict[str, list[str]] = {}
        for w in built.manifest.get("left_out", []):
            by_reason.setdefault(w["why"].rstrip("."), []).append(w["what"])
        items = "".join(f"<li>{_esc(why[:1].upper() + why[1:])}: {_esc('; '.join(whats))}.</li>"
                        for why, whats in by_reason.items())
        self.left_out.setText(f"<b>Left out</b><ul style='margin: 0'>{items}</ul>" if items
                              else "Nothing was left out.")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)

    def ask_where(self) -> None:
        default = str(Path.home() / f"host-report-{datetime.now():%Y%m%d-%H%M}.zip")
        path, _ = QFileDialog.getSaveFileName(self, "Save the host report", default, "Host reports (*.zip)")
        if path:
            self.save_to(path)

    def save_to(self, path: str | Path) -> None:
        if self.built is None:
            return
        built = self.built
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self.status.setText("Writing…")
        self.task = Task(lambda _p, _c: write_report(path, built), name="write host report", parent=self)
        self.task.finished.connect(self._written)
        self.task.failed.connect(self._failed)
        self.task.start()

    def _written(self, path: Path) -> None:
        self.written = path
        self.status.setText(f"Written to {path}.")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)

    def _failed(self, sentence: str) -> None:
        self.gather_button.setText("&Gather")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(self.built is not None)
        self.status.setText(sentence)
