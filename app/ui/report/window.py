"""A host report opened read-only: the main window in its read-only mode, on the report's own
Configuration.xml (secrets shown as their structure), event log and doctor results, plus the
report's summary, each connector DLL's pages as the DLL gave them on the host, and its files.

Nothing is written and nothing from the report runs: the pages are the JSON the bridge wrote on
the host; no DLL is loaded here (docs/host-report.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.config.document import ConfigDocument
from app.diagnostics.doctor import Check, DoctorReport
from app.errors import SaveRefused, UserError
from app.filestore import Backup
from app.host.layout import HostLayout
from app.report.reader import HostReport, ReportEventSource
from app.severity import Severity
from app.ui.main import areas
from app.ui.main_window import MainWindow

if TYPE_CHECKING:  # the areas are imported when first shown, as in the main window
    from app.ui.diagnostics.doctor_view import DoctorView
    from app.ui.events.viewer import EventViewer


class _NoLock:
    def __init__(self, path: Path) -> None:
        self.path = path

    def acquire(self) -> None:
        raise SaveRefused("is a host report from another machine: it is shown read-only and nothing in it "
                          "can be saved", path=self.path)

    def release(self) -> None:
        return None


NOT_SAVED = "is a host report: nothing in it can be saved"


class ReportStore:
    """What the main window asks of its store, answered from a report (never a write)."""

    def __init__(self, report: HostReport) -> None:
        self.report = report
        self.path = Path(report.source)
        self.lock = _NoLock(self.path)

    def load(self) -> ConfigDocument:
        doc = self.report.configuration()
        if doc is None:
            raise UserError("holds no Configuration.xml (the summary says why it was left out)", path=self.path)
        return doc

    def changed_on_disk(self) -> bool:
        return False

    def save(self, _doc: ConfigDocument, /, *, force: bool = False) -> NoReturn:
        raise SaveRefused(NOT_SAVED, path=self.path)

    def write_bytes(self, _data: bytes, _parsed: ConfigDocument | None = None, /) -> NoReturn:
        raise SaveRefused(NOT_SAVED, path=self.path)

    def restore(self, _backup_id: str, /) -> NoReturn:
        raise SaveRefused(NOT_SAVED, path=self.path)

    def backups(self) -> list[Backup]:
        return []


class ReportWindow(MainWindow):
    def __init__(self, report: HostReport, parent: QWidget | None = None) -> None:
        layout = HostLayout(Path(report.source), None)
        super().__init__(layout, store=ReportStore(report), certificate_status=None, parent=parent)
        self.setObjectName("reportWindow")
        self.report = report
        self.backups_action.setEnabled(False)
        self.summary_view = QTextBrowser(self.tabs)
        self.summary_view.setObjectName("reportSummary")
        self.summary_view.setOpenExternalLinks(False)
        self.summary_view.setMarkdown(report.summary or "This report has no summary.md.")
        self.pages_view = ConnectorPages(report, self.tabs)
        self.files_view = ReportFiles(report, self.tabs)
        self.tabs.addTab(self.summary_view, "S&ummary")
        self.tabs.addTab(self.pages_view, "DLL &pages")
        self.tabs.addTab(self.files_view, "&Files")
        self.tabs.setCurrentWidget(self.summary_view)
        self.settings_tab.host_name = str(report.manifest.get("machine") or "the-reported-host")
        self.settings_tab.set_document(self.document, self.findings)  # Tenant URLs name the report's host
        self._update_state()

    # -- the parts that differ from a live host ------------------------------------------------
    def _report_store(self) -> ReportStore:
        # asked while MainWindow.__init__ runs, before self.report is set
        store = self.store
        assert isinstance(store, ReportStore)  # __init__ hands MainWindow nothing else
        return store

    read_only_reason = "A host report is read-only: nothing in it can be edited."

    def _take_lock(self) -> None:
        self.read_only = True
        made = self._report_store().report.manifest.get("created", "?")
        self.lock_bar.show_message(
            "info", f"<b>Host report, read-only:</b> {_esc(Path(self.store.path).name)}, made {_esc(str(made))}. "
            "Secrets appear as their structure; nothing here can be saved and nothing from the report runs.")

    def _build_event_viewer(self) -> EventViewer:
        viewer = areas.event_viewer()(self.tabs)
        for name in ("live_button", "open_button"):  # this machine's log is not the report's host's
            if hasattr(viewer, name):
                getattr(viewer, name).setVisible(False)
        viewer.open_source(ReportEventSource(self._report_store().report))
        return viewer

    def _build_diagnostics(self) -> DoctorView:
        from app.ui.diagnostics.doctor_view import DoctorView

        report = self._report_store().report
        view = DoctorView(lambda: doctor_from(report), lambda: [], self.tabs)
        view.run_button.setVisible(False)
        view.copy_button.setEnabled(False)
        view.show_report(doctor_from(report))
        view.copy_button.setVisible(False)
        return view

    def _update_state(self) -> None:
        super()._update_state()
        self.setWindowTitle(f"{Path(self.store.path).name} — host report (read-only) — ECMA Host Wizard")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.report.close()
        super().closeEvent(event)


def doctor_from(report: HostReport) -> DoctorReport:
    data = report.json("checks/doctor.json", {})
    host = str(data.get("host", "")) if isinstance(data, dict) else ""
    checks = [Check(str(c.get("id", "")), str(c.get("title", "")), _severity(c.get("severity")),
                    str(c.get("message", "")), str(c.get("action", "") or ""), None)
              for c in report.doctor_checks()]
    return DoctorReport(host or report.source, checks)


def _severity(word: object) -> Severity:
    """A check's severity as the report wrote it; a word this version does not know (a report
    edited by hand, or from a newer version) is shown as a note rather than hidden."""
    try:
        return Severity(str(word))
    except ValueError:
        return Severity.INFO


class ConnectorPages(QWidget):
    """Each connector DLL: its interfaces, then page by page the parameters it defines."""

    def __init__(self, report: HostReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        pages = report.connector_pages()
        missing = [f"{w.get('what')}: {w.get('why')}" for w in report.manifest.get("left_out", [])
                   if isinstance(w, dict) and str(w.get("what", "")).startswith("the pages of")]
        text = (f"{len(pages)} connector DLL(s) answered on the host. These are the definitions each DLL gave "
                "there; no DLL is loaded to show them." if pages else "No connector DLL's pages are in this report.")
        note = QLabel(text + "".join(f"<br>Not asked: {_esc(m)}" for m in missing), self)
        note.setWordWrap(True)
        column.addWidget(note)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("reportPages")
        self.tree.setHeaderLabels(["DLL / page / parameter", "Type", "Default", "Choices or validation"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for name, data in sorted(pages.items()):
            top = QTreeWidgetItem([name, str(data.get("type") or ""), "",
                                   ", ".join(str(i) for i in data.get("implements") or [] if isinstance(i, str))])
            self.tree.addTopLevelItem(top)
            for page in data.get("pages") or []:
                if not isinstance(page, dict):
                    continue
                title = f"{page.get('page')}" + (f" {page.get('number')}" if page.get("page") == "Schema" else "")
                item = QTreeWidgetItem([title, "", "", str(page.get("error") or "")])
                top.addChild(item)
                for d in page.get("parameters") or []:
                    if isinstance(d, dict):
                        choices = ", ".join(str(c) for c in d.get("choices") or []) or str(d.get("validation") or "")
                        item.addChild(QTreeWidgetItem([str(d.get("name")), str(d.get("type")),
                                                       str(d.get("default") or ""), choices]))
        self.tree.expandAll()
        self.tree.setColumnWidth(1, 160)
        column.addWidget(self.tree, 1)


class ReportFiles(QWidget):
    """The report's files with their sizes; the one selected is shown as text."""

    def __init__(self, report: HostReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        column = QVBoxLayout(self)
        split = QSplitter(self)
        self.list = QTreeWidget(split)
        self.list.setObjectName("reportFiles")
        self.list.setHeaderLabels(["File", "Size"])
        for name, size in report.files():
            self.list.addTopLevelItem(QTreeWidgetItem([name, f"{size:,}"]))
        self.text = QPlainTextEdit(split)
        self.text.setReadOnly(True)
        self.text.setObjectName("reportFileText")
        split.setStretchFactor(1, 3)
        split.setSizes([440, 740])
        self.list.setColumnWidth(0, 330)
        column.addWidget(split, 1)
        self.list.currentItemChanged.connect(self._show)

    def show_file(self, name: str) -> None:
        found = self.list.findItems(name, self._exact())
        if found:
            self.list.setCurrentItem(found[0])

    @staticmethod
    def _exact() -> Qt.MatchFlag:
        return Qt.MatchFlag.MatchExactly

    def _show(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None = None) -> None:
        if item is None:
            return
        name = item.text(0)
        try:
            data = self.report.member(name)
        except UserError as exc:
            self.text.setPlainText(exc.sentence())
            return
        text = data[:2_000_000].decode("utf-8", "replace")
        if name.endswith(".json"):
            try:
                text = json.dumps(json.loads(data), indent=2, ensure_ascii=False)
            except ValueError:
                pass
        self.text.setPlainText(text + ("\n… (cut: the event log tab shows it all)" if len(data) > 2_000_000 else ""))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
