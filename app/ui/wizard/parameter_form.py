"""A connector page rendered from its stored `<Parameter>` elements by Type (docs/host-facts.md §2):
CheckBox, DropDown, String, Text, EncryptedString, File, Label, Divider. When the connector DLL was
asked (app/wizard/dll_pages.py) its definitions give the order, labels and DropDown choices, and an
existing connector is offered the parameters new in the DLL; otherwise DropDown choices come from
the DLL template when we know them, else the stored value."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.bridge.session import ParameterDefinition
from app.config.document import Parameter
from app.config.rules import Finding, is_encrypted_blob
from app.ui.wizard.widgets import FieldBox, FileField, ScriptEditor, SecretField
from app.wizard.session import WizardSession
from app.wizard.templates import known_choices

TYPES = ("String", "Text", "CheckBox", "DropDown", "EncryptedString", "File", "Label", "Divider")


class DllFormOptions(TypedDict, total=False):
    """What the connector DLL says about one page, as ParameterForm's keyword arguments."""

    definitions: list[ParameterDefinition]
    library: str
    in_order: bool
    unanswered: bool
    new_in_dll: list[ParameterDefinition]
    on_add_new: Callable[[ParameterDefinition], None]


def is_script(p: Parameter) -> bool:
    return "script" in p.name.lower() or "query" in p.name.lower() or "\n" in p.value


