"""The main window: one Configuration.xml, its connectors, the host's settings, the Problems panel,
and the other areas as tabs. It owns the `ConfigStore` and the current `ConfigDocument`; every
write goes through the store, and after a save the window continues with `result.document`.

The connector actions live in `main/actions.py`, the parts in `main/`; this module wires them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, assert_never, cast

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.config.document import ConfigDocument
from app.config.document_store import DocumentStore
from app.config.rules import Finding, validate
from app.config.store import SaveResult
from app.errors import SaveRefused, UserError
from app.filestore import host_name
from app.host.layout import HostLayout
from app.ui.launch import after_first_paint
from app.ui.main import areas
from app.ui.main.actions import ConnectorActions, ConnectorsTab
from app.ui.main.disk_watch import DiskWatch
from app.ui.main.elevation_bar import elevation_bar
from app.ui.main.lazy_tabs import LazyTabs
from app.ui.main.menus import build_menus
from app.ui.main.message_bar import MessageBar
from app.ui.main.problems_panel import ProblemsPanel, summary_text
from app.ui.main.settings_tab import SettingsTab
from app.ui.theme import icon
from app.wizard.page_keys import PageKey

if TYPE_CHECKING:  # the areas are imported when first used (app/ui/main/areas.py)
    from app.certs.status import CertificateStatus
    from app.events.knowledge import Action
    from app.host.service import ServiceControl
    from app.ui.background import Task
    from app.ui.certs.banner import ExpiryBanner
    from app.ui.certs.dialog import CertificateDialog
    from app.ui.events.viewer import EventViewer
    from app.ui.journal.dialog import JournalDialog
    from app.ui.main.backups_dialog import BackupsDialog
    from app.ui.main.deploy_dialog import DeployDllDialog
    from app.ui.migrate.import_dialog import MimImportDialog
    from app.ui.report.actions import CreateReportDialog
    from app.ui.wizard.connector_wizard import ConnectorWizard

APP_TITLE = "ECMA Host Wizard"
# (configured thumbprint, port) -> the certificate's status; slow, so called off the GUI thread
CertificateLookup = Callable[[str | None, int | None], "CertificateStatus"]


class MainWindow(QMainWindow):
    documentChanged = Signal()
    # The last of each window the connector actions opened (app/ui/main/actions.py, transfer.py):
    # held here so it lives while shown, and so tests can reach it.
    wizard: ConnectorWizard
    deploy_dialog: DeployDllDialog
    mim_dialog: MimImportDialog
    certificate_dialog: CertificateDialog  # app/ui/main/certificate.py, like the restart below
    restart_task: Task
    report_dialog: CreateReportDialog  # app/ui/report/actions.py

    def __init__(self, layout: HostLayout, *, store: DocumentStore | None = None,
                 certificate_status: CertificateLookup | None = areas.certificate_status,
                 service: ServiceControl | None = None,
                 needs_elevation: bool | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = layout
        self.store: DocumentStore = store or layout.config_store()
        self.document: ConfigDocument | None = None
        self.findings: list[Finding] = []
        self.read_only = False
        if certificate_status is areas.certificate_status:  # the real lookup: this machine only
            certificate_status = functools.partial(areas.certificate_status, host_root=layout.root)
        self._certificate_status: CertificateLookup | None = certificate_status
        self._service = service
        self.setObjectName("mainWindow")
        self.resize(1100, 720)

        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(8, 8, 8, 0)
        self.column = column  # the bars above the tabs (expiry banner, elevation) go in here
        # Made when the first certificate status arrives (off the GUI thread, after the first paint):
        # the certificate modules are not needed to show the connector list.
        self.expiry_banner: ExpiryBanner | None = None  # made on first use
        self.certificate_status: CertificateStatus | None = None  # the last one looked up
        self.lock_bar = MessageBar("lockBar", central)
        self.disk_bar = MessageBar("diskBar", central)
        self.elevation_bar = elevation_bar(self, central, needed=needs_elevation)
        column.addWidget(self.elevation_bar)
        column.addWidget(self.lock_bar)
        column.addWidget(self.disk_bar)

        self.tabs = QTabWidget(central)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.connectors_tab = ConnectorsTab(self.tabs)
        self.connector_actions = ConnectorActions(self)
        self.connectors_tab.attach(self.connector_actions)
        self.tabs.addTab(self.connectors_tab, "&Connectors")
        # this machine's short name now; its full name (a DNS lookup on some networks) after the
        # first paint, for the Tenant URLs a CA certificate needs
        self.settings_tab = SettingsTab(layout, host_name().split(".")[0], self.tabs)
        self._short_host_name = self.settings_tab.host_name
        self.settings_tab.portEdited.connect(self._port_edited)
        self.settings_tab.regenerateRequested.connect(self.regenerate_certificate)
        self.settings_tab.refreshCertificateRequested.connect(self.refresh_certificate)
        self.tabs.addTab(self.settings_tab, "&Settings")
        # After the first paint: the certificate lookup (its thread imports the certificate
        # modules, which would compete with the first paint), then the hidden tabs
        self._first_paint_done = False
        after_first_paint(self, self._after_first_paint)
        # Built when first shown, or just after the window's first paint: the first screen is the
        # connector list, and these two cost more than the rest of the window together.
        self.lazy_tabs = LazyTabs(self.tabs)
        self._event_log_tab = self.lazy_tabs.add("E&vent log", self._build_event_viewer)
        self._diagnostics_tab = self.lazy_tabs.add("&Diagnostics", self._build_diagnostics)
        self._entra_tab = self.lazy_tabs.add("&Entra", lambda: areas.entra_page()(self))
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.problems = ProblemsPanel(self)
        self.problems.findingActivated.connect(self.open_finding)
        self.problems_dock = QDockWidget("Problems", self)
        self.problems_dock.setObjectName("problemsDock")
        self.problems_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                       | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.problems_dock.setWidget(self.problems)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)

        self._build_menus()
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)

        # An external change (Microsoft's wizard, an editor) is noticed, never overwritten.
        self._refresh_soon = QTimer(self, singleShot=True, interval=150)
        self._refresh_soon.timeout.connect(self.refresh)
        self.disk_watch = DiskWatch(self.store, self)
        self.disk_watch.changed.connect(self.check_disk)

        self._take_lock()
        self.load()

    # -- building ----------------------------------------------------------------------------
    def _after_first_paint(self) -> None:
        if self._first_paint_done:
            return
        self._first_paint_done = True
        if self.settings_tab.host_name == self._short_host_name:  # not set otherwise (a report)
            self.settings_tab.host_name = areas.host_names()[-1]
            self.settings_tab.set_document(self.document, self.findings)
        self.refresh_certificate()
        QTimer.singleShot(50, self, self._build_hidden_pages)  # dropped if the window goes first

    def _build_hidden_pages(self) -> None:
        self.lazy_tabs.build_all()
        self.settings_tab.build()

    # (cast: each is a LazyTabs tab, so page() builds it if need be and returns what its builder
    # below returned; the Entra tab holds a QLabel instead when its settings cannot be read)
    @property
    def event_viewer(self) -> EventViewer:
        return cast("EventViewer", self.lazy_tabs.page(self._event_log_tab))

    @property
    def diagnostics(self) -> QWidget:  # a report's window shows its doctor results alone
        return cast(QWidget, self.lazy_tabs.page(self._diagnostics_tab))

    @property
    def entra(self) -> QWidget:
        return cast(QWidget, self.lazy_tabs.page(self._entra_tab))

    def _build_event_viewer(self) -> EventViewer:
        viewer = areas.event_viewer()(self.tabs)
        viewer.actionRequested.connect(self.handle_event_action)
        source = areas.event_source_for(self.host)
        if source is not None:
            try:
                viewer.open_source(source)
            except UserError as exc:
                self.statusBar().showMessage(f"The event log was not opened: {exc.sentence()}")
        return viewer

    def _build_diagnostics(self) -> QWidget:
        return areas.diagnostics_page()(self.host)

    def _action(self, text: str, slot: Callable[..., object],
                shortcut: QKeySequence.StandardKey | str | None = None, icon_name: str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name, self))
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        self.save_action, self.revert_action, self.backups_action = build_menus(self)

    def focus_problems(self) -> None:
        self.problems_dock.show()
        self.problems.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.problems.view.currentIndex().isValid() and self.problems.proxy.rowCount():
            self.problems.view.setCurrentIndex(self.problems.proxy.index(0, 0))

    def about(self) -> None:
        # on use, here and below: QMessageBox's type (~3 ms) is not needed for the first window
        from PySide6.QtWidgets import QMessageBox

        from app import __version__

        QMessageBox.about(self, f"About {APP_TITLE}",
                          f"<b>{APP_TITLE}</b> {__version__}<br>Configures Microsoft's ECMA Connector "
                          "Host (ECMA2Host) safely: every save is backed up and checked.<br><br>"
                          f"Editing: {_html(str(self.store.path))}")

    # -- the file ------------------------------------------------------------------------------
    def _take_lock(self) -> None:
        try:
            self.store.lock.acquire()
            self.read_only = False
            self.lock_bar.hide()
        except SaveRefused as exc:
            self.read_only = True
            self.lock_bar.show_message(
                "warning", f"<b>Read-only:</b> {_html(self.store.path.name)} {_html(exc.message)}. "
                "You can look, validate and export here; saving is off until that editor closes.",
                [("Try again", self.retry_lock)])

    def retry_lock(self) -> None:
        self._take_lock()
        self._update_state()

    def load(self) -> None:
        """Read the file from disk (on open, Revert and Reload)."""
        try:
            self.document = self.store.load()
        except UserError as exc:
            self.document = None
            self.disk_bar.show_message("error", f"<b>This file cannot be read.</b> {_html(exc.sentence())}",
                                       [("Reload", self.load), ("Backups…", self.show_backups)])
        else:
            self.disk_bar.hide()
        self.refresh()
        if self._first_paint_done:  # the first lookup waits for the first paint (showEvent)
            self.refresh_certificate()

    def adopt(self, result: SaveResult, message: str = "Saved") -> None:
        """After any save: continue with the saved document and say what happened."""
        from PySide6.QtWidgets import QMessageBox

        self.document = result.document
        self.disk_bar.hide()
        self.refresh()
        backup = (f" at {result.backup.taken.astimezone():%H:%M:%S}; the previous version is in "
                  "File › Backups…") if result.backup else ""
        self.statusBar().showMessage(f"{message}{backup}.", 15000)
        for warning in result.warnings:
            QMessageBox.warning(self, "Saved, with a warning", warning)
        self.disk_watch.watch()

    def refresh(self) -> None:
        self.findings = validate(self.document) if self.document is not None else []
        self.connector_actions.model.set_document(self.document, self.findings)
        self.settings_tab.set_document(self.document, self.findings)
        self.problems.set_findings(self.findings)
        self._update_state()
        self.documentChanged.emit()

    def is_unsaved(self) -> bool:
        self.flush_edits()
        doc = self.document
        # An edit set back to its old value leaves the text unchanged: no marker for that.
        return bool(doc is not None and doc.modified and doc.to_bytes() != doc.xml.original)

    def _update_state(self) -> None:
        unsaved = self.is_unsaved()
        where = "the sample host" if self.host.is_sample else str(self.store.path)
        self.setWindowTitle(f"{self.store.path.name}[*] — {where}"
                            f"{' (read-only)' if self.read_only else ''} — {APP_TITLE}")
        self.setWindowModified(unsaved)
        self.save_action.setEnabled(unsaved and not self.read_only)
        self.revert_action.setEnabled(unsaved)
        self.settings_tab.set_read_only(self.read_only or self.document is None)
        self.connector_actions.update_enabled()
        self.status_label.setText(f"{len(self.document.connectors) if self.document else 0} connector(s)"
                                  f" · {summary_text(self.findings)}")

    def flush_edits(self) -> None:
        """Apply a pending revalidation now (before Save, Close, a question about changes)."""
        if self._refresh_soon.isActive():
            self._refresh_soon.stop()
            self.refresh()

    def save(self) -> bool:
        from PySide6.QtWidgets import QMessageBox

        if self.read_only or self.document is None:
            return False
        try:
            result = self.store.save(self.document)
        except UserError as exc:
            QMessageBox.warning(self, "Not saved", exc.sentence())
            self.check_disk()
            return False
        self.adopt(result)
        self.offer_restart()
        return True

    def revert(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        if self.is_unsaved() and QMessageBox.question(
                self, "Revert", "Throw away your unsaved changes and read the file again?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel) != QMessageBox.StandardButton.Yes:
            return
        self.load()

    def save_pending_first(self, what: str) -> bool:
        """Before a step that saves on its own (wizard, certificate): settle unsaved edits."""
        from PySide6.QtWidgets import QMessageBox

        if not self.is_unsaved():
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", f"You have unsaved changes. Save them before {what}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.load()
            return True
        return False

    def _port_edited(self, text: str) -> None:
        if self.document is None or self.read_only:
            return
        self.document.setting.port = text
        # Save is usable at once; the revalidation (costly on a large host) waits for a pause.
        self.setWindowModified(True)
        self.save_action.setEnabled(True)
        self.revert_action.setEnabled(True)
        self._refresh_soon.start()

    # -- the file changing under us ----------------------------------------------------------
    def check_disk(self) -> bool:
        """True when the file on disk is no longer what we loaded; then offer Reload."""
        if not self.disk_watch.check() or self.document is None:
            return False
        lost = " Reloading throws away your unsaved changes." if self.is_unsaved() else ""
        gone = not self.store.path.exists()
        self.disk_bar.show_message(
            "warning", (f"<b>{self.store.path.name} was {'deleted' if gone else 'changed'} on disk "
                        "by another program</b> (Microsoft's wizard?). Saving here would overwrite "
                        f"that, so it is refused until you reload.{lost}"),
            [] if gone else [("Reload", self.load)])
        return True

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.disk_watch.schedule()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not getattr(self, "_docks_sized", False):  # a third of the height, once the window has one
            self._docks_sized = True
            QTimer.singleShot(0, lambda: self.resizeDocks(
                [self.problems_dock], [max(190, self.height() // 3)], Qt.Orientation.Vertical))


    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_unsaved() and not self.read_only:
            from PySide6.QtWidgets import QMessageBox

            answer = QMessageBox.question(
                self, "Unsaved changes", f"Save the changes to {self.store.path.name} before closing?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
            if answer == QMessageBox.StandardButton.Cancel or (
                    answer == QMessageBox.StandardButton.Save and not self.save()):
                event.ignore()
                return
        self.store.lock.release()
        event.accept()

    # -- problems, backups, certificate, service -----------------------------------------------
    def open_finding(self, finding: Finding) -> None:
        if finding.page == "settings" or (finding.connector is None and finding.page):
            self.tabs.setCurrentWidget(self.settings_tab)
            self.settings_tab.focus_field(finding.field)
        elif finding.connector:
            start = PageKey.parse(finding.page) if finding.page else None  # a rules page id: "schema"
            self.connector_actions.edit(finding.connector, start_page=start, focus_field=finding.field)
        else:
            where = f" (line {finding.line})" if finding.line else ""
            self.statusBar().showMessage(f"This problem is in the file's structure{where}; "
                                         "no page edits it.", 10000)

    def show_backups(self) -> BackupsDialog:
        from app.ui.main.backups_dialog import BackupsDialog  # on use: not part of the first screen

        current = self.document or ConfigDocument.from_bytes(
            b'<?xml version="1.0"?><Configuration />', str(self.store.path))
        dialog = BackupsDialog(self.store, current, unsaved=self.is_unsaved(),
                               read_only=self.read_only, parent=self)
        dialog.restored.connect(lambda result: self.adopt(result, "Backup restored"))
        dialog.setModal(True)
        dialog.show()
        self.backups_dialog = dialog
        return dialog

    def show_journal(self) -> JournalDialog:
        from app.ui.journal.dialog import JournalDialog  # on use: not part of the first screen

        dialog = JournalDialog(parent=self)
        dialog.show()
        self.journal_dialog = dialog
        return dialog

    def refresh_certificate(self) -> None:
        """Look the certificate up off the GUI thread; the Settings tab and the banner show it."""
        if self._certificate_status is not None:
            from app.ui.main.certificate import look_up_certificate  # on use: after the first paint

            look_up_certificate(self, self._certificate_status)

    def regenerate_certificate(self) -> None:
        from app.ui.main.certificate import open_certificate_dialog

        open_certificate_dialog(self)

    def service_control(self) -> ServiceControl:
        if self._service is None:
            self._service = areas.service_control(self.host.root)
        return self._service

    def offer_restart(self) -> None:
        from app.ui.main.certificate import offer_restart

        offer_restart(self)

    def handle_event_action(self, action: Action) -> None:
        """The event viewer's "what to do" buttons."""
        from app.events.knowledge import ActionKind  # on use: the event viewer is built after the first paint

        if action.kind is ActionKind.CERTIFICATE:
            self.tabs.setCurrentWidget(self.settings_tab)
            self.regenerate_certificate()
        elif action.kind is ActionKind.CONNECTOR:
            self.connector_actions.edit(action.connector)
        elif action.kind is ActionKind.DOCTOR:
            self.show_area(self.diagnostics)
        else:
            assert_never(action.kind)

    def show_area(self, widget: QWidget) -> None:
        """Bring the tab holding `widget` (an area page inside its scroll area) to the front."""
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            if page is widget or (isinstance(page, QScrollArea) and page.widget() is widget):
                self.tabs.setCurrentIndex(i)
                return


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
