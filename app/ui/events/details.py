"""The details pane: the full message (wrapped, search highlighted), the fields, the XML, and the
known-error fix with a button when the app can act."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.events.eventxml import pretty_xml
from app.events.knowledge import Action, ActionKind, Diagnosis
from app.events.records import NO_TIME, EventRecord, format_utc


def action_label(action: Action) -> str:
    """The button's words for what the app will do."""
    if action.kind is ActionKind.CONNECTOR:
        return f"Open connector '{action.connector}'"
    if action.kind is ActionKind.CERTIFICATE:
        return "Open the certificate dialog"
    return "Run the host doctor"


class DetailsPane(QSplitter):
    actionRequested = Signal(object)  # an Action (app.events.knowledge)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.known_frame = QFrame(frameShape=QFrame.Shape.StyledPanel)
        self.known_frame.setStyleSheet("QFrame { background: #fff8e1; border: 1px solid #e0c060; }"
                                       "QLabel { border: none; }")
        known_layout = QHBoxLayout(self.known_frame)
        self.known_label = QLabel(wordWrap=True)
        self.known_button = QPushButton()
        self.known_button.clicked.connect(self._act)
        self._action: Action | None = None
        known_layout.addWidget(self.known_label, 1)
        known_layout.addWidget(self.known_button, 0, Qt.AlignmentFlag.AlignTop)
        self.known_frame.hide()
        self.message_view = QTextBrowser()
        self.message_view.setAccessibleName("Message")
        self.message_view.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        left_layout.addWidget(self.known_frame)
        left_layout.addWidget(self.message_view, 1)
        self.tabs = QTabWidget()
        self.fields_view = QTextBrowser()
        self.fields_view.setAccessibleName("Event fields")
        self.xml_view = QPlainTextEdit(readOnly=True)
        self.xml_view.setAccessibleName("Event XML")
        self.xml_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.tabs.addTab(self.fields_view, "Fields")
        self.tabs.addTab(self.xml_view, "XML")
        self.addWidget(left)
        self.addWidget(self.tabs)
        self.setSizes([620, 420])

    def clear(self) -> None:
        self.message_view.clear()
        self.xml_view.clear()
        self.fields_view.clear()
        self.known_frame.hide()

    def show_record(self, record: EventRecord, spans: list[tuple[int, int]],
                    found: Diagnosis | None) -> None:
        self.message_view.setHtml(highlighted(record.message, spans))
        self.xml_view.setPlainText(pretty_xml(record.xml) if record.xml else "(no XML for this event)")
        # all seven digits of Windows' 100 ns tick when the table kept them
        when = (format_utc(record.ticks).replace("T", " ").rstrip("Z") if record.ticks != NO_TIME
                else record.time.strftime("%Y-%m-%d %H:%M:%S.%f") if record.time else "unknown")
        fields = [("Time (UTC)", when),
                  ("Level", record.level_name), ("Provider", record.provider or "unknown"),
                  ("Event ID", "" if record.event_id is None else str(record.event_id)),
                  ("Qualifiers", "" if record.qualifiers is None else str(record.qualifiers)),
                  ("Record ID", "" if record.record_id is None else str(record.record_id)),
                  ("Computer", record.computer or ""), ("Channel", record.channel or "")]
        self.fields_view.setHtml("<table cellpadding='3'>" + "".join(
            f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in fields)
            + "</table>")
        if not found:
            self.known_frame.hide()
            return
        self.known_label.setText(f"<b>{html.escape(found.title)}</b><br>{html.escape(found.fix)}")
        self._action = found.action
        self.known_button.setVisible(found.action is not None)
        if found.action is not None:
            self.known_button.setText(action_label(found.action))
        self.known_frame.show()

    def _act(self) -> None:
        if self._action is not None:
            self.actionRequested.emit(self._action)


def highlighted(message: str, spans: list[tuple[int, int]]) -> str:
    parts, pos = [], 0
    for start, end in spans[:500]:
        parts.append(html.escape(message[pos:start]))
        parts.append(f"<span style='background:#ffe066'>{html.escape(message[start:end])}</span>")
        pos = end
    parts.append(html.escape(message[pos:]))
    return "<pre style='white-space: pre-wrap; font-family: monospace'>" + "".join(parts) + "</pre>"
