"""The certificate block of the main window's Settings tab: what the certificate is, what is wrong."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.severity import Severity

if TYPE_CHECKING:  # the certificate modules load cryptography: not needed to draw the widget
    from app.certs.inspect import CertificateInfo
    from app.certs.status import CertificateStatus

_ICONS = {
    Severity.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
    Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
}
FIELDS = ("Thumbprint", "Subject", "Names (SAN)", "Issuer", "Valid", "Key", "Purpose (EKU)", "This host")


def field_values(info: CertificateInfo, host_names: tuple[str, ...],
                 now: dt.datetime | None = None) -> dict[str, str]:
    days = info.days_left(now)
    left = f"expired {-days} days ago" if info.is_expired(now) else f"{days} days left"
    match = info.host_match(host_names) if host_names else None
    host = ", ".join(f"{n} ✓" if n in match.matched else f"{n} ✗" for n in host_names) if match else "—"
    return {
        "Thumbprint": info.thumbprint,
        "Subject": info.subject,
        "Names (SAN)": ", ".join(info.sans) or "(none)",
        "Issuer": info.issuer + ("  (self-signed)" if info.self_signed else ""),
        "Valid": f"{info.not_before:%Y-%m-%d} to {info.not_after:%Y-%m-%d} ({left})",
        "Key": info.key_description + (", private key present" if info.has_private_key
                                       else ", no private key here"),
        "Purpose (EKU)": ", ".join(info.ekus) or "(any: no EKU extension)",
        "This host": host,
    }


class CertificateStatusWidget(QWidget):
    """Fill it with `set_status`; it asks for a refresh or a regeneration through its signals."""

    refreshRequested = Signal()
    regenerateRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        self._title = QLabel("Certificate", self)
        font = self._title.font()
        font.setBold(True)
        self._title.setFont(font)
        outer.addWidget(self._title)
        self._configured = QLabel(self)
        self._configured.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self._configured)

        box = QGroupBox("Certificate in use", self)
        self._form = QFormLayout(box)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._values: dict[str, QLabel] = {}
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        for name in FIELDS:
            value = QLabel("—", box)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if name == "Thumbprint":
                value.setFont(mono)
            self._values[name] = value
            self._form.addRow(name + ":", value)
        self._unknown = QLabel(box)  # instead of a column of dashes: why nothing is shown
        self._unknown.setWordWrap(True)
        self._unknown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._form.insertRow(0, self._unknown)
        outer.addWidget(box)
        self._box = box

        outer.addWidget(QLabel("Findings", self))
        self.findings = QListWidget(self)
        self.findings.setWordWrap(True)
        self.findings.setMinimumHeight(90)
        self.findings.setSpacing(3)
        self.findings.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.findings.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer.addWidget(self.findings, 1)
        self._notes = QLabel(self)
        self._notes.setWordWrap(True)
        self._notes.setStyleSheet("color: palette(dark);")
        outer.addWidget(self._notes)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.refresh_button = QPushButton("Check again", self)
        self.refresh_button.clicked.connect(self.refreshRequested)
        self.regenerate_button = QPushButton("Regenerate certificate…", self)
        self.regenerate_button.clicked.connect(self.regenerateRequested)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.regenerate_button)
        outer.addLayout(buttons)

    def value(self, name: str) -> str:
        return self._values[name].text()

    def unknown_text(self) -> str:
        return self._unknown.text() if self._unknown.isVisibleTo(self) else ""

    def set_status(self, status: CertificateStatus, now: dt.datetime | None = None) -> None:
        self._configured.setText(
            f"Configured thumbprint: <code>{status.configured_thumbprint or '(none)'}</code>")
        info = status.certificate
        self._box.setTitle(f"Certificate in use — {info.source}" if info and info.source
                           else "Certificate in use")
        values = field_values(info, status.host_names, now) if info else {}
        for row, (name, label) in enumerate(self._values.items(), start=1):
            label.setText(values.get(name, "—"))
            self._form.setRowVisible(row, info is not None)
        reason = status.why_unknown()
        self._unknown.setText(f"Not known. {reason}" if reason else "")
        self._unknown.setVisible(reason is not None)
        self.findings.clear()
        style = self.style()
        for finding in status.findings:
            text = finding.message + (f"\n→ {finding.action}" if finding.action else "")
            item = QListWidgetItem(style.standardIcon(_ICONS.get(finding.severity,
                                                                 _ICONS[Severity.INFO])), text)
            item.setData(Qt.ItemDataRole.UserRole, finding.code)
            self.findings.addItem(item)
        if not status.findings:
            self.findings.addItem(QListWidgetItem(
                style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton), "No problems found."))
        self._notes.setText("\n".join(status.notes))
        in_reason = bool(reason) and all(note in (reason or "") for note in status.notes)  # said once
        self._notes.setVisible(bool(status.notes) and not in_reason)