class ParameterForm(QWidget):
    """One page's parameters. `changed` fires after each edit has been applied to the session."""

    changed = Signal()

    def __init__(self, session: WizardSession, parameters: list[Parameter], *, read_only: bool = False,
                 on_remove: Callable[[Parameter], None] | None = None,
                 definitions: list[ParameterDefinition] | None = None, library: str = "",
                 in_order: bool = False, new_in_dll: list[ParameterDefinition] | None = None,
                 on_add_new: Callable[[ParameterDefinition], None] | None = None,
                 unanswered: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.read_only = read_only
        self.boxes: dict[str, FieldBox] = {}
        self.definitions = {d.name: d for d in definitions or [] if d.name}
        self.library = library
        self.unanswered = unanswered  # the DLL's call for this page failed: it has not said yet
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # labels above fields: DLL parameter names run to 60 characters, and must not clip at 200%
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.form.setContentsMargins(0, 0, 0, 0)
        if in_order and definitions is not None:
            self._dll_rows(parameters, definitions, on_remove)
        else:
            if not parameters:
                self._empty("This connector stores no parameters for this page.")
            for p in parameters:
                self._add_row(p, on_remove)
        if new_in_dll:
            self._new_rows(new_in_dll, on_add_new)

    def _empty(self, text: str) -> None:
        empty = QLabel(text)
        empty.setWordWrap(True)
        self.form.addRow(empty)

    def _dll_rows(self, parameters: list[Parameter], definitions: list[ParameterDefinition],
                  on_remove: Callable[[Parameter], None] | None) -> None:
        """A new connector's page in the DLL's own order, with its labels and dividers."""
        stored = {p.name: p for p in parameters}
        if not definitions and self.unanswered:
            self._empty(f"{self.library or 'The connector DLL'} has not answered for this page yet.")
        elif not definitions:
            self._empty(f"{self.library or 'The connector DLL'} asks nothing on this page.")
        for d in definitions:
            if d.type == "Divider":
                self._divider()
            elif d.type == "Label":
                self._label(d.text or d.name, "")
            elif d.name in stored:
                self._add_row(stored.pop(d.name), on_remove)
        for p in stored.values():  # kept by the file but no longer defined: shown, not lost
            self._add_row(p, on_remove)

    def _new_rows(self, new: list[ParameterDefinition],
                  on_add: Callable[[ParameterDefinition], None] | None) -> None:
        head = QLabel(f"<b>New in {self.library}</b>: defined by the DLL, not yet in this connector "
                      "(Add puts it in with the DLL's default).")
        head.setWordWrap(True)
        self.form.addRow(head)
        for d in new:
            row = QWidget()
            lay = QHBoxLayout(row)
            lay.setContentsMargins(0, 0, 0, 0)
            shown = "" if d.secret else f", default '{d.default}'" if d.default else ", no default"
            text = QLabel(f"{d.name} ({d.type}{shown})")
            text.setWordWrap(True)
            lay.addWidget(text, 1)
            add = QPushButton("Add")
            add.setAccessibleName(f"Add parameter {d.name}")
            add.setEnabled(on_add is not None and not self.read_only)
            if on_add is not None:
                add.clicked.connect(lambda _=False, d=d, on_add=on_add: on_add(d))
            lay.addWidget(add)
            self.form.addRow(row)

    def _divider(self) -> None:
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setAccessibleName("Divider")
        self.form.addRow(line)

    def _label(self, name: str, value: str) -> None:
        label = QLabel(f"<b>{name}</b>" + (f"<br>{value}" if value else ""))
        label.setWordWrap(True)
        self.form.addRow(label)

    def _add_row(self, p: Parameter, on_remove: Callable[[Parameter], None] | None) -> None:
        name = p.name
        kind = _kind(p)
        if kind == "Divider":
            self._divider()
            return
        if kind == "Label":
            self._label(name, p.value)
            return
        field, note = self._field(p)
        value_widget = field
        if on_remove is not None:
            row = QWidget()
            lay = QHBoxLayout(row)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(field, 1)
            remove = QPushButton("Remove")
            remove.setAccessibleName(f"Remove parameter {name}")
            remove.clicked.connect(lambda _=False, p=p: on_remove(p))
            lay.addWidget(remove)
            field = row
        box = FieldBox(field, note, input_widget=value_widget)
        self.boxes[name] = box
        if kind == "CheckBox":
            self.form.addRow("", box)
        else:
            label = QLabel(name + ":")
            label.setBuddy(getattr(box.input, "edit", box.input))
            self.form.addRow(label, box)

    def _field(self, p: Parameter) -> tuple[QWidget, str]:
        name, kind, value = p.name, _kind(p), p.value
        note = ""
        apply = self._applier(p)
        w: QWidget
        if kind == "CheckBox":
            w = QCheckBox(name)
            w.setChecked(value.strip() == "1")
            w.toggled.connect(lambda on: apply("1" if on else "0"))
            w.setEnabled(not self.read_only)
        elif kind == "DropDown":
            d = self.definitions.get(name)
            w = QComboBox()
            w.setEditable(d.extensible if d is not None else True)
            known = d.choices if d is not None else known_choices(self.session.connector.library_name, name)
            choices = list(known)
            if value not in choices:
                choices.insert(0, value)  # a stored value the list lacks: shown and kept
            w.addItems(choices)
            w.setCurrentText(value)
            w.currentTextChanged.connect(apply)
            w.setEnabled(not self.read_only)
            if d is not None and value not in d.choices:
                note = f"'{value}' is not one of the choices {self.library} offers."
            elif not known:
                note = "The choices come from the connector DLL; type the value it expects."
        elif kind == "EncryptedString":
            encrypted = is_encrypted_blob(value)
            w = SecretField(value, encrypted, name)
            w.changed.connect(apply)
            w.setEnabled(not self.read_only)
        elif kind == "File":
            w = FileField(value, name)
            w.changed.connect(apply)
            w.edit.setReadOnly(self.read_only)
            w.browse.setEnabled(not self.read_only)
        elif kind == "Text" and is_script(p):
            w = editor = ScriptEditor(value)
            editor.textChanged.connect(lambda: apply(editor.toPlainText()))
            editor.setReadOnly(self.read_only)
            size = len(value.encode())
            if size > 4096:
                note = f"{value.count(chr(10)) + 1} lines, {size / 1024:.1f} KB"
        else:
            w = QLineEdit(value)
            w.textEdited.connect(apply)
            w.setReadOnly(self.read_only)
            if kind not in TYPES:
                note = f"Type '{kind}' is unknown to this tool; shown and kept as text."
        w.setAccessibleName(name)
        w.setObjectName(f"param:{name}")
        return w, note

    def _applier(self, p: Parameter) -> Callable[[str], None]:
        def apply(value: str) -> None:
            self.session.set_parameter(p, value)
            self.changed.emit()
        return apply

    def show_findings(self, by_field: dict[str, list[Finding]]) -> set[str]:
        """Put each field's findings under it; returns the field names it could place."""
        placed = set()
        for name, box in self.boxes.items():
            found = by_field.get(name, [])
            box.findings.show_findings(found)
            if found:
                placed.add(name)
        return placed

    def focus(self, name: str) -> bool:
        box = self.boxes.get(name)
        if box is None:
            return False
        getattr(box.input, "edit", box.input).setFocus()
        return True


def _kind(p: Parameter) -> str:
    """The field to show: a free-text copy stored encrypted (its name is a secret on another page)
    is edited as a secret, masked."""
    return "EncryptedString" if p.is_secret and p.type in ("String", "Text") else p.type


class AddParameterRow(QWidget):
    """For a custom DLL: add the parameters it defines (names must match the DLL exactly)."""

    added = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Parameter name, exactly as the DLL defines it")
        self.name.setAccessibleName("New parameter name")
        self.type = QComboBox()
        self.type.addItems(TYPES)
        self.type.setAccessibleName("New parameter type")
        self.button = QPushButton("Add parameter")
        lay.addWidget(self.name, 1)
        lay.addWidget(self.type)
        lay.addWidget(self.button)
        self.button.clicked.connect(self._add)
        self.name.returnPressed.connect(self._add)

    def _add(self) -> None:
        name = self.name.text().strip()
        if name:
            self.added.emit(name, self.type.currentText())
            self.name.clear()
