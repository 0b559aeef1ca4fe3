"""Small widgets the wizard pages share: inline findings, a script editor with line numbers, a
secret field that never shows what it cannot decrypt, and a file field with Browse."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QIntValidator,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.config.rules import ERROR, WARNING, Finding
from app.errors import UserError
from app.wizard.session import WizardSession

SYMBOL = {ERROR: "✖", WARNING: "⚠"}


def is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def severity_color(severity: str, widget: QWidget) -> str:
    dark = is_dark(widget)
    if severity == ERROR:
        return "#ff8a80" if dark else "#b00020"
    if severity == WARNING:
        return "#ffd180" if dark else "#8a5300"
    return "#9ecbff" if dark else "#1a5fb4"


class FindingLabel(QLabel):
    """The findings about one field, shown right under it; hidden when there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()
        self.findings: list[Finding] = []

    def show_findings(self, findings: list[Finding]) -> None:
        self.findings = list(findings)
        if not findings:
            self.clear()
            self.hide()
            return
        parts = []
        for f in findings:
            color = severity_color(f.severity, self)
            fix = f" <span>{_esc(f.fix)}</span>" if f.fix else ""
            parts.append(f"<span style='color:{color}'><b>{SYMBOL.get(f.severity, 'ℹ')} "
                         f"{_esc(f.message)}</b></span>{fix}")
        self.setText("<br>".join(parts))
        self.setAccessibleName("; ".join(f"{f.severity}: {f.message}" for f in findings))
        self.show()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def monospace_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class _LineNumbers(QWidget):
    def __init__(self, editor: ScriptEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.number_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_numbers(event)


class ScriptEditor(QPlainTextEdit):
    """A monospace editor with line numbers for PowerShell scripts and SQL (14 KB is normal).

    Tab moves focus (keyboard users must be able to leave the field); Ctrl+Tab... is not needed:
    scripts are indented with spaces, which Microsoft's samples use.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, *, tall: bool = True) -> None:
        super().__init__(parent)
        self.setFont(monospace_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(True)
        self.numbers = _LineNumbers(self)
        self.blockCountChanged.connect(self._update_margin)
        self.updateRequest.connect(self._scroll_numbers)
        self.cursorPositionChanged.connect(self._highlight_line)
        self.setPlainText(text)
        self._update_margin()
        lines = max(3, min(18 if tall else 4, text.count("\n") + 2))
        self.setFixedHeight(int(self.fontMetrics().lineSpacing() * lines + 14))

    def number_width(self) -> int:
        digits = max(3, len(str(self.blockCount())))
        return 10 + self.fontMetrics().horizontalAdvance("9") * digits

    def _update_margin(self, *_: object) -> None:
        self.setViewportMargins(self.number_width(), 0, 0, 0)

    def _scroll_numbers(self, rect: QRect, dy: int) -> None:
        if dy:
            self.numbers.scroll(0, dy)
        else:
            self.numbers.update(0, rect.y(), self.numbers.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        cr = self.contentsRect()
        self.numbers.setGeometry(QRect(cr.left(), cr.top(), self.number_width(), cr.height()))

    def paint_numbers(self, event: QPaintEvent) -> None:
        painter = QPainter(self.numbers)
        pal = self.palette()
        painter.fillRect(event.rect(), pal.color(QPalette.ColorRole.AlternateBase))
        painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                painter.drawText(0, top, self.numbers.width() - 5, height,
                                 Qt.AlignmentFlag.AlignRight, str(number + 1))
            block = block.next()
            top += round(self.blockBoundingRect(block).height()) if block.isValid() else height
            number += 1

    def _highlight_line(self) -> None:
        if not self.hasFocus():
            self.setExtraSelections([])
            return
        sel = QTextEdit.ExtraSelection()
        color = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        color.setAlpha(40)
        sel.format.setBackground(color)
        sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        sel.cursor = self.textCursor()
        sel.cursor.clearSelection()
        self.setExtraSelections([sel])


class SecretField(QWidget):
    """A masked secret. A value encrypted on the host (DPAPI) cannot be read here: it is shown as
    "stored encrypted on the host" and only replaced when the user asks (docs/host-facts.md §2)."""

    changed = Signal(str)

    def __init__(self, value: str, encrypted_on_host: bool, name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = value
        lay = self._row = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.stored = QLabel("Stored encrypted on the host")
        self.stored.setToolTip("Encrypted with Windows DPAPI on the host: it cannot be shown here. "
                               "Replace it to set a new value.")
        self.replace = QPushButton("Replace…")
        self.replace.setAccessibleName(f"Replace {name}")
        self.edit = QLineEdit("" if encrypted_on_host else value)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(name)
        self.edit.setPlaceholderText("Enter the new value")
        self.show_button = QPushButton("Show")
        self.show_button.setCheckable(True)
        self.show_button.setAccessibleName(f"Show or hide {name}")
        self.show_button.toggled.connect(self._toggle)
        for w in (self.stored, self.replace, self.edit, self.show_button):
            lay.addWidget(w)
        lay.setStretch(2, 1)
        lay.addStretch(0)
        self.edit.textEdited.connect(self._edited)
        self.replace.clicked.connect(self.start_replace)
        self.set_encrypted_view(encrypted_on_host)

    def set_encrypted_view(self, encrypted: bool) -> None:
        self.stored.setVisible(encrypted)
        self.replace.setVisible(encrypted)
        self.edit.setVisible(not encrypted)
        self.show_button.setVisible(not encrypted)
        self._row.setStretch(4, 1 if encrypted else 0)

    def start_replace(self) -> None:
        self.set_encrypted_view(False)
        self.edit.setFocus()

    def set_text(self, text: str) -> None:
        self.set_encrypted_view(False)
        self.edit.setText(text)
        self._edited(text)

    def _toggle(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_button.setText("Hide" if shown else "Show")

    def _edited(self, text: str) -> None:
        self.value = text
        self.changed.emit(text)


class FileField(QWidget):
    changed = Signal(str)

    def __init__(self, value: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit(value)
        self.edit.setAccessibleName(name)
        self.browse = QPushButton("Browse…")
        self.browse.setAccessibleName(f"Browse for {name}")
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.browse)
        self.edit.textEdited.connect(self.changed)
        self.browse.clicked.connect(self._browse)
        self.name = name

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"Choose {self.name}", self.edit.text())
        if path:
            self.edit.setText(path)
            self.changed.emit(path)


class FieldBox(QWidget):
    """A field with its findings underneath (findings show beside their field)."""

    def __init__(self, field: QWidget, note: str = "", parent: QWidget | None = None, *,
                 input_widget: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input = input_widget or field  # the widget that takes the value (focus goes there)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.field = field
        lay.addWidget(field)
        if note:
            hint = QLabel(note)
            hint.setWordWrap(True)
            hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            lay.addWidget(hint)
        self.findings = FindingLabel()
        lay.addWidget(self.findings)


class StepLimits(QWidget):
    """A run profile's BatchSize and Timeout, above its parameters (what 0 means to the host is not
    published: Microsoft's wizard writes 0, so the hint says only that).
    Only a whole number the host's 32-bit int can hold is written; anything else is said inline."""

    changed = Signal()
    LABELS = {"BatchSize": ("Batch size", "objects per batch; Microsoft's wizard writes 0"),
              "Timeout": ("Timeout", "Microsoft's wizard writes 0")}

    def __init__(self, session: WizardSession, profile: str, *, read_only: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.profile = session, profile
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 6)
        self.edits: dict[str, QLineEdit] = {}
        for name, (label, hint) in self.LABELS.items():
            edit = QLineEdit(session.step_limit(profile, name), self)
            edit.setValidator(QIntValidator(0, 2**31 - 1, edit))
            edit.setMaximumWidth(140)
            edit.setReadOnly(read_only)
            edit.setAccessibleName(f"{label} of the {profile} run step")
            edit.setToolTip(hint)
            edit.textEdited.connect(lambda text, n=name: self._edited(n, text))
            row = QHBoxLayout()
            row.addWidget(edit)
            row.addWidget(QLabel(hint, self), 1)
            form.addRow(f"{label}:", row)
            self.edits[name] = edit
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.hide()
        form.addRow(self.problem)

    def _edited(self, name: str, text: str) -> None:
        try:
            self.session.set_step_limit(self.profile, name, text)
        except UserError as exc:
            self.problem.setText(exc.sentence())
            self.problem.show()
            return
        self.problem.hide()
        self.changed.emit()
