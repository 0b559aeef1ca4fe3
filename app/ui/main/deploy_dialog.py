"""Update a connector DLL: pick the new DLL, see every copy it replaces, then stop, copy, start.

The plan and the work are app/host/deploy.py's; this dialog shows the plan as a table (where,
which connector, the DLL there now, what happens), runs the update in the background with its
steps shown, and says in one sentence what happened (or that every file was put back).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.host.deploy import DeployPlan, DeployResult, execute, make_plan
from app.ui.background import Task
from app.ui.main.actions import UNREADABLE

if TYPE_CHECKING:
    from app.host.service import ServiceControl
    from app.ui.main_window import MainWindow

COLUMNS = ("File", "Connector", "There now", "What happens")


class DeployDllDialog(QDialog):
    def __init__(self, window: MainWindow, service: ServiceControl, dll: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Update connector DLL")
        self.resize(900, 420)
        self.window_, self.service = window, service
        self.plan: DeployPlan | None = None
        self.task: Task | None = None
        self.outcome: DeployResult | None = None

        intro = QLabel("A new connector DLL must replace every copy the service runs: the one in "
                       "Service\\ECMA and the cache copies of each connector using it (the folder its "
                       "ECMAFolderPath names, else every Cache folder holding the DLL). Close Microsoft's "
                       "wizard first. The service is stopped for the copy, every replaced file is backed "
                       "up, and on any failure every file is put back.")
        intro.setWordWrap(True)
        self.path_edit = QLineEdit(dll or "")
        self.path_edit.setAccessibleName("New connector DLL")
        self.path_edit.setPlaceholderText("The new connector DLL")
        self.path_edit.editingFinished.connect(self.refresh_plan)
        browse = QPushButton("Browse…")
        browse.setAccessibleName("Choose the new DLL")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(QLabel("New DLL:"))
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Files the DLL replaces")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.with_dependencies = QCheckBox()
        self.with_dependencies.setVisible(False)
        self.with_dependencies.toggled.connect(lambda _on: self.refresh_plan())
        self.without_service = QCheckBox("The service cannot be controlled here: copy without stopping it "
                                         "(only for a host folder whose service is not running)")
        self.without_service.setVisible(not service.available())
        self.without_service.toggled.connect(self._update_buttons)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Progress and result")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.deploy_button = self.buttons.addButton("Stop service and update",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.deploy_button.clicked.connect(self.deploy)
        self.buttons.rejected.connect(self.reject)

        page = QVBoxLayout(self)
        page.addWidget(intro)
        page.addLayout(row)
        page.addWidget(self.summary)
        page.addWidget(self.table, 1)
        page.addWidget(self.with_dependencies)
        page.addWidget(self.without_service)
        page.addWidget(self.status)
        page.addWidget(self.buttons)
        self.refresh_plan()

    def browse(self) -> None:
        start = str(self.window_.host.ecma_dir or Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "New connector DLL", start, "Connector DLL (*.dll)")
        if path:
            self.path_edit.setText(path)
            self.refresh_plan()

    def refresh_plan(self) -> None:
        self.plan = None
        self.table.setRowCount(0)
        text = self.path_edit.text().strip()
        document = self.window_.document  # None only if a reload failed while this was open
        if not text:
            self.summary.setText("Choose the new DLL to see which files it replaces.")
        elif document is None:
            self.summary.setText(UNREADABLE.format(self.window_.store.path.name))
        else:
            try:
                self.plan = make_plan(self.window_.host, document, Path(text),
                                      with_dependencies=self.with_dependencies.isChecked())
            except UserError as exc:
                self.summary.setText(exc.sentence())
        if self.plan is not None:
            self._show(self.plan)
        self._update_buttons()

    def _show(self, plan: DeployPlan) -> None:
        users = ", ".join(plan.connectors) or "no connector uses it yet"
        self.summary.setText(f"{plan.dll.path.name}: {plan.dll.describe()}. Used by: {users}. "
                             f"{len(plan.to_copy)} of {len(plan.targets)} files change."
                             + ("".join(f" {s}" for s in plan.skipped)))
        # Microsoft's guide copies "the DLL and any of its prerequisite DLLs": offer the ones beside it
        self.with_dependencies.setText(f"Also copy its prerequisite DLLs ({', '.join(plan.beside)}) to the "
                                       "same folders")
        self.with_dependencies.setVisible(bool(plan.beside))
        root = self.window_.host.root
        self.table.setRowCount(len(plan.targets))
        for row, target in enumerate(plan.targets):
            where = target.path.relative_to(root) if root and target.path.is_relative_to(root) else target.path
            if target.old is None:
                now, what = "nothing", "new file"
            elif target.unchanged(plan.dll):
                now, what = target.old.describe(), "already this DLL"
            else:
                now, what = target.old.describe(), "replaced (backed up)"
            owner = target.connector or ("(shared copy)" if target.path.parent == self.window_.host.ecma_dir
                                         else "(no connector names this folder)")
            for column, value in enumerate((str(where), owner, now, what)):
                self.table.setItem(row, column, QTableWidgetItem(value))

    def _update_buttons(self) -> None:
        ready = self.plan is not None and bool(self.plan.to_copy) and not (self.task and self.task.running)
        if not self.service.available():
            ready = ready and self.without_service.isChecked()
            self.deploy_button.setText("Update the files")
        self.deploy_button.setEnabled(ready)

    def deploy(self) -> None:
        plan, service, without = self.plan, self.service, self.without_service.isChecked()
        if plan is None:
            return
        self.task = Task(lambda progress, _cancelled: execute(plan, service, without_service=without,
                                                              progress=progress),
                         name="deploy-dll", parent=self)
        self.task.progress.connect(lambda text: self.status.setText(text + "…"))
        self.task.finished.connect(self._done)
        self.task.failed.connect(self._failed)
        self.deploy_button.setEnabled(False)
        self.path_edit.setEnabled(False)
        self.task.start()

    def _done(self, result: DeployResult) -> None:
        self.outcome = result
        kept = f" The replaced files are kept in {result.backup_folder}." if result.backup_folder else ""
        folders = "".join(f" {who}: {', '.join(where)}." for who, where in result.folders.items())
        self.status.setText(f"Updated {len(result.copied)} file(s).{folders} {result.service}{kept}")
        self.refresh_plan()
        self.path_edit.setEnabled(True)

    def _failed(self, sentence: str) -> None:
        self.status.setText(sentence)
        self.refresh_plan()
        self.path_edit.setEnabled(True)
