"""What happens to a typed secret, in one sentence, and, when this machine cannot encrypt secrets
for the host, the choice: leave them for the host (the default) or save them as typed. The decision
itself lives in app/wizard/secret_choice.py; this box only shows it and records the choice."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QVBoxLayout, QWidget

from app.wizard.secret_choice import LEAVE_FOR_HOST, STORE_AS_TYPED
from app.wizard.session import WizardSession


class SecretChoiceBox(QWidget):
    changed = Signal()

    def __init__(self, session: WizardSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setAccessibleName("What happens to secrets you type")
        lay.addWidget(self.sentence)
        self.leave = QRadioButton("&Leave typed secrets for the host (enter them there after saving)")
        self.store = QRadioButton("Save typed secrets as t&yped, in plain text (the host may not read them)")
        self.group = QButtonGroup(self)
        for button in (self.leave, self.store):
            self.group.addButton(button)
            lay.addWidget(button)
        choice = session.secrets
        (self.store if choice.choice == STORE_AS_TYPED else self.leave).setChecked(True)
        for button in (self.leave, self.store):
            button.setVisible(not choice.can_encrypt)
        self.store.toggled.connect(self._chosen)
        self._show()

    def _chosen(self, store: bool) -> None:
        self.session.secrets.choice = STORE_AS_TYPED if store else LEAVE_FOR_HOST
        self._show()
        self.changed.emit()

    def _show(self) -> None:
        self.sentence.setText(self.session.secrets.sentence())
