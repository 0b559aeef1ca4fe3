"""The connector wizard (New connector / Edit): QWizard pages attached to the headless flow.

Works on its own copy of the document (app.wizard.session), so Cancel writes nothing; Finish
writes exactly the bytes the Summary showed, through the store, and emits `saved(SaveResult)`.
A refused save is shown in a message box and the wizard stays open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard

from app.bridge.client import DEFAULT_TIMEOUT, SCHEMA_TIMEOUT
from app.config import builders
from app.config.document import ConfigDocument
from app.config.document_store import DocumentStore
from app.config.store import SaveResult
from app.errors import UserError
from app.host.layout import HostLayout
from app.hostsecrets.dpapi import Dpapi
from app.hostsecrets.writing import SecretRoute
from app.ui.wizard.dll_driver import DllDriver
from app.ui.wizard.pages import FlowPage, ParameterPage, PropertiesPage
from app.ui.wizard.pages_run import PartitionsPage, RunProfilesPage
from app.ui.wizard.pages_schema import AttributesPage, DeprovisioningPage, ObjectTypesPage, SummaryPage
from app.wizard import schema_sources
from app.wizard.flow import ConnectorFlow
from app.wizard.page_keys import (
    ATTRIBUTES,
    CAPABILITIES,
    CONNECTIVITY,
    DEPROVISIONING,
    GLOBAL,
    OBJECT_TYPES,
    PARTITIONS,
    PROPERTIES,
    RUN_PROFILES,
    SCHEMA,
    SUMMARY,
    PageKey,
)
from app.wizard.session import WizardSession

FIXED_PAGES = (PROPERTIES, CONNECTIVITY, CAPABILITIES)
AFTER_SCHEMA = (GLOBAL, PARTITIONS, RUN_PROFILES)
RUN_STEP_PAGES = tuple(PageKey.run_step(p) for p in builders.RUN_PROFILES)
LAST_PAGES = (OBJECT_TYPES, ATTRIBUTES, DEPROVISIONING, SUMMARY)


class ConnectorWizard(QWizard):
    saved = Signal(object)  # SaveResult

    def __init__(self, document: ConfigDocument, store: DocumentStore, layout: HostLayout,
                 connector_name: str | None = None, start_page: PageKey | None = None,
                 focus_field: str | None = None, parent: QWidget | None = None, *,
                 spec: builders.ConnectorSpec | None = None, dpapi: Dpapi | None = None,
                 bridge_route: SecretRoute | None = None,
                 dll_timeout: float = DEFAULT_TIMEOUT, schema_timeout: float = SCHEMA_TIMEOUT) -> None:
        super().__init__(parent)
        self.store = store
        self.host = layout
        self.session = WizardSession(document, connector_name, spec=spec, dpapi=dpapi,
                                     bridge_route=bridge_route)
        self.flow = ConnectorFlow(self.session)
        self.dll = DllDriver(self, layout, timeout=dll_timeout, schema_timeout=schema_timeout)
        self.result_of_save: SaveResult | None = None
        self.discover_default_schema()
        title = f"Edit connector '{connector_name}'" if connector_name else "New connector"
        self.setWindowTitle(title)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, "&Review changes")
        self.customButtonClicked.connect(lambda _b: self.go_to(SUMMARY))
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Finish and save")
        self.ids: dict[PageKey, int] = {}  # QWizard's int page id of each page
        self._going_to: PageKey | None = None  # go_to's target while the DLL answers on the way
        self._add_pages()
        self.resize(self.fontMetrics().height() * 56, self.fontMetrics().height() * 42)
        self.restart()
        if not self.session.is_new:  # choices and new parameters from the host's copy of its DLL
            self.dll.changed.connect(self._dll_answered_existing)
            properties = self.page_for(PROPERTIES)
            assert properties is not None  # _add_pages made it
            self.dll.open_existing(properties)
        if start_page or focus_field:
            self.go_to(self.flow.start_key(start_page))
            page = self.currentPage()
            if focus_field and isinstance(page, FlowPage):
                page.focus_field(focus_field)

    @classmethod
    def from_spec(cls, spec: builders.ConnectorSpec, document: ConfigDocument, store: DocumentStore,
                  layout: HostLayout, parent: QWidget | None = None) -> ConnectorWizard:
        """A new connector prepared elsewhere (the MIM import hands its ConnectorSpec here)."""
        return cls(document, store, layout, None, parent=parent, spec=spec)

    # -- pages --------------------------------------------------------------------------------
    def _add_pages(self) -> None:
        schema_count = max(4, len(self.session.schema_numbers()))
        keys = [*FIXED_PAGES, *(PageKey.schema(n) for n in range(1, schema_count + 1)), *AFTER_SCHEMA,
                *RUN_STEP_PAGES, *LAST_PAGES]
        kinds: dict[PageKey, type[FlowPage]] = {
            PROPERTIES: PropertiesPage, PARTITIONS: PartitionsPage, RUN_PROFILES: RunProfilesPage,
            OBJECT_TYPES: ObjectTypesPage, ATTRIBUTES: AttributesPage, DEPROVISIONING: DeprovisioningPage,
            SUMMARY: SummaryPage}
        for i, key in enumerate(keys):  # QWizard knows a page by an int id; each page holds its PageKey
            self.setPage(i, kinds.get(key, ParameterPage)(self, key))
            self.ids[key] = i
        self.setStartId(self.ids[PROPERTIES])

    def page_for(self, key: PageKey) -> FlowPage | None:
        page = self.page(self.ids[key]) if key in self.ids else None
        return page if isinstance(page, FlowPage) else None  # (every page here is one)

    def ensure_page(self, key: PageKey | None) -> None:
        """A DLL may have more Schema pages than were made up front: add them when needed."""
        if key is not None and key not in self.ids and key.name == SCHEMA:
            new_id = max(self.ids.values()) + 1
            self.setPage(new_id, ParameterPage(self, key))
            self.ids[key] = new_id

    def next_page_id(self, key: PageKey) -> int:
        nxt = self.flow.next_key(key)
        self.ensure_page(nxt)
        if nxt is None or nxt not in self.ids:
            return -1
        return self.ids[nxt]

    def _dll_answered_existing(self) -> None:
        """An existing connector's DLL answered while a parameter page was shown: show its choices."""
        page = self.currentPage()
        if self.dll.active and isinstance(page, ParameterPage) and self.current_key() != PROPERTIES:
            page.initializePage()

    def next_from_dll(self) -> None:
        """The DLL has answered for the next page: move on (Next was held until then)."""
        self.next()
        target, self._going_to = self._going_to, None
        if target:
            self.go_to(target)

    def current_key(self) -> PageKey | None:
        """The shown page's key, None for none."""
        page = self.currentPage()
        return page.key if isinstance(page, FlowPage) else None

    def stop_walk(self) -> None:
        """The DLL refused a page on the way: the walk to another page ends here."""
        self._going_to = None

    def go_to(self, key: PageKey) -> None:
        """Walk forward with Next to `key`, so Back works; stops on a page whose errors block Next.
        Where the DLL is asked on the way, the walk goes on when it has answered."""
        self._going_to = None
        for _ in range(len(self.ids) + 1):
            if self.current_key() == key or key not in self.flow.keys():
                return
            before = self.currentId()
            page = self.currentPage()
            if page is not None and not page.isComplete():
                return
            self.next()
            if self.dll.busy:
                self._going_to = key  # next_from_dll resumes the walk
                return
            if self.currentId() == before:
                return

    def library_choices(self) -> list[str]:
        """The DLLs in the host's Service\\ECMA folder first (those can be asked), then Microsoft's
        connectors this tool has templates for."""
        found = [p.name for p in self.dll.host_dlls()]
        microsoft = [f"{n}.dll" for n in builders.MICROSOFT_LIBRARIES]
        return list(dict.fromkeys(found + microsoft))

    # -- schema -------------------------------------------------------------------------------
    def discover_default_schema(self) -> None:
        """Offer the PowerShell connector's Schema.xml on the host on the Select Attributes page."""
        path = schema_sources.default_source(self.host.ecma_dir if self.host else None,
                                             self.session.connector.library_name)
        if path is None:
            return
        try:
            self.session.schema.discover_source(schema_sources.read_powershell_schema(path))
        except UserError:
            pass  # a broken Schema.xml: the Refresh dialog reports it when the user asks

    def refresh_schema(self) -> None:
        from app.ui.wizard.schema_refresh import SchemaRefreshDialog

        dialog = SchemaRefreshDialog(self.session, self.host, self, dll=self.dll)
        if dialog.exec() and self.current_key() == ATTRIBUTES:
            self.currentPage().initializePage()

    # -- finish -------------------------------------------------------------------------------
    def done(self, result: int) -> None:
        self.dll.close()  # the DLL's worker process ends with the wizard
        super().done(result)

    def accept(self) -> None:
        summary = self.page_for(SUMMARY)
        pending = getattr(summary, "pending", None) or self.session.prepare_finish()
        try:
            result = self.session.finish(self.store, pending)
        except UserError as exc:
            QMessageBox.warning(self, "Not saved", exc.sentence())
            return
        self.result_of_save = result
        self.saved.emit(result)
        super().accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in a one-line field must not jump pages past a finding the user has not seen
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current_key() != SUMMARY:
            event.ignore()
            return
        super().keyPressEvent(event)
