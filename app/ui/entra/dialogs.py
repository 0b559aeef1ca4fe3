"""The Entra page's dialogs: restart (a reset scope needs a second confirmation, a dangerous one
says Microsoft's warning), link a connector, push credentials (the token is never shown), sign in.
Graph calls run off the GUI thread through the page's `run`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.entra.jobs import DANGEROUS_SCOPES, RESET_SCOPES, danger_words
from app.entra.links import Candidate, Link
from app.ui.background import run_task
from app.ui.theme import error_colour

if TYPE_CHECKING:
    from app.ui.entra.page import EntraPage

SCOPE_HELP = {
    "Escrows": "forget the objects that failed; they are no longer retried",
    "Watermark": "look at every user again, not only the changes",
    "QuarantineState": "lift the quarantine for now (after fixing its cause)",
    "ForceDeletes": "carry out the deletions held back by the accidental-deletion threshold",
    "Full": "all of them at once, ConnectorDataStore included: breaks the links to the host's objects",
    "None": "Microsoft: do not use; use Start instead",
    "ConnectorDataStore": "Microsoft: do not use; clears the provisioning cache of every user "
                          "(only with Microsoft Support's guidance)",
}


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class RestartDialog(QDialog):
    """First confirmation with the scope choices; `second_confirmation()` asks again when a reset
    scope is chosen."""

    def __init__(self, page: EntraPage, connector: str) -> None:
        super().__init__(page)
        self.setWindowTitle(f"Restart the provisioning of '{connector}'")
        self.page, self.connector = page, connector
        column = QVBoxLayout(self)
        intro = QLabel("Restart makes Entra start the job over. With no box ticked it does what the Entra "
                       "admin center's <b>Restart provisioning</b> does (the usual choice after fixing "
                       "a certificate or a token). Tick a box only to clear more state:", self)
        intro.setWordWrap(True)
        column.addWidget(intro)
        self.boxes: dict[str, QCheckBox] = {}
        for scope in RESET_SCOPES:
            box = QCheckBox(f"{scope}: {SCOPE_HELP[scope]}", self)
            if scope in DANGEROUS_SCOPES:
                box.setStyleSheet(f"color: {error_colour(self)};")
            self.boxes[scope] = box
            column.addWidget(box)
        column.addWidget(_buttons(self, "Restart"))

    def scope(self) -> str:
        return ", ".join(s for s, b in self.boxes.items() if b.isChecked())

    def second_confirmation(self) -> tuple[bool, bool]:
        """(go ahead, dangerous confirmed)."""
        scope = self.scope()
        if not scope:
            return True, False
        dangerous = [s for s in DANGEROUS_SCOPES if self.boxes[s].isChecked()]
        if dangerous:
            ok = self.page.confirm("Confirm a dangerous reset", f"Reset scope {', '.join(dangerous)}: "
                                   f"{danger_words(dangerous)}. Restart '{self.connector}' with reset scope "
                                   f"{scope} anyway?")
            return ok, ok
        return self.page.confirm("Clear the job's state", f"Restart '{self.connector}' and clear: {scope}? "
                                 "This cannot be undone."), False

    @classmethod
    def ask(cls, page: EntraPage, connector: str) -> RestartDialog:
        dialog = cls(page, connector)
        dialog.accepted.connect(lambda: dialog.go())
        dialog.open()
        return dialog

    def go(self) -> None:
        ok, dangerous = self.second_confirmation()
        if ok:
            self.page.restart_with(self.connector, self.scope(), dangerous)


class LinkDialog(QDialog):
    """Search service principals; the one whose Tenant URL names the connector is chosen for you."""

    def __init__(self, page: EntraPage, connector: str) -> None:
        super().__init__(page)
        self.setWindowTitle(f"Link '{connector}' to its enterprise application")
        self.setMinimumWidth(640)
        self.page, self.connector = page, connector
        column = QVBoxLayout(self)
        row = QHBoxLayout()
        self.search = QLineEdit(connector, self)
        self.search.setPlaceholderText("display name or application id")
        self.search_button = QPushButton("Search", self)
        self.search_button.clicked.connect(self.search_now)
        row.addWidget(QLabel("Search:", self))
        row.addWidget(self.search, 1)
        row.addWidget(self.search_button)
        column.addLayout(row)
        self.results = QListWidget(self)
        column.addWidget(self.results, 1)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        column.addWidget(self.status)
        self.unlink_box = QCheckBox("Forget the current link", self)
        self.unlink_box.setVisible(connector in page.session.links())
        column.addWidget(self.unlink_box)
        column.addWidget(_buttons(self, "Link"))

    @classmethod
    def open_for(cls, page: EntraPage, connector: str) -> LinkDialog:
        dialog = cls(page, connector)
        dialog.open()
        if page.session.settings.sign_in.tenant or page.session._client is not None:
            dialog.search_now()
        return dialog

    def search_now(self) -> None:
        self.status.setText("Searching Entra…")
        self.search_button.setEnabled(False)
        text = self.search.text()
        run_task(self, lambda _p, _c: self.page.session.find(self.connector, text), name="The search",
                 finished=self.show_candidates, failed=self._failed)

    def _failed(self, sentence: str) -> None:
        self.search_button.setEnabled(True)
        self.status.setText(sentence)

    def show_candidates(self, answer: object) -> None:
        self.search_button.setEnabled(True)
        assert isinstance(answer, tuple)
        link: Link | None = answer[0]
        candidates: list[Candidate] = answer[1]
        self.results.clear()
        for c in candidates:
            item = QListWidgetItem(f"{c.display_name}   ({c.id})\n    Tenant URL: {c.tenant_url or 'not readable'}")
            item.setData(256, c)
            self.results.addItem(item)
            if link is not None and c.id == link.service_principal:
                self.results.setCurrentItem(item)
        unread = any(c.tenant_url is None for c in candidates)
        self.status.setText(
            (f"Found by its Tenant URL: {link.display_name}." if link else
             "No single application's Tenant URL names this connector: pick one." if candidates else
             "Nothing found: search for the application's display name or application id.")
            + (" (Reading an application's Tenant URL uses a Graph call Microsoft does not document; "
               "where Entra refuses it, the URL shows as not readable.)" if unread else ""))

    def accept(self) -> None:
        if self.unlink_box.isChecked():
            self.page.session.unlink(self.connector)
        else:
            item = self.results.currentItem()
            if item is None:
                self.status.setText("Pick an application first.")
                return
            c: Candidate = item.data(256)
            how = "tenant-url" if c.tenant_url and c.tenant_url.rstrip("/").endswith(f"ecma2host_{self.connector}/scim") \
                else "search"
            self.page.session.link(self.connector, Link(c.id, c.display_name, how=how))
        self.page._fill()
        self.page.refresh()
        super().accept()


class PushDialog(QDialog):
    """Host name, port and the token (read from the host where this machine can, else typed)."""

    def __init__(self, page: EntraPage, connector: str) -> None:
        super().__init__(page)
        self.setWindowTitle(f"Push the credentials of '{connector}' to Entra")
        self.setMinimumWidth(560)
        self.page, self.connector = page, connector
        from app.host.machine import local_host_names

        form = QFormLayout(self)
        self.host = QLineEdit(local_host_names()[-1], self)
        self.port = QLineEdit(page.port, self)
        self.url = QLabel(self)
        form.addRow("Host name:", self.host)
        form.addRow("Port:", self.port)
        form.addRow("Tenant URL:", self.url)
        self.from_host = QRadioButton("The token in this host's Configuration.xml", self)
        self.typed = QRadioButton("This token:", self)
        self.token = QLineEdit(self)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        readable = bool(page.host_token and page.host_token(connector))
        self.from_host.setEnabled(readable)
        (self.from_host if readable else self.typed).setChecked(True)
        if not readable:
            self.from_host.setText("The token in this host's Configuration.xml (not readable on this machine)")
        form.addRow(self.from_host)
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.typed)
        line.addWidget(self.token, 1)
        form.addRow(row)
        note = QLabel("As Microsoft's own procedure does: the application's provisioning secrets are read "
                      "first, the Tenant URL (BaseAddress) and token (SecretToken) are changed, and the whole "
                      "set is written back, so its other settings (notification e-mail, deletion threshold) "
                      "stay. The token goes to Microsoft Graph only and is shown nowhere.", self)
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(_buttons(self, "Push to Entra"))
        for edit in (self.host, self.port):
            edit.textChanged.connect(self._update_url)
        self._update_url()

    def _update_url(self) -> None:
        self.url.setText(f"https://{self.host.text().strip()}:{self.port.text().strip()}/ecma2host_{self.connector}/scim")

    @classmethod
    def open_for(cls, page: EntraPage, connector: str) -> PushDialog:
        dialog = cls(page, connector)
        dialog.open()
        return dialog

    def accept(self) -> None:
        token = (self.page.host_token(self.connector) if self.from_host.isChecked() and self.page.host_token
                 else self.token.text().strip()) or ""
        if not token:
            self.token.setFocus()
            return
        host, port, name = self.host.text().strip(), self.port.text().strip(), self.connector
        self.token.clear()
        self.page.run("Pushing the credentials", lambda: self.page.session.push_credentials(name, token, host, port),
                      self.page._after_action)
        super().accept()


class SignInDialog(QDialog):
    """Tenant and client id (kept for next time), browser or device code; the sign-in runs in the
    background and a device code is shown here."""

    def __init__(self, page: EntraPage) -> None:
        super().__init__(page)
        self.setWindowTitle("Sign in to Entra")
        self.setMinimumWidth(560)
        self.page = page
        s = page.session.settings.sign_in
        form = QFormLayout(self)
        self.tenant = QLineEdit(s.tenant, self)
        self.tenant.setPlaceholderText("contoso.onmicrosoft.com or the tenant id")
        self.client_id = QLineEdit(s.client_id, self)
        self.client_id.setPlaceholderText("the application (client) id of your app registration")
        self.device_code = QCheckBox("Use a device code (a machine without a browser)", self)
        form.addRow("Tenant:", self.tenant)
        form.addRow("Client id:", self.client_id)
        form.addRow(self.device_code)
        self.status = QLabel("The client id is that of your own app registration (a public client; "
                             "the README says how to make one). Permissions asked for: "
                             "Synchronization.ReadWrite.All, Application.Read.All, User.ReadBasic.All. The "
                             "sign-in is kept in "
                             "the keyring, never in a file.", self)
        self.status.setWordWrap(True)
        form.addRow(self.status)
        self.box = _buttons(self, "Sign in")
        form.addRow(self.box)

    @classmethod
    def open_for(cls, page: EntraPage) -> SignInDialog:
        dialog = cls(page)
        dialog.open()
        return dialog

    def accept(self) -> None:
        tenant, client, device = self.tenant.text(), self.client_id.text(), self.device_code.isChecked()
        self.box.setEnabled(False)
        self.status.setText("Signing in… (finish in the browser, or with the device code shown here)")
        run_task(self, lambda progress, _c: self.page.session.sign_in(tenant, client, device_code=device,
                                                                      show=progress),
                 name="The sign-in", progress=lambda text: self.status.setText(str(text)),
                 finished=self._done, failed=self._failed)

    def _done(self, who: object) -> None:
        self.page.signed_in(who)
        super().accept()

    def _failed(self, sentence: str) -> None:
        self.box.setEnabled(True)
        self.status.setText(sentence)
