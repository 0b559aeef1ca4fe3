"""Look and feel: the style, a dark palette on request, and the icons (Qt's standard icons only,
so nothing has to be drawn or shipped and they follow the platform)."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QWidget

SP = QStyle.StandardPixmap
SEVERITY_ICONS = {
    "error": SP.SP_MessageBoxCritical,
    "warning": SP.SP_MessageBoxWarning,
    "info": SP.SP_MessageBoxInformation,
    "ok": SP.SP_DialogApplyButton,
}
ACTION_ICONS = {
    "new": SP.SP_FileIcon,
    "edit": SP.SP_FileDialogDetailedView,
    "delete": SP.SP_TrashIcon,
    "import": SP.SP_DialogOpenButton,
    "export": SP.SP_DialogSaveButton,
    "save": SP.SP_DialogSaveButton,
    "revert": SP.SP_BrowserReload,
    "backups": SP.SP_FileDialogContentsView,
    "reload": SP.SP_BrowserReload,
    "locked": SP.SP_MessageBoxWarning,
}
# Text colours that stay readable on both the light and the dark palette.
ERROR_TEXT = {"light": "#a61b1b", "dark": "#ff8a80"}


def icon(name: str, widget: QWidget | None = None) -> QIcon:
    """A standard icon by our own name (a severity or an action)."""
    pixmap = SEVERITY_ICONS.get(name) or ACTION_ICONS.get(name, SP.SP_FileIcon)
    style = widget.style() if widget is not None else QApplication.style()
    return style.standardIcon(pixmap)


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style, with enough contrast for text and disabled items."""
    p = QPalette()
    window, base, text = QColor("#2b2b2b"), QColor("#1e1e1e"), QColor("#e6e6e6")
    disabled = QColor("#8a8a8a")
    for role, colour in (
        (QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, QColor("#262626")),
        (QPalette.ColorRole.ToolTipBase, QColor("#3a3a3a")), (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.PlaceholderText, QColor("#9a9a9a")), (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, QColor("#353535")), (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor("#ff6b6b")), (QPalette.ColorRole.Link, QColor("#6cb4ff")),
        (QPalette.ColorRole.Highlight, QColor("#2f65ca")),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.Light, QColor("#505050")), (QPalette.ColorRole.Midlight, QColor("#404040")),
        (QPalette.ColorRole.Mid, QColor("#303030")), (QPalette.ColorRole.Dark, QColor("#9a9a9a")),
        (QPalette.ColorRole.Shadow, QColor("#141414")),
    ):
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def is_dark(widget: QWidget | None = None) -> bool:
    palette = widget.palette() if widget is not None else QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def error_colour(widget: QWidget | None = None) -> str:
    return ERROR_TEXT["dark" if is_dark(widget) else "light"]


def apply_theme(app: QApplication, scheme: str | None = None) -> str:
    """Apply "light", "dark" or "auto" (the default; ECMA_WIZARD_THEME overrides). Returns the
    scheme in effect. Dark uses Fusion with our palette so it looks the same on every platform."""
    scheme = (scheme or os.environ.get("ECMA_WIZARD_THEME") or "auto").lower()
    if scheme == "auto":
        hints = app.styleHints()
        dark = hasattr(hints, "colorScheme") and hints.colorScheme() == Qt.ColorScheme.Dark
        scheme = "dark" if dark else "light"
        if not dark:
            return scheme
    if scheme == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    else:
        if app.style().name().lower() not in ("windowsvista", "windows11", "macos"):
            app.setStyle("Fusion")  # native styles keep their own look; elsewhere Fusion is sane
        app.setPalette(app.style().standardPalette())
    return scheme
