"""The host's Settings tab: port, certificate (status + Regenerate), and where the files are."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.config.document import ConfigDocument
from app.config.rules import Finding
from app.host.layout import HostLayout
from app.paths import backups_dir, data_dir
from app.ui.theme import error_colour

if TYPE_CHECKING:  # imported when first built (start-up time)
    from PySide6.QtGui import QShowEvent
    from PySide6.QtWidgets import QFormLayout

    from app.certs.status import CertificateStatus
    from app.ui.certs.status_widget import CertificateStatusWidget

DEFAULT_PORT = "8585"


def tenant_url(host: str, port: str, connector: str) -> str:
    """The Entra "Tenant URL" of a connector (docs/host-facts.md §4)."""
    return f"https://{host}:{port or DEFAULT_PORT}/ecma2host_{connector}/scim"


class SettingsTab(QScrollArea):
    """Emits `portEdited(str)` on every valid edit and `regenerateRequested()`; the window owns
    the document and decides what an edit means (unsaved marker, findings)."""

    portEdited = Signal(str)
    regenerateRequested = Signal()
    refreshCertificateRequested = Signal()

    def __init__(self, layout: HostLayout, host_name: str = "localhost",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsTab")
        self.setWidgetResizable(True)
        self.host_name = host_name
        self._loading = False
        # The page is made when first shown or read (the first screen is the connector list and
        # this page cost ~10 ms of the first paint); until then it keeps what it was given.
        self._built = False
        self._layout = layout
        self._state: tuple[ConfigDocument | None, list[Finding]] | None = None
        self._read_only = False
        self._certificate_widget: CertificateStatusWidget | None = None

    def build(self) -> None:
        """Make the page now (it is made on first show, or when a part of it is asked for)."""
        if self._built:
            return
        self._built = True
        # here: these types (~2 ms with their enums) are needed by this page only
        from PySide6.QtGui import QIntValidator
        from PySide6.QtWidgets import QFormLayout, QGroupBox

        body = QWidget(self)
        outer = QVBoxLayout(body)

        # -- endpoint --------------------------------------------------------------------------
        endpoint = QGroupBox("Service endpoint", body)
        form = QFormLayout(endpoint)
        self._port_part = QLineEdit(endpoint)
        self.port.setObjectName("portEdit")
        self.port.setAccessibleName("Port")
        self.port.setAccessibleDescription("The TCP port ECMA2Host listens on; 8585 by default.")
        self.port.setValidator(QIntValidator(1, 65535, self.port))
        self.port.setMaximumWidth(120)
        self.port.textEdited.connect(self._port_edited)
        port_label = QLabel("&Port:", endpoint)
        port_label.setBuddy(self.port)
        self._port_problem_part = QLabel(endpoint)
        self.port_problem.setWordWrap(True)
        self.port_problem.hide()
        hint = QLabel("8585 by default. Entra's Tenant URL names it, so changing it means updating "
                      "every provisioning application; the service reads it when it starts.", endpoint)
        hint.setWordWrap(True)
        # One column for the field, its problem and its hint: a word-wrapped label in a form row
        # of its own reserves height for lines it never uses.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        port_field = QWidget(endpoint)
        port_column = QVBoxLayout(port_field)
        port_column.setContentsMargins(0, 0, 0, 0)
        port_column.setSpacing(4)
        port_column.addWidget(self.port, 0, Qt.AlignmentFlag.AlignLeft)
        port_column.addWidget(self.port_problem)
        port_column.addWidget(hint)
        form.addRow(port_label, port_field)
        self._urls_part = QLabel(endpoint)
        self.urls.setObjectName("tenantUrls")
        self.urls.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.urls.setAccessibleName("Tenant URLs")
        self.urls.setWordWrap(True)
        form.addRow("Tenant URLs:", self.urls)
        outer.addWidget(endpoint)

        # -- certificate (the certificates area's widget, with its own title) --
        cert = QWidget(body)
        self._cert_box_part = QVBoxLayout(cert)
        self._cert_box.setContentsMargins(0, 0, 0, 0)
        # the certificate widget: made when the tab is first shown or a status arrives
        outer.addWidget(cert)

        # -- files -----------------------------------------------------------------------------
        files = QGroupBox("Where the files are", body)
        self._files_form_part = QFormLayout(files)
        self.files_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addWidget(files)
        outer.addStretch(1)
        self.setWidget(body)
        self.set_layout(self._layout)
        if self._state is not None:
            self.set_document(*self._state)
        self.set_read_only(self._read_only)

    # -- the parts of the page: asking for one makes the page ------------------------------------
    @property
    def port(self) -> QLineEdit:
        self.build()
        return self._port_part

    @property
    def port_problem(self) -> QLabel:
        self.build()
        return self._port_problem_part

    @property
    def urls(self) -> QLabel:
        self.build()
        return self._urls_part

    @property
    def files_form(self) -> QFormLayout:
        self.build()
        return self._files_form_part

    @property
    def _cert_box(self) -> QVBoxLayout:
        self.build()
        return self._cert_box_part

    # -- filling ---------------------------------------------------------------------------------
    def set_layout(self, layout: HostLayout) -> None:
        while self.files_form.rowCount():
            self.files_form.removeRow(0)
        rows: list[tuple[str, Path | None]] = [("Configuration", layout.config_path)]
        if layout.root:
            rows += [("Host folder", layout.root), ("Service settings", layout.service_config_path),
                     ("Wizard settings", layout.wizard_config_path), ("Connector DLLs", layout.ecma_dir)]
            if layout.is_sample:
                rows.append(("Sample event log", layout.logs_dir))
        rows += [("Backups", backups_dir()), ("This app's data", data_dir())]
        for label, path in rows:
            if path is None:  # an install folder without that part
                continue
            self.files_form.addRow(label + ":", _path_row(label, Path(path), self))

    def set_document(self, doc: ConfigDocument | None, findings: list[Finding]) -> None:
        self._state = (doc, findings)
        if not self._built:
            return  # shown when the page is made
        self._loading = True
        # reading .setting would create it: only where the file has one
        setting = doc.setting if doc is not None and doc.root.find("Setting") is not None else None
        port = setting.port if setting is not None else ""
        if self.port.text() != port:
            self.port.setText(port)
        self._loading = False
        self.show_findings(findings)
        names = [c.name for c in doc.connectors] if doc else []
        self.urls.setText("\n".join(tenant_url(self.host_name, port, n) for n in names)
                          or "(no connectors yet)")

    def show_findings(self, findings: list[Finding]) -> None:
        mine = [f for f in findings if f.page == "settings" and f.field == "Port"]
        self.port_problem.setStyleSheet(f"color: {error_colour(self)};")
        self.port_problem.setText("\n".join(f.message + (f" {f.fix}" if f.fix else "") for f in mine))
        self.port_problem.setVisible(bool(mine))

    def set_certificate_status(self, status: CertificateStatus | None) -> None:
        if status is not None:
            self.certificate_widget.set_status(status)

    @property
    def certificate_widget(self) -> CertificateStatusWidget:
        if self._certificate_widget is None:
            from app.ui.certs.status_widget import CertificateStatusWidget

            widget = CertificateStatusWidget(self._cert_box.parentWidget())
            widget.regenerateRequested.connect(self.regenerateRequested)
            widget.refreshRequested.connect(self.refreshCertificateRequested)
            widget.regenerate_button.setAccessibleName("Regenerate certificate")
            widget.regenerate_button.setEnabled(not self._read_only)
            self._cert_box.addWidget(widget)
            self._certificate_widget = widget
        return self._certificate_widget

    @property
    def regenerate_button(self) -> QPushButton:
        return self.certificate_widget.regenerate_button

    def showEvent(self, event: QShowEvent) -> None:
        self.build()
        self.certificate_widget  # noqa: B018 - built on first show
        super().showEvent(event)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        if not self._built:
            return  # applied when the page is made
        self.port.setReadOnly(read_only)
        if self._certificate_widget is not None:
            self._certificate_widget.regenerate_button.setEnabled(not read_only)

    def focus_field(self, field: str | None) -> None:
        if field in ("Certificate",):
            self.ensureWidgetVisible(self.regenerate_button)
            self.regenerate_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.ensureWidgetVisible(self.port)
            self.port.setFocus(Qt.FocusReason.OtherFocusReason)
            self.port.selectAll()

    def _port_edited(self, text: str) -> None:
        if not self._loading and self.port.hasAcceptableInput():
            self.portEdited.emit(text)


def _path_row(label: str, path: Path, parent: QWidget) -> QWidget:
    row = QWidget(parent)
    h = QHBoxLayout(row)
    h.setContentsMargins(0, 0, 0, 0)
    text = QLineEdit(str(path), row)  # read-only line edit: selectable, focusable, scrolls when long
    text.setReadOnly(True)
    text.setAccessibleName(label)
    text.setCursorPosition(0)
    h.addWidget(text, 1)
    folder = path if path.is_dir() else path.parent
    button = QPushButton("Open folder", row)
    button.setAccessibleName(f"Open the folder of {label}")
    button.setEnabled(folder.is_dir())
    button.clicked.connect(lambda: _open_folder(folder))
    h.addWidget(button)
    return row


def _open_folder(folder: Path) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
