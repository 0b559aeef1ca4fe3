"""Wizard pages 1-8: Properties, the parameter pages (Connectivity, Capabilities, Schema n,
Global, each run profile), Partitions and Run Profiles. Every page edits the working copy
directly; `FlowPage` shows the flow's findings beside their fields and disables Next on errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.bridge import capabilities
from app.bridge.session import ParameterDefinition, Validation
from app.config.document import Parameter
from app.config.rules import ERROR, MICROSOFT_TIMER_FLOOR, WARNING, Finding, is_encrypted_blob
from app.ui.wizard.dll_driver import BusyRow
from app.ui.wizard.parameter_form import AddParameterRow, DllFormOptions, ParameterForm
from app.ui.wizard.secret_choice_box import SecretChoiceBox
from app.ui.wizard.widgets import FieldBox, FindingLabel, SecretField, StepLimits, severity_color
from app.wizard.dll_pages import DllPages
from app.wizard.flow import ConnectorFlow, PageRef
from app.wizard.page_keys import OBJECT_TYPES, PageKey
from app.wizard.session import WizardSession
from app.wizard.tokens import generate_token

if TYPE_CHECKING:  # the wizard imports its pages
    from app.ui.wizard.connector_wizard import ConnectorWizard

SUBTITLES = {
    "properties": "Name, refresh interval, secret token and the connector DLL.",
    "connectivity": "How the connector reaches the connected system.",
    "capabilities": "What the connector can do.",
    "schema": "How the connector discovers object types and attributes.",
    "global": "Settings and scripts used by every run.",
    "partitions": "ECMA2Host supports exactly one partition.",
    "run-profiles": "Export is required; enable an import so the host can tell whether an object exists.",
}


class FlowPage(QWizardPage):
    """A page of the connector flow: builds its body from the working copy on every visit."""

    def __init__(self, ctx: ConnectorWizard, key: PageKey) -> None:
        super().__init__()
        self.ctx = ctx  # session, flow, layout
        self.key = key
        self.findings: list[Finding] = []
        self.field_boxes: dict[str, FieldBox] = {}
        self.outer = QVBoxLayout(self)
        self.page_findings = FindingLabel()
        self.outer.addWidget(self.page_findings)
        self.body: QWidget | None = None
        self.busy = BusyRow()  # the connector DLL is being asked (app/ui/wizard/dll_driver.py)
        self.outer.addWidget(self.busy)
        self.bridge_findings: list[Finding] = []  # the DLL's refusal or failure, until the next edit
        self.advancing = False  # the DLL has answered: the move to the next page is queued (tests wait on it)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self.refresh_findings)

    @property
    def session(self) -> WizardSession:
        return self.ctx.session

    @property
    def flow(self) -> ConnectorFlow:
        return self.ctx.flow

    def ref(self) -> PageRef | None:
        return self.flow.page(self.key)

    def initializePage(self) -> None:
        ref = self.ref()
        title = ref.title if ref else str(self.key)
        self.setTitle(title)
        self.setSubTitle(SUBTITLES.get(ref.page if ref else "", "") + self.read_only_note() + self.dll_note())
        if self.body is not None:
            self.outer.removeWidget(self.body)
            self.body.hide()  # deleted later: until then it must not be drawn under the new one
            self.body.deleteLater()
        self.field_boxes = {}
        self.body = self.build()
        self.outer.insertWidget(0, self.body, 1)
        self.refresh_findings()

    def read_only_note(self) -> str:
        if self.flow.is_read_only(self.key):
            return " Read-only: capabilities can't be modified once the connector is created."
        return ""

    def dll_note(self) -> str:
        """Say where a parameter page's fields come from when the DLL was asked."""
        ref = self.ref()
        pages = self.ctx.dll.pages  # None while the DLL is not asked
        if pages is not None and ref is not None and ref.use and self.session.is_new:
            return f" Asked of {pages.name}.dll."
        return ""

    def cleanupPage(self) -> None:
        """Values live in the working copy: going Back keeps them (QWizard would reset fields)."""
        dll = self.ctx.dll
        if dll.busy_row is self.busy and self.session.is_new:
            dll.stop()  # Back while the DLL is asked: its answer is for a page left behind

    def validatePage(self) -> bool:
        """Next on a new connector from a DLL: the DLL checks this page and answers the next one
        off the GUI thread; the wizard moves on when it has (or shows its one sentence here)."""
        dll = self.ctx.dll
        if not dll.active or not self.session.is_new:
            return True
        if self.advancing:
            self.advancing = False
            return True
        if dll.busy:
            return False
        self.bridge_findings = []
        self.refresh_findings()

        def go_on() -> None:
            self.advancing = True
            QTimer.singleShot(0, self.ctx.next_from_dll)
        return dll.advance(self, go_on)

    def show_refusal(self, verdict: Validation) -> None:
        """The DLL's ValidateConfigParameters message (on the field it names) or a failure."""
        ref = self.ref()
        self.ctx.stop_walk()
        self.bridge_findings = [Finding(ERROR, verdict.message, "", None, ref.page if ref else str(self.key),
                                        verdict.parameter or None, "connector-dll")]
        self.refresh_findings()
        if verdict.parameter:
            self.focus_field(verdict.parameter)

    def build(self) -> QWidget:
        raise NotImplementedError

    def edited(self) -> None:
        self.bridge_findings = []
        self._debounce.start()

    @property
    def findings_pending(self) -> bool:
        """An edit's recheck is still waiting out the debounce (what tests wait for, not a clock)."""
        return self._debounce.isActive()

    def editing(self, change: Callable[[Any], object]) -> Callable[[Any], None]:
        """A slot that applies `change` to the new value, then rechecks the page (debounced)."""
        def slot(value: Any) -> None:
            change(value)
            self.edited()
        return slot

    def refresh_findings(self) -> None:
        self._debounce.stop()
        self.findings = self.rule_findings() + self.dll_findings() + self.call_findings() + self.bridge_findings
        by_field: dict[str, list[Finding]] = {}
        for f in self.findings:
            by_field.setdefault(f.field or "", []).append(f)
        placed = set()
        for name, box in self.field_boxes.items():
            box.findings.show_findings(by_field.get(name, []))
            placed.add(name)
        placed |= self.place_findings(by_field)
        self.page_findings.show_findings([f for f in self.findings if (f.field or "") not in placed])
        self.completeChanged.emit()

    def place_findings(self, by_field: dict[str, list[Finding]]) -> set[str]:
        return set()

    def dll_findings(self) -> list[Finding]:
        """What the DLL's answers say about this page's choices (kept while the user edits)."""
        return []

    def rule_findings(self) -> list[Finding]:
        return self.flow.findings(self.key)

    def call_findings(self) -> list[Finding]:
        """A call this page needed (its parameters, the partitions) failed on the way in: the
        failure is this page's, so it shows here; Next asks again."""
        sentence = self.ctx.dll.failure(self.key) if self.session.is_new else ""
        if not sentence or self.key == OBJECT_TYPES \
                or any(sentence in f.message for f in self.bridge_findings):
            return []  # Object Types says it its own way; a failed retry shows the same sentence
        ref = self.ref()
        return [Finding(ERROR, f"{sentence} Every page before this one is kept: go Back to change what "
                        "it needs, or press Next to ask again.", "", None, ref.page if ref else str(self.key),
                        None, "connector-dll")]

    def isComplete(self) -> bool:
        if self.ctx.dll.busy_row is self.busy and self.session.is_new:
            return False  # the DLL is still answering
        # the DLL's own message does not block: Next asks it again
        return not any(f.severity == ERROR and f.code != "connector-dll" for f in self.findings)

    def focus_field(self, name: str) -> bool:
        box = self.field_boxes.get(name)
        if box is not None:
            getattr(box.field, "edit", box.field).setFocus()
            return True
        return False

    def nextId(self) -> int:
        return self.ctx.next_page_id(self.key)


