"""A strip above the tabs that says one important thing and offers the buttons that resolve it
(read-only because someone else edits the file; the file changed on disk; it cannot be read)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from app.ui.theme import icon, is_dark

# (background, border, text) for light and dark palettes: readable in both.
_COLOURS = {
    ("warning", False): ("#fff4d6", "#e8c15a", "#4a3800"),
    ("warning", True): ("#4a3b12", "#a88a2e", "#ffe9a8"),
    ("error", False): ("#fde2e1", "#d9534f", "#6e1210"),
    ("error", True): ("#4f1d1c", "#c9504c", "#ffd2d0"),
    ("info", False): ("#e8f1fb", "#9cc3ea", "#123a63"),
    ("info", True): ("#1d3550", "#4d82bd", "#d6e8ff"),
}


class MessageBar(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._icon = QLabel(self)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(10, 6, 8, 6)
        self._row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        self._row.addWidget(self.label, 1)
        self.buttons: list[QPushButton] = []
        self.hide()

    def show_message(self, severity: str, text: str,
                     buttons: Sequence[tuple[str, Callable[[], object]]] = ()) -> None:
        background, border, colour = _COLOURS[(severity, is_dark(self))]
        self.setStyleSheet(f"#{self.objectName()} {{ background: {background}; border: 1px solid "
                           f"{border}; border-radius: 4px; }} #{self.objectName()} QLabel "
                           f"{{ color: {colour}; }}")
        size = self.fontMetrics().height()
        self._icon.setPixmap(icon(severity, self).pixmap(size, size))
        self.label.setText(text)
        self.label.setAccessibleName(text)
        for b in self.buttons:
            self._row.removeWidget(b)
            b.deleteLater()
        self.buttons = []
        for caption, slot in buttons:
            b = QPushButton(caption, self)
            b.clicked.connect(slot)
            self._row.addWidget(b, 0, Qt.AlignmentFlag.AlignVCenter)
            self.buttons.append(b)
        self.show()

    def button(self, caption: str) -> QPushButton | None:
        return next((b for b in self.buttons if b.text().replace("&", "") == caption.replace("&", "")),
                    None)
