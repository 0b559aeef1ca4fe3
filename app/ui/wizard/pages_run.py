"""The Partitions and Run Profiles pages of the connector wizard (the other pages: pages.py,
pages_schema.py)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.config import builders
from app.ui.wizard.pages import FlowPage, ParameterPage
from app.ui.wizard.parameter_form import ParameterForm
from app.ui.wizard.widgets import FieldBox


class PartitionsPage(ParameterPage):
    def build(self) -> QWidget:
        c = self.session.connector
        w = QWidget()
        lay = QVBoxLayout(w)
        form = QFormLayout()
        parts = c.partitions
        name = QLineEdit(parts[0].name if parts else "")
        name.setReadOnly(True)
        name.setAccessibleName("Partition name")
        self.dn = QLineEdit(parts[0].dn if parts else "")
        self.dn.setAccessibleName("Partition DN")
        self.dn.setEnabled(bool(parts))
        self.dn.textEdited.connect(self.editing(lambda t: self.session.set_partition_dn(t)))
        form.addRow("Partition name:", name)
        box = FieldBox(self.dn, "Connectors without LDAP-style DNs keep 'default'.")
        self.field_boxes["DN"] = box
        form.addRow("Partition &DN:", box)
        lay.addLayout(form)
        dll = self.ctx.dll
        if dll.pages is not None and dll.pages.partitions:
            choice = QComboBox()
            choice.setAccessibleName("Partition offered by the DLL")
            for part in dll.pages.partitions:
                label = part.get("name") or ""
                choice.addItem(f"{label} ({part['dn']})" if label and label != part["dn"] else part["dn"], part)
            current = next((i for i, part in enumerate(dll.pages.partitions)
                            if parts and part["dn"] == parts[0].dn), 0)
            choice.setCurrentIndex(current)
            choice.currentIndexChanged.connect(lambda i: self._partition(choice.itemData(i)))
            choice.setEnabled(self.session.is_new)
            offered = QLabel("&Offered by the DLL:")
            offered.setBuddy(choice)
            form.insertRow(0, offered, choice)
        params = QWidget()
        self.form = ParameterForm(self.session, self.session.page_parameters("Partition"),
                                  **self.dll_form_options("Partition", None, None))
        self.form.changed.connect(self.edited)
        pl = QVBoxLayout(params)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.form)
        lay.addWidget(params)
        lay.addStretch(1)
        return w

    def _partition(self, partition: dict[str, str]) -> None:
        pages = self.ctx.dll.pages
        assert pages is not None  # the choice is drawn only while the DLL is asked
        pages.choose_partition(partition)
        self.dn.setText(self.session.connector.partitions[0].dn)
        self.edited()


class RunProfilesPage(FlowPage):
    LABELS = {"Export": "&Export (required)", "FullImport": "&Full import", "DeltaImport": "&Delta import"}

    def build(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        enabled = self.session.enabled_profiles()
        self.boxes: dict[str, QCheckBox] = {}
        for name in builders.RUN_PROFILES:
            box = QCheckBox(self.LABELS[name])
            box.setAccessibleName(self.LABELS[name].replace("&", ""))
            box.setChecked(name in enabled)
            box.toggled.connect(lambda on, n=name: self._toggle(n, on))
            self.boxes[name] = box
            fb = FieldBox(box)
            self.field_boxes[name] = fb
            lay.addWidget(fb)
        lay.addStretch(1)
        return w

    def _toggle(self, name: str, on: bool) -> None:
        self.session.set_profile_enabled(name, on)
        self.edited()
