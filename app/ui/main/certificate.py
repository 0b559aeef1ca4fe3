"""The main window's certificate and service glue: the Regenerate dialog writing the thumbprint
through the window's own store (the window holds the edit lock), and the restart offer after a save."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.config.document import ConfigDocument
from app.config.store import SaveResult
from app.errors import UserError
from app.paths import data_dir
from app.ui.background import run_task
from app.ui.main import areas
from app.ui.main.actions import UNREADABLE

if TYPE_CHECKING:
    from app.certs.status import CertificateStatus
    from app.ui.background import Cancelled, Progress
    from app.ui.certs.dialog import CertificateDialog
    from app.ui.main_window import CertificateLookup, MainWindow

RESTART_ON_HOST = ("Restart the Microsoft ECMA2Host service on the host to apply it "
                   "(a restart also runs a full import).")


class DocumentThumbprint:
    """<Setting><Certificate>, written through the window's store from the plan's worker thread.
    No Qt here: the window adopts `result` on the GUI thread when the dialog finishes."""

    def __init__(self, window: MainWindow, document: ConfigDocument) -> None:
        self.store = window.store
        self.document = document
        self.description = str(window.store.path)
        self.result: SaveResult | None = None

    def read(self) -> str | None:
        return self.document.setting.certificate if self.document.root.find("Setting") is not None else None

    def write(self, thumbprint: str) -> None:
        copy = ConfigDocument.from_bytes(self.document.to_bytes(), str(self.store.path))
        copy.path = self.store.path
        copy.setting.certificate = thumbprint
        self.result = self.store.save(copy)
        self.document = self.result.document


def open_certificate_dialog(window: MainWindow) -> CertificateDialog | None:
    if window.read_only:
        QMessageBox.information(window, "Regenerate certificate",
                                "This file is open read-only: regenerate the certificate from the "
                                "window that holds it.")
        return None
    dialog_class = areas.certificate_dialog()
    from app.certs.regenerate import plan_factory
    from app.certs.store import default_store
    from app.secrets import SecretStore

    if not window.save_pending_first("regenerating the certificate"):
        return None
    document = window.document  # checked after the question: its "Discard" reloads, and that may fail
    if document is None:
        QMessageBox.information(window, "Regenerate certificate", UNREADABLE.format(window.store.path.name))
        return None
    target = DocumentThumbprint(window, document)
    secrets = SecretStore()
    port_text = document.setting.port if document.root.find("Setting") is not None else ""
    prepare = plan_factory(out_dir=areas.certificates_folder(data_dir()), store=default_store(window.host.root),
                           secrets=secrets, target=target,
                           port=int(port_text) if port_text.strip().isdigit() else None)
    service = window.service_control()
    restart = service.restart_sentence if service is not None and service.available() else None
    from app.ui.entra import after_certificate_change

    dialog = dialog_class(prepare, host_names=areas.host_names(),
                          keyring_reason=None if secrets.available() else secrets.unavailable_reason,
                          restart=restart, entra_check=after_certificate_change(window), parent=window)

    def finished(_ok: bool) -> None:
        if target.result is not None:
            window.adopt(target.result, "Certificate thumbprint saved")
        window.refresh_certificate()

    dialog.runFinished.connect(finished)
    dialog.setModal(True)
    dialog.show()
    window.certificate_dialog = dialog
    return dialog


def offer_restart(window: MainWindow) -> None:
    """After a successful save: restart now (Windows host), else say it is done on the host."""
    service = window.service_control()
    current = window.statusBar().currentMessage()
    if service is None or not service.available():
        window.statusBar().showMessage(f"{current} {RESTART_ON_HOST}".strip(), 20000)
        return
    answer = QMessageBox.question(window, "Restart the service?",
                                  "Saved. Restart the Microsoft ECMA2Host service now to run a full "
                                  "import? The connectors are unavailable for a moment.")
    if answer != QMessageBox.StandardButton.Yes:
        return
    window.statusBar().showMessage("Restarting the Microsoft ECMA2Host service…")

    def failed(text: str) -> None:
        window.statusBar().showMessage(text, 20000)
        QMessageBox.warning(window, "Restart failed", text)

    window.restart_task = run_task(window, lambda _p, _c: service.restart_sentence(),
                                   name="The service restart", failed=failed,
                                   finished=lambda text: window.statusBar().showMessage(text, 20000))


def look_up_certificate(window: MainWindow, gather: CertificateLookup) -> None:
    """The configured certificate's status, gathered off the GUI thread (it asks the machine's
    store and the port), then shown on the Settings tab and in the expiry banner."""
    doc = window.document
    setting = doc.setting if doc is not None and doc.root.find("Setting") is not None else None
    configured = setting.certificate if setting is not None else None
    port_text = setting.port if setting is not None else ""
    port = int(port_text) if port_text.strip().isdigit() else None

    def work(_progress: Progress, _cancelled: Cancelled) -> CertificateStatus | None:
        try:
            return gather(configured, port)
        except UserError:
            return None  # the Settings tab then says in one sentence why it is unknown

    run_task(window, work, name="The certificate lookup", finished=lambda status: show_certificate(window, status),
             failed=lambda _sentence: show_certificate(window, None))


def show_certificate(window: MainWindow, status: CertificateStatus | None) -> None:
    window.certificate_status = status
    window.settings_tab.set_certificate_status(status)
    if status is not None:
        if window.expiry_banner is None:
            banner = areas.expiry_banner()(window.centralWidget())
            banner.regenerateRequested.connect(window.regenerate_certificate)
            window.column.insertWidget(0, banner)
            window.expiry_banner = banner
        window.expiry_banner.set_certificate(status.certificate or status.served)
