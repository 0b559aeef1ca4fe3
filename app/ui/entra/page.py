"""The Entra page of the main window: each connector's enterprise application and its provisioning
job (state, quarantine reason and since when, last cycle, errors), with Start, Pause, Restart,
Test from Entra, Push credentials, Provision on demand, Link, Sign in / out.

Every Graph call runs through app/ui/background.py; the page shows one sentence when Graph cannot
be reached, and the rest of the window keeps working. Calls: docs/entra.md §2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.entra.jobs import start_refusal
from app.entra.links import Link
from app.entra.overview import ConnectorState
from app.entra.session import EntraSession
from app.ui.background import Task, run_task
from app.ui.theme import error_colour, icon, is_dark

if TYPE_CHECKING:  # the dialogs are imported when first opened
    from app.ui.entra.dialogs import LinkDialog, PushDialog, RestartDialog, SignInDialog
    from app.ui.entra.provision_dialog import ProvisionDialog

START_TIP = "Start the job: a paused job continues, a quarantine is cleared"
COLUMNS = ("Connector", "Enterprise application", "State", "Quarantine", "Last cycle", "Errors")
Confirm = Callable[[str, str], bool]


def ask(parent: QWidget) -> Confirm:
    def confirm(title: str, text: str) -> bool:
        return QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes
                                    | QMessageBox.StandardButton.Cancel,
                                    QMessageBox.StandardButton.Cancel) == QMessageBox.StandardButton.Yes
    return confirm


def _short_time(stamp: str | None) -> str:
    """'2026-12-06T01:40:41Z' -> '2026-12-06 01:40 UTC' (Graph's times are UTC)."""
    if not stamp:
        return ""
    return stamp.replace("T", " ")[:16] + " UTC"


class EntraPage(QWidget):
    statesChanged = Signal(object)  # {connector: (state, summary, healthy)}, for the connector list

    def __init__(self, session: EntraSession, connectors: list[str], *, port: str = "8585",
                 host_token: Callable[[str], str | None] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("entraPage")
        self.session = session
        self.connectors = connectors
        self.port = port
        self.host_token = host_token
        # set by the main window: open the event log between two of Graph's UTC times
        self.show_events_between: Callable[[str, str], None] | None = None
        self.confirm: Confirm = ask(self)
        self.states: dict[str, ConnectorState] = {}
        self._done_text = ""  # what the last action did, kept in front of the refreshed state
        self.task: Task | None = None
        self._shown_once = False

        column = QVBoxLayout(self)
        top = QHBoxLayout()
        self.account_label = QLabel(self)
        self.account_label.setObjectName("entraAccount")
        top.addWidget(self.account_label, 1)
        self.sign_in_button = QPushButton("Sign in…", self)
        self.sign_out_button = QPushButton("Sign out", self)
        self.refresh_button = QPushButton(icon("reload", self), "Refresh", self)
        slot: Callable[[], object]  # the open_* slots return their dialog (for tests); Qt drops it
        for b, slot in ((self.sign_in_button, self.open_sign_in), (self.sign_out_button, self.sign_out),
                        (self.refresh_button, self.refresh)):
            b.clicked.connect(slot)
            top.addWidget(b)
        column.addLayout(top)

        self.message = QLabel(self)
        self.message.setObjectName("entraMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.message)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Connectors and their provisioning jobs in Entra")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for i in range(len(COLUMNS)):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self.open_link())
        column.addWidget(self.table, 2)
        self.details = QLabel(self)
        self.details.setObjectName("entraDetails")
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.details.setOpenExternalLinks(True)
        self.details.setFrameShape(QLabel.Shape.StyledPanel)
        self.details.setMargin(8)
        self.details.setMinimumHeight(60)
        self.table.setMinimumHeight(80)  # the page fits the main window's tab without scrolling
        column.addWidget(self.details, 1)

        actions = QHBoxLayout()
        self.link_button = QPushButton("Link…", self)
        self.start_button = QPushButton("Start", self)
        self.pause_button = QPushButton("Pause", self)
        self.restart_button = QPushButton("Restart…", self)
        self.test_button = QPushButton("Test from Entra", self)
        self.push_button = QPushButton("Push credentials…", self)
        self.provision_button = QPushButton("Provision on demand…", self)
        tips = {self.link_button: "Choose the enterprise application this connector feeds",
                self.start_button: START_TIP,
                self.pause_button: "Pause the job; its state is kept for the next start",
                self.restart_button: "Restart the job, optionally clearing some of its state",
                self.test_button: "Ask Entra to reach the host with its saved Tenant URL and token",
                self.push_button: "Send this host's Tenant URL and the connector's token to Entra",
                self.provision_button: "Run one user through the job now and see each step"}
        for b, slot in ((self.link_button, self.open_link), (self.start_button, self.start),
                        (self.pause_button, self.pause), (self.restart_button, self.open_restart),
                        (self.test_button, self.test_from_entra), (self.push_button, self.open_push),
                        (self.provision_button, self.open_provision)):
            b.setToolTip(tips[b])
            b.clicked.connect(slot)
            actions.addWidget(b)
        actions.addStretch(1)
        column.addLayout(actions)
        note = QLabel("Uses Microsoft Graph v1.0 (no beta call). The links between connectors and "
                      "enterprise applications are kept in this program's settings, not in "
                      "Configuration.xml.", self)
        note.setWordWrap(True)
        note.setEnabled(False)
        column.addWidget(note)
        self._fill()
        self._update_account()

    # -- showing ----------------------------------------------------------------------------
    def set_connectors(self, connectors: list[str]) -> None:
        """The host's connectors changed (a save, a reload): list them again."""
        self.connectors = connectors
        self._fill()

    def _update_account(self) -> None:
        s = self.session.settings.sign_in
        if self.session.account:
            text = f"Signed in as <b>{self.session.account}</b> · {self.session.graph_url}"
        elif s.tenant:
            text = f"Tenant <b>{s.tenant}</b> · {self.session.graph_url}"
        else:
            text = "Not signed in to Entra. Sign in to see each connector's provisioning job."
        self.account_label.setText(text)
        self.sign_out_button.setEnabled(bool(s.tenant or self.session.account))

    def _fill(self) -> None:
        links = self.session.links()
        names = list(dict.fromkeys([*self.connectors, *links]))
        selected = self.selected()
        self.table.setRowCount(len(names))
        for row, name in enumerate(names):
            link = links.get(name)
            state = self.states.get(name)
            cells = [name, self._application(link)] + self._state_cells(link, state)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, name)
                if col == 2 and state is not None:
                    item.setIcon(icon("ok" if state.healthy else "warning" if state.problem else "error", self))
                    if not state.healthy and not state.problem:
                        item.setForeground(QColor(error_colour(self)))
                if col >= 2 and state is not None:
                    item.setToolTip(state.summary())
                self.table.setItem(row, col, item)
            if name == selected or (selected is None and row == 0):
                self.table.selectRow(row)  # a row is always chosen: its details show, Link… works
        self.table.resizeRowsToContents()
        self._update_buttons()

    @staticmethod
    def _application(link: Link | None) -> str:
        if link is None:
            return "not linked"
        return link.display_name or link.service_principal

    @staticmethod
    def _state_cells(link: Link | None, state: ConnectorState | None) -> list[str]:
        if link is None:
            return ["", "", "", ""]
        if state is None:
            return ["not read yet", "", "", ""]
        if state.problem:
            return ["could not be read", "", "", ""]
        if not state.jobs:
            return ["no job", "", "", ""]
        job = state.jobs[0]
        words = {"Active": "Active", "Paused": "Paused", "Quarantine": "Quarantine",
                 "NotRun": "Not run yet", "NotConfigured": "Not configured"}
        quarantine = ""
        if job.in_quarantine:
            quarantine = f"since {_short_time(job.quarantine_since)}: {job.quarantine_reason or 'reason not given'}"
        last = f"{job.last_state} · {_short_time(job.last_ended)}" if job.last_state else "never ran"
        errors = []
        if job.escrowed:
            errors.append(f"{job.escrowed} object error(s)")
        if job.consecutive_failures:
            errors.append(f"{job.consecutive_failures} failed cycle(s) in a row")
        return [words.get(job.state, job.state), quarantine, last, ", ".join(errors) or "none"]

    def selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _show_details(self, name: str | None) -> None:
        from app.ui.entra.details import details_html

        links = self.session.links()
        self.details.setText(details_html(name, links.get(name) if name else None,
                                          self.states.get(name) if name else None, error_colour(self)))

    def _update_buttons(self) -> None:
        name = self.selected()
        self._show_details(name)
        linked = name is not None and name in self.session.links()
        busy = self.task is not None and self.task.running
        self.link_button.setEnabled(name is not None and not busy)
        for b in (self.start_button, self.pause_button, self.restart_button, self.test_button,
                  self.push_button, self.provision_button):
            b.setEnabled(linked and not busy)
        # Start only for a paused or quarantined job (Graph's start page); the tooltip says why not.
        state = self.states.get(name) if name else None
        refusal = start_refusal(state.jobs[0]) if state and state.jobs and not state.problem else None
        if refusal:
            self.start_button.setEnabled(False)
        self.start_button.setToolTip(refusal[0].upper() + refusal[1:] if refusal else START_TIP)
        self.refresh_button.setEnabled(not busy and bool(self.session.links()))

    def say(self, text: str, kind: str = "info") -> None:
        colour = {"error": error_colour(self), "ok": None if is_dark(self) else "#1e6b34"}.get(kind)
        self.message.setStyleSheet(f"color: {colour};" if colour else "")
        self.message.setText(text)

    # -- background work --------------------------------------------------------------------
    def run(self, name: str, work: Callable[[], object], done: Callable[[object], None]) -> Task:
        """Run `work` off the GUI thread; one sentence on failure."""
        self.say(f"{name}…")

        def finished(result: object) -> None:
            self.task = None
            self._update_buttons()
            done(result)

        def failed(sentence: str) -> None:
            self.task = None
            self._update_buttons()
            self.say(sentence, "error")

        self.task = run_task(self, lambda _p, _c: work(), name=name, finished=finished, failed=failed)
        self._update_buttons()
        return self.task

    def refresh(self) -> None:
        if not self.session.links():
            self.say("No connector is linked yet: select one and press Link….")
            return
        self.run("Reading the provisioning jobs", self.session.gather, self._show_states)

    def _show_states(self, states: object) -> None:
        assert isinstance(states, list)
        self.states = {s.connector: s for s in states}
        self._fill()
        unknown = [s for s in states if s.problem]
        bad = [s for s in states if not s.healthy and not s.problem]
        done, self._done_text = self._done_text, ""
        if unknown:
            self.say(done + (unknown[0].problem or ""), "error")
        elif bad:
            names = ", ".join(s.connector for s in bad)
            self.say(f"{done}Needs attention: {names}. Select a connector to see what Entra reports.", "error")
        else:
            self.say(f"{done}Every linked connector's provisioning is healthy.", "ok")
        self.statesChanged.emit({s.connector: (self._state_cells(s.link, s)[0], s.summary(), s.healthy)
                                 for s in states})

    def _after_action(self, message: object) -> None:
        self.say(str(message), "ok")
        self._done_text = f"{message} "
        self.refresh()

    def start(self) -> None:
        name = self.selected()
        if name:
            self.run("Starting", lambda: self.session.start(name), self._after_action)

    def pause(self) -> None:
        name = self.selected()
        if name and self.confirm("Pause provisioning", f"Pause the provisioning of '{name}'? Entra "
                                 "stops sending changes until you start it again."):
            self.run("Pausing", lambda: self.session.pause(name), self._after_action)

    def test_from_entra(self) -> None:
        name = self.selected()
        if name:
            self.run("Asking Entra to reach the host", lambda: self.session.test_from_entra(name),
                     lambda result: self.say(result[1], "ok" if result[0] else "error"))  # type: ignore[index]

    def restart_with(self, name: str, scope: str, confirmed_dangerous: bool) -> Task:
        return self.run("Restarting", lambda: self.session.restart(name, scope,
                                                                   confirmed_dangerous=confirmed_dangerous),
                        self._after_action)

    def sign_out(self) -> None:
        removed = self.session.sign_out()
        self.states = {}
        self._fill()
        self._update_account()
        self.say("Signed out: the sign-in was removed from the keyring." if removed else "Not signed in.")

    def signed_in(self, who: object) -> None:
        self._update_account()
        self.say(f"Signed in as {who}.", "ok")
        if self.session.links():
            self.refresh()

    # -- dialogs (app/ui/entra/dialogs.py) ---------------------------------------------------
    def open_restart(self) -> RestartDialog | None:
        from app.ui.entra.dialogs import RestartDialog

        name = self.selected()
        return RestartDialog.ask(self, name) if name else None

    def open_link(self) -> LinkDialog | None:
        from app.ui.entra.dialogs import LinkDialog

        name = self.selected()
        return LinkDialog.open_for(self, name) if name else None

    def open_push(self) -> PushDialog | None:
        from app.ui.entra.dialogs import PushDialog

        name = self.selected()
        return PushDialog.open_for(self, name) if name else None

    def open_provision(self) -> ProvisionDialog | None:
        from app.ui.entra.provision_dialog import ProvisionDialog

        name = self.selected()
        return ProvisionDialog.open_for(self, name) if name else None

    def open_sign_in(self) -> SignInDialog:
        from app.ui.entra.dialogs import SignInDialog

        return SignInDialog.open_for(self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if self.session.settings.sign_in.tenant and self.session.links():
                self.refresh()