def capabilities_summary(pages: DllPages) -> QWidget:
    """What the DLL reports it can do, read-only, with what ECMA2Host will not use of it (the DLL
    has no Capabilities-page parameters, as none of the public connectors has)."""
    caps = pages.bridge.capabilities
    box = QGroupBox(f"What {pages.name}.dll reports it can do (read-only)")
    box.setAccessibleName("The connector's capabilities (read-only)")
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    rows = capabilities.summary(caps)
    if not rows:
        form.addRow(QLabel("The DLL reports no capabilities (it implements neither GetCapabilities "
                           "interface): the host's usual Export and Full Import profiles are offered."))
    for label, value in rows:
        shown = QLabel(value)
        shown.setAccessibleName(label)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(label + ":", shown)
    warned = capabilities.warnings(pages.name, caps)
    if warned:
        note = QLabel("<br>".join(f"⚠ {_esc(w)}" for w in warned))
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {severity_color(WARNING, note)};")
        note.setAccessibleName("What ECMA2Host does not use of these capabilities")
        form.addRow(note)
    return box


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def scrolled(inner: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(inner)
    return area


class PropertiesPage(FlowPage):
    def build(self) -> QWidget:
        s = self.session
        c = s.connector
        w = QWidget()
        form = QFormLayout(w)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.name = QLineEdit(c.name)
        self.name.setAccessibleName("Name")
        self.name.setReadOnly(not s.is_new)
        self.name.textEdited.connect(self.editing(lambda t: s.set_name(t.strip())))
        note = ("Part of the connector's URL in Entra; case sensitive." if s.is_new else
                "Part of the connector's URL in Entra, so it is not renamed here.")
        self._row(form, "&Name:", "Name", self.name, note)

        self.timer = QSpinBox()
        self.timer.setRange(1, 10_000_000)  # no 120 floor: 10 minutes is common while developing (docs/host-facts.md §3)
        self.timer.setSuffix(" minutes")
        self.timer.setValue(c.autosync_minutes or 120)
        self.timer.setAccessibleName("Autosync timer in minutes")
        self.timer.valueChanged.connect(self.editing(lambda v: s.set_timer(v)))
        self._row(form, "&Autosync timer:", "AutosyncTimer", self.timer,
                  f"How often the host refreshes its import cache. Microsoft's wizard needs "
                  f"{MICROSOFT_TIMER_FLOOR} or more; lower values work but that wizard then complains.")

        token_row = QWidget()
        tl = QHBoxLayout(token_row)
        tl.setContentsMargins(0, 0, 0, 0)
        self.token = SecretField(c.secret_token, is_encrypted_blob(c.secret_token), "Secret token")
        self.token.changed.connect(self.editing(lambda t: s.set_token(t)))
        self.generate = QPushButton("&Generate")
        self.generate.setAccessibleName("Generate a secret token")
        self.generate.clicked.connect(lambda: self.token.set_text(generate_token()))
        self.copy = QPushButton("&Copy")
        self.copy.setAccessibleName("Copy the secret token")
        self.copy.clicked.connect(self._copy)
        self.copy.setEnabled(not is_encrypted_blob(c.secret_token))
        self.token.changed.connect(lambda t: self.copy.setEnabled(bool(t)))
        tl.addWidget(self.token, 1)
        tl.addWidget(self.generate)
        tl.addWidget(self.copy)
        self._row(form, "Secret &token:", "SecretToken", token_row,
                  "Enter the same token in the Entra application's provisioning settings.")
        self.secret_choice = SecretChoiceBox(s)
        self.secret_choice.changed.connect(self.edited)
        form.addRow("", self.secret_choice)

        self.description = QLineEdit(c.description)
        self.description.setAccessibleName("Description")
        self.description.textEdited.connect(self.editing(lambda t: s.set_description(t)))
        self._row(form, "&Description:", "Description", self.description)

        self.library = QComboBox()
        self.library.setEditable(True)
        self.library.setAccessibleName("Extension DLL")
        self.library.addItems(self.ctx.library_choices())
        self.library.setCurrentText(c.library_name + ".dll" if c.library_name else "")
        self.library.setEnabled(s.is_new)
        self.library.currentTextChanged.connect(self._library)
        library_row = QWidget()
        ll = QHBoxLayout(library_row)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.library, 1)
        self.browse = QPushButton("&Browse…")
        self.browse.setAccessibleName("Choose a connector DLL elsewhere")
        self.browse.setVisible(s.is_new)
        self.browse.clicked.connect(self._browse)
        ll.addWidget(self.browse)
        self.origin = QLabel()
        self.origin.setWordWrap(True)
        self.origin.setAccessibleName("Where the pages come from")
        deps = self.ctx.dll.dependency_dlls() if s.is_new else []
        left_out = (f" Not listed: {', '.join(deps)}, dependencies beside the connectors (no class in "
                    "them implements the ECMA2 interfaces)." if deps else "")
        self._row(form, "E&xtension DLL:", "LibraryName", library_row,
                  "The DLLs in the host's Service\\ECMA folder come first; choosing one runs its code "
                  "in a separate process to ask it for its pages." + left_out if s.is_new else
                  "The parameters belong to this DLL: create a new connector to use another one.",
                  input_widget=self.library)
        form.addRow("", self.origin)
        self.ctx.dll.changed.connect(self._show_origin)
        self._show_origin()
        self.setTabOrder(self.name, self.timer)
        return w

    def _row(self, form: QFormLayout, label: str, fld: str, widget: QWidget, note: str = "",
             input_widget: QWidget | None = None) -> None:
        box = FieldBox(widget, note, input_widget=input_widget)
        self.field_boxes[fld] = box
        lab = QLabel(label)
        buddy = input_widget or (getattr(widget, "edit", widget) if not isinstance(widget, QComboBox) else widget)
        if buddy is not None:
            lab.setBuddy(buddy)
        form.addRow(lab, box)

    def _library(self, text: str) -> None:
        if text.strip():
            self.session.set_library(text.strip())
            self.ctx.discover_default_schema()
            if self.session.is_new:
                self.ctx.dll.choose(text, self, self._dll_answered)
        self._show_origin()
        self.edited()

    def _dll_answered(self) -> None:
        self._show_origin()
        self.edited()

    def _browse(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        start = str(self.ctx.host.ecma_dir) if self.ctx.host and self.ctx.host.ecma_dir else ""
        path, _ = QFileDialog.getOpenFileName(self, "Connector DLL", start, "Connector DLLs (*.dll)")
        if path:
            self.pick(Path(path))

    def pick(self, path: Path) -> None:
        """A DLL the user chose anywhere: asked like one in the host's folder (with a note)."""
        self.ctx.dll.picked[path.name] = path
        if self.library.findText(path.name) < 0:
            self.library.insertItem(0, path.name)
        if self.library.currentText() == path.name:
            self._library(path.name)
        else:
            self.library.setCurrentText(path.name)

    def _show_origin(self) -> None:
        s = self.session
        dll = self.ctx.dll
        if not s.connector.library_name:
            self.origin.setText("")
            return
        name = s.connector.library_name + ".dll"
        if dll.active:
            text = (f"The pages come from {name} itself, asked page by page in a separate process."
                    if s.is_new else f"DropDown choices and parameters new in this DLL come from {name}.")
            note = dll.note[:1].upper() + dll.note[1:] if dll.note else ""
            self.origin.setText(text + (f"<br><i>{_esc(note)}</i>" if note else ""))
        elif dll.busy:
            self.origin.setText("")
        elif s.is_new:
            # a guessed template says so in its own finding above: not twice
            origin = ("" if s.template.is_guess else s.template.origin) if s.template.definitions else \
                "No template either: add the parameters the DLL defines on each page."
            self.origin.setText(f"<i>The DLL is not asked, so the pages come from this tool's template. "
                                f"{_esc(dll.reason)} {_esc(origin)}</i>")
        else:
            self.origin.setText(f"<i>The DLL is not asked: {_esc(dll.reason)}</i>" if dll.reason else "")

    def _copy(self) -> None:
        if self.token.edit.isVisible() and self.token.value:
            QGuiApplication.clipboard().setText(self.token.value)

    def focus_field(self, name: str) -> bool:
        if name == "SecretToken":
            (self.token.replace if self.token.replace.isVisible() else self.token.edit).setFocus()
            return True
        return super().focus_field(name)


class ParameterPage(FlowPage):
    """Connectivity, Capabilities, Schema n, Global, and one page per enabled run profile."""

    def build(self) -> QWidget:
        ref = self.ref()
        s = self.session
        if ref is None or ref.use is None:  # (the flow gives every parameter page its Use)
            return QLabel("This page does not apply to this connector.")
        use, profile = ref.use, ref.profile
        if use == "RunStep":
            assert profile is not None  # the flow names the profile of every run-step page
            params = s.run_step_parameters(profile)
        else:
            params = s.page_parameters(use, ref.schema_number)
        dll = self.ctx.dll
        custom = s.is_new and not s.template.definitions and not dll.active
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(0, 0, 0, 0)
        read_only = self.flow.is_read_only(self.key)
        if use == "RunStep" and profile is not None and s.connector.run_configuration(profile) is not None:
            self.limits = StepLimits(s, profile, read_only=read_only)
            self.limits.changed.connect(self.edited)
            lay.addWidget(self.limits)
        self.form = ParameterForm(s, params, read_only=read_only,
                                  on_remove=self._remove if custom else None,
                                  **self.dll_form_options(use, ref.schema_number, profile))
        self.form.changed.connect(self.edited)
        lay.addWidget(self.form)
        if use == "Capabilities" and dll.pages is not None and s.is_new \
                and not dll.pages.definitions("Capabilities"):
            lay.addWidget(capabilities_summary(dll.pages))
        self.secret_choice = None
        if any(p.is_secret for p in params):
            self.secret_choice = SecretChoiceBox(s)
            self.secret_choice.changed.connect(self.edited)
            lay.addWidget(self.secret_choice)
        if custom:
            add = AddParameterRow()
            add.added.connect(lambda n, t: self._add(n, t, use, ref))
            lay.addWidget(add)
        lay.addStretch(1)
        return scrolled(inner)

    def dll_form_options(self, use: str, schema_number: int | None, profile: str | None) -> DllFormOptions:
        """What the DLL says about this page: its definitions (order, labels, choices) and, for an
        existing connector, the parameters new in this DLL."""
        dll = self.ctx.dll
        pages = dll.pages  # None while the DLL is not asked
        if pages is None:
            return {}
        number = schema_number or 1
        options: DllFormOptions = {"definitions": pages.definitions(use, number), "library": pages.name + ".dll",
                                   "in_order": self.session.is_new, "unanswered": bool(dll.failure(self.key))}
        if not self.session.is_new:
            options["new_in_dll"] = pages.new_in_dll(use, number, profile)
            options["on_add_new"] = lambda d: self._add_from_dll(d, profile)
        return options

    def _add_from_dll(self, definition: ParameterDefinition, profile: str | None) -> None:
        pages = self.ctx.dll.pages
        assert pages is not None  # its Add buttons are drawn only while the DLL is asked
        pages.add_from_dll(definition, profile)
        self.initializePage()

    def place_findings(self, by_field: dict[str, list[Finding]]) -> set[str]:
        return self.form.show_findings(by_field)

    def _add(self, name: str, type_: str, use: str, ref: PageRef) -> None:
        self.session.add_parameter(name, type_, use, ref.schema_number, ref.profile)
        self.initializePage()

    def _remove(self, parameter: Parameter) -> None:
        self.session.remove_parameter(parameter)
        self.initializePage()

    def focus_field(self, name: str) -> bool:
        return self.form.focus(name)
