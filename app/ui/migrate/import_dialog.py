"""Import a MIM management-agent export: choose the object type, name the connector, read the
report, then hand the result (`mapped`: a ConnectorSpec, its report and `element()`) to the
wizard. Nothing is written here: the main window adds and saves.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.config.xmltext import read_file
from app.errors import UserError
from app.migrate.mim_export import ManagementAgent, read_agent
from app.migrate.mim_mapping import MappedConnector, map_agent

CHOOSE = "Choose the object type…"
SECTIONS = (("carried", "Carried", "#1b6e2e"), ("secrets", "Enter again (never in an export)", "#8a5a00"),
            ("attention", "Check", "#8a5a00"), ("dropped", "Dropped", "#555"))


class MimImportDialog(QDialog):
    """Open with `MimImportDialog.for_file(path, existing_names)`; after exec(), read `mapped`."""

    def __init__(self, agent: ManagementAgent, existing_names: list[str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.agent = agent
        self.existing = set(existing_names or [])
        self.mapped: MappedConnector | None = None
        self.setWindowTitle("Import from MIM")
        self.resize(760, 620)
        layout = QVBoxLayout(self)
        vendor = agent.company or agent.subtype or "generic ECMA2 connector"
        head = QLabel(f"<b>{html.escape(agent.name)}</b> — {html.escape(vendor)}, "
                      f"{html.escape(agent.dll_file or 'no DLL named')}<br>"
                      f"<span style='color:#666'>{html.escape(agent.source)}</span>")
        head.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head.setWordWrap(True)
        layout.addWidget(head)
        form = QFormLayout()
        self.name_edit = QLineEdit(agent.name)
        self.name_edit.setPlaceholderText("letters, digits, - and _ (part of the Tenant URL)")
        form.addRow("Connector name:", self.name_edit)
        self.class_combo = QComboBox()
        if len(agent.class_names) > 1:
            self.class_combo.addItem(CHOOSE)
        self.class_combo.addItems(agent.class_names)
        self.class_combo.setEnabled(len(agent.class_names) > 1)
        form.addRow("Object type:", self.class_combo)
        layout.addLayout(form)
        self.problem = QLabel()
        self.problem.setStyleSheet("color:#a61b1b")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.report_view = QTextBrowser()
        self.report_view.setOpenLinks(False)
        layout.addWidget(self.report_view, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.open_button = self.buttons.addButton("Open in wizard", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self.refresh)
        self.class_combo.currentIndexChanged.connect(self.refresh)
        self.refresh()

    @classmethod
    def for_file(cls, path: str | Path, existing_names: list[str] | None = None,
                 parent: QWidget | None = None) -> MimImportDialog:
        """Raises UserError (one sentence) for unreadable or non-ECMA2 files."""
        return cls(read_agent(read_file(path), str(path)), existing_names, parent)

    @property
    def object_type(self) -> str | None:
        text = self.class_combo.currentText()
        return None if text == CHOOSE or not text else text

    def choose_object_type(self, name: str) -> None:
        self.class_combo.setCurrentText(name)

    def refresh(self) -> None:
        name = self.name_edit.text().strip()
        problems = []
        if not name:
            problems.append("Give the connector a name.")
        elif name in self.existing:
            problems.append(f"A connector named '{name}' exists already: choose another name.")
        elif re.search(r"[^A-Za-z0-9_-]", name):
            problems.append("Only letters, digits, '-' and '_' are safe: the name is part of the "
                            "Tenant URL.")
        self.mapped = None
        if self.object_type is None:
            problems.insert(0, f"This agent has {len(self.agent.class_names)} object classes; "
                               "ECMA2Host runs one: choose it above.")
            self.report_view.setHtml("<p style='color:#666'>The report appears once the object "
                                     "type is chosen.</p>")
        else:
            try:
                self.mapped = map_agent(self.agent, name=name or self.agent.name,
                                        object_type=self.object_type)
            except UserError as exc:
                problems.append(exc.message)
            else:
                self.report_view.setHtml(report_html(self.mapped))
        self.problem.setText(" ".join(problems))
        self.problem.setVisible(bool(problems))
        blocking = self.mapped is None or not name or name in self.existing
        self.open_button.setEnabled(not blocking)


def report_html(mapped: MappedConnector) -> str:
    report = mapped.report
    parts = []
    for attr, title, colour in SECTIONS:
        items = getattr(report, attr)
        if not items:
            continue
        parts.append(f"<h3 style='color:{colour};margin-bottom:2px'>{html.escape(title)} "
                     f"({len(items)})</h3><ul style='margin-top:0'>")
        parts += [f"<li>{html.escape(item)}</li>" for item in items]
        parts.append("</ul>")
    return "".join(parts)
