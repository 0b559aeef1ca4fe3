"""The main window's certificate expiry banner: 60, 30 and 7 days, and once expired."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from app.certs.inspect import CertificateInfo
from app.certs.status import ExpiryLevel, expiry_level

# (background, border, text) per state: calm for 60 days, louder as the date nears.
_COLOURS = {
    ExpiryLevel.WITHIN_60: ("#e8f1fb", "#9cc3ea", "#123a63"),
    ExpiryLevel.WITHIN_30: ("#fff4d6", "#e8c15a", "#5a4300"),
    ExpiryLevel.WITHIN_7: ("#ffe3cc", "#f08c3a", "#6b2a00"),
    ExpiryLevel.EXPIRED: ("#fde2e1", "#d9534f", "#7a1411"),
}


def banner_text(level: ExpiryLevel, info: CertificateInfo, now: dt.datetime | None = None) -> str:
    date = info.not_after.strftime("%d %b %Y")
    if level is ExpiryLevel.EXPIRED:
        return (f"<b>The host certificate expired on {date}.</b> Entra has quarantined, or will "
                "quarantine, the provisioning application until a valid certificate is in place.")
    days = info.days_left(now)
    when = "tomorrow" if days <= 1 else f"in {days} days"
    tail = {
        ExpiryLevel.WITHIN_7: " Regenerate it now: an expired certificate stops provisioning.",
        ExpiryLevel.WITHIN_30: " Plan its replacement: Entra quarantines the application once it expires.",
        ExpiryLevel.WITHIN_60: " Nothing is broken yet; regenerating early avoids a quarantine.",
    }[level]
    return f"<b>The host certificate expires {when}</b> ({date}).{tail}"


class ExpiryBanner(QWidget):
    """Hidden while the certificate has 60 days or more; otherwise a coloured strip with a button."""

    regenerateRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("certificateExpiryBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.level = ExpiryLevel.OK
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.RichText)
        self._label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._button = QPushButton("Regenerate certificate…", self)
        self._button.clicked.connect(self.regenerateRequested)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        row.setSpacing(12)
        row.addWidget(self._label, 1)
        row.addWidget(self._button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setVisible(False)

    @property
    def text(self) -> str:
        return self._label.text()

    def set_certificate(self, info: CertificateInfo | None, now: dt.datetime | None = None) -> ExpiryLevel:
        """Show the right state for `info` (None hides the banner); returns the state shown."""
        self.level = expiry_level(info, now)
        if info is None or self.level is ExpiryLevel.OK:
            self.setVisible(False)
            return self.level
        background, border, text = _COLOURS[self.level]
        self.setStyleSheet(
            f"#certificateExpiryBanner {{ background: {background}; border: 1px solid {border}; "
            f"border-radius: 4px; }} #certificateExpiryBanner QLabel {{ color: {text}; }}")
        self._label.setText(banner_text(self.level, info, now))
        self._button.setDefault(self.level in (ExpiryLevel.WITHIN_7, ExpiryLevel.EXPIRED))
        self.setVisible(True)
        return self.level
