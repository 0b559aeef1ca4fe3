"""Refresh schema: re-read the attribute list from a source, show what was added, removed and
changed in type, apply the ticked ones to the working copy (replaces the users' "change the path
and change it back" trick). The source is the connector DLL itself (GetSchema, off the GUI thread,
with progress and Cancel) when it can be asked; otherwise a file, labelled as such."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from app.errors import UserError
from app.host.layout import HostLayout
from app.ui.background import Cancelled, Progress, Task
from app.ui.wizard.dll_driver import BusyRow, DllDriver
from app.ui.wizard.widgets import FindingLabel
from app.wizard import schema_sources as ss
from app.wizard.dll_pages import source_schema
from app.wizard.session import WizardSession

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

KIND_LABELS = {"added": "In the source, not selected", "removed": "No longer in the source",
               "type-changed": "Data type changed"}
FILTER = ("Schema sources (*.xml *.csv *.json *.txt *.ps1);;Schema.xml or MIM export (*.xml);;"
          "Attribute lists (*.csv *.json *.txt);;Granfeldt schema script (*.ps1);;All files (*)")


class SchemaRefreshDialog(QDialog):
    def __init__(self, session: WizardSession, layout: HostLayout | None, parent: QWidget | None = None,
                 runner: ss.SchemaScriptRunner | None = None, dll: DllDriver | None = None) -> None:
        super().__init__(parent)
        self.dll = dll  # the wizard's DllDriver, or None
        self.task: Task | None = None
        self.session = session
        self.host = layout
        self.runner = runner or ss.schema_script_runner()
        self.source: ss.SourceSchema | None = None
        self.changes: list[ss.AttributeChange] = []
        self.setWindowTitle(f"Refresh schema of '{session.connector_name or 'new connector'}'")
        lay = QVBoxLayout(self)
        intro = QLabel("Re-read the attribute list from the connector's schema source. Nothing is "
                       "written until you finish the wizard.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        asked = dll.pages if dll is not None else None  # None when the DLL cannot be asked
        asking = asked is not None
        dll_row = QHBoxLayout()
        name = f"{asked.name}.dll" if asked is not None else "the connector DLL"
        self.dll_button = QPushButton(f"&Ask {name}")
        self.dll_button.setAccessibleName("Ask the connector DLL for its schema")
        self.dll_button.setEnabled(asking)
        self.dll_button.clicked.connect(self.ask_dll)
        dll_row.addWidget(self.dll_button)
        self.dll_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.dll_busy = BusyRow()
        self.dll_busy.cancel_clicked.connect(self.cancel_dll)
        dll_row.addWidget(self.dll_busy, 1)
        if not asking:
            reason = dll.reason if dll is not None and dll.reason else \
                "the wizard did not load the connector's DLL."
            why = QLabel(f"<i>The DLL cannot be asked: {_esc(reason)}</i>")
            why.setWordWrap(True)
            dll_row.addWidget(why, 1)
        lay.addLayout(dll_row)
        files = QLabel("<b>File-based sources</b> (when the DLL cannot be asked):" if asking
                       else "<b>File-based sources:</b>")
        lay.addWidget(files)
        row = QHBoxLayout()
        self.host_button = QPushButton("Schema.xml on this &host")
        self.file_button = QPushButton("Choose a &file…")
        self.file_button.setToolTip("Schema.xml, a MIM management-agent export, a CSV or JSON "
                                    "attribute list, or a Granfeldt schema.ps1 (Windows)")
        self.script_button = QPushButton("Run a &schema script…")
        self.script_button.setEnabled(self.runner.available())
        self.script_button.setToolTip(self.runner.unavailable_reason or
                                      "Runs a Granfeldt PSMA schema.ps1 with Windows PowerShell")
        for b in (self.host_button, self.file_button, self.script_button):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.default = ss.default_source(layout.ecma_dir if layout else None,
                                         session.connector.library_name)
        self.host_button.setEnabled(self.default is not None)
        if self.default is None:
            self.host_button.setToolTip("Only the PowerShell connector keeps a Schema.xml in Service\\ECMA")
        self.source_label = QLabel("No source read yet.")
        self.source_label.setWordWrap(True)
        lay.addWidget(self.source_label)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Attribute", "Stored type", "Type in source"])
        self.tree.setAccessibleName("Schema changes")
        self.tree.setColumnWidth(0, self.fontMetrics().horizontalAdvance("M" * 18))
        lay.addWidget(self.tree, 1)
        self.error = FindingLabel()
        lay.addWidget(self.error)
        self.note = QLabel("<i>A changed data type must also be changed by hand in the Entra "
                           "application's attribute mapping.</i>")
        self.note.setWordWrap(True)
        self.note.hide()
        lay.addWidget(self.note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.addButton("&Apply ticked", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.host_button.clicked.connect(lambda: self.load(self.default))
        self.file_button.clicked.connect(self._choose_file)
        self.script_button.clicked.connect(self._choose_script)
        self.resize(self.fontMetrics().height() * 44, self.fontMetrics().height() * 32)

    def ask_dll(self) -> None:
        """GetSchema with the values entered so far, off the GUI thread; Cancel stops it."""
        dll = self.dll
        pages = dll.pages if dll is not None else None  # None when the DLL cannot be asked
        if pages is None or (self.task is not None and self.task.running):
            return
        values = pages.snapshot()

        def work(_progress: Progress, _cancelled: Cancelled) -> dict[str, Any]:
            pages.push(values)
            return pages.bridge.ask_schema()
        pages.bridge.begin()  # here, not in `work`: a Cancel clicked before the thread runs holds
        self.task = Task(work, name="connector-dll-schema", parent=self)
        self.task.finished.connect(self._dll_answered)
        self.task.failed.connect(self._dll_failed)
        self.dll_busy.start(f"Asking {pages.name}.dll for its schema (GetSchema)")
        self.dll_button.setEnabled(False)
        self.error.show_findings([])
        self.task.start()

    def cancel_dll(self) -> None:
        self.dll_busy.cancel.setEnabled(False)
        if self.task is not None:
            self.task.cancel()
        if self.dll is not None and self.dll.pages is not None:
            self.dll.pages.bridge.cancel()

    def _dll_answered(self, schema: dict[str, Any]) -> None:  # GetSchema's JSON
        self.dll_busy.stop()
        self.dll_button.setEnabled(True)
        pages = self.dll.pages if self.dll is not None else None
        # asked only when it could be (ask_dll); the modal dialog keeps the wizard from letting it go
        assert pages is not None
        pages.schema = schema
        self.show_source(source_schema(schema, pages.name))

    def _dll_failed(self, sentence: str) -> None:
        from app.config.rules import ERROR, Finding

        self.dll_busy.stop()
        self.dll_button.setEnabled(True)
        self.error.show_findings([Finding(ERROR, sentence)])

    def reject(self) -> None:
        if self.task is not None and self.task.running:
            self.cancel_dll()  # closing the dialog ends the DLL's call too
        super().reject()

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Schema source", "", FILTER)
        if path:
            self.load(Path(path))

    def _choose_script(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Granfeldt schema script", "",
                                              "PowerShell scripts (*.ps1)")
        if path:
            self.load(Path(path))

    def load(self, path: Path | None) -> None:
        if path is None:
            return
        try:
            if Path(path).suffix.lower() == ".ps1":
                source = self.runner.run(Path(path))
            else:
                source = ss.read_source(Path(path))
        except UserError as exc:
            from app.config.rules import ERROR, Finding

            self.error.show_findings([Finding(ERROR, exc.sentence())])
            return
        self.error.show_findings([])
        self.show_source(source)

    def show_source(self, source: ss.SourceSchema) -> None:
        self.source = source
        wanted = self.session.schema.entry.object_type if self.session.schema.entry else None
        attrs = source.attributes(wanted)
        stored = {n: a.data_type for n, a in self.session.schema.stored().items()
                  if not a.is_deprovisioning_attribute}
        self.changes = ss.schema_diff(stored, attrs)
        kinds = {k: [c for c in self.changes if c.kind == k] for k in KIND_LABELS}
        self.source_label.setText(
            f"Read {len(attrs):,} attributes from {Path(source.source).name}. "
            f"{len(kinds['added'])} not selected yet, {len(kinds['removed'])} gone, "
            f"{len(kinds['type-changed'])} changed in type.")
        self.tree.clear()
        for kind, label in KIND_LABELS.items():
            group = QTreeWidgetItem([f"{label} ({len(kinds[kind])})"])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            for c in kinds[kind]:
                item = QTreeWidgetItem([c.name, c.old_type, c.new_type])
                required = self.session.schema.required_reason(c.name) if kind == "removed" else ""
                # removals and type changes are what a refresh is for; additions are opt-in
                item.setCheckState(0, Qt.CheckState.Unchecked if kind == "added" or required
                                   else Qt.CheckState.Checked)
                if required:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                    item.setToolTip(0, f"Kept: it is {required}")
                item.setData(0, Qt.ItemDataRole.UserRole, c)
                group.addChild(item)
            group.setExpanded(True)
        self.note.setVisible(bool(kinds["type-changed"]))
        self.apply_button.setEnabled(True)

    def ticked(self) -> list[ss.AttributeChange]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            assert group is not None  # i < topLevelItemCount()
            for j in range(group.childCount()):
                item = group.child(j)
                if item is not None and item.checkState(0) == Qt.CheckState.Checked:
                    out.append(item.data(0, Qt.ItemDataRole.UserRole))
        return out

    def apply(self) -> None:
        """Every source attribute becomes pickable on page 10; ticked changes are applied."""
        if self.source is not None:
            self.session.schema.discover_source(self.source)
        schema = self.session.schema
        for c in self.ticked():
            if c.kind == "added":
                schema.select([c.name])
            elif c.kind == "removed":
                schema.select([c.name], False)
                schema.discovered.pop(c.name, None)
            else:
                schema.set_data_type(c.name, c.new_type)
        self.accept()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
