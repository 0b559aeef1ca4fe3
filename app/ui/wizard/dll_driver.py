"""The connector wizard asking the connector DLL (docs/wizard-dll-pages.md), off the GUI thread.

Every bridge call runs in a `Task` (app/ui/background.py) while the page shows a progress line with
Cancel; Next is held until the DLL has checked the page and answered the next one. A connector that
throws, dies or hangs costs one sentence on the page (its call times out or is cancelled), never the
GUI. Where the DLL cannot be loaded the wizard keeps this tool's templates and says why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.bridge import locate
from app.bridge.client import DEFAULT_TIMEOUT, SCHEMA_TIMEOUT
from app.bridge.session import ConnectorSession, Validation
from app.errors import UserError
from app.host.dlls import is_dependency
from app.host.layout import HostLayout
from app.ui.background import Task
from app.wizard.dll_pages import DllPages, Step
from app.wizard.dll_runner import DllRunner, Plan
from app.wizard.page_keys import PageKey
from app.wizard.session import WizardSession

if TYPE_CHECKING:  # the wizard and its pages import this module
    from app.ui.wizard.connector_wizard import ConnectorWizard
    from app.ui.wizard.pages import FlowPage


class BusyRow(QWidget):
    """A progress line: what the DLL is being asked, a moving bar, and Cancel."""

    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # the DLL does not say how far it is: a moving bar
        self.bar.setTextVisible(False)
        self.bar.setMaximumWidth(self.fontMetrics().horizontalAdvance("M" * 10))
        self.bar.setAccessibleName("Waiting for the connector DLL")
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel the connector DLL's call")
        self.cancel.clicked.connect(self.cancel_clicked)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.bar)
        lay.addWidget(self.cancel)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text + "…")
        self.cancel.setEnabled(True)
        self.show()

    def stop(self) -> None:
        self.hide()


class DllDriver(QObject):
    """Which DLL the wizard asks, and the background calls it makes for the pages."""

    changed = Signal()  # the DLL was loaded, refused, or a call ended: labels may change

    def __init__(self, wizard: ConnectorWizard, host: HostLayout | None, *, timeout: float = DEFAULT_TIMEOUT,
                 schema_timeout: float = SCHEMA_TIMEOUT) -> None:
        super().__init__(wizard)
        self.wizard = wizard
        self.host = host
        self.timeout = timeout
        self.schema_timeout = schema_timeout
        self.pages: DllPages | None = None
        self.runner: DllRunner | None = None  # the order of calls for `pages` (Qt-free)
        self.reason = ""  # why the pages come from a template ('' when the DLL answers)
        self.note = ""  # the DLL lies outside the host's folder ('' when it does not)
        self.picked: dict[str, Path] = {}  # DLLs chosen with Browse, by file name
        self.task: Task | None = None
        self._tasks: set[Task] = set()  # running Tasks, kept alive until they end
        self.busy_row: BusyRow | None = None
        self._generation = 0
        self._cancelled = False
        self._loading: ConnectorSession | None = None  # the bridge of a DLL still being loaded
        self._kinds: dict[tuple[str, int, int], bool] = {}  # a DLL file -> is a dependency

    @property
    def session(self) -> WizardSession:
        return self.wizard.session

    def runner_for(self, pages: DllPages) -> DllRunner:
        self.runner = DllRunner(pages, self.wizard.flow)
        return self.runner

    def failure(self, key: PageKey) -> str:
        """Why the call the page `key` needed failed ('' when none did, or no DLL is asked)."""
        return self.runner.failure(key) if self.runner is not None and self.active else ""

    @property
    def active(self) -> bool:
        return self.pages is not None

    @property
    def busy(self) -> bool:
        return self.busy_row is not None

    def host_dlls(self) -> list[Path]:
        """The DLLs in the host's Service\\ECMA folder that may be connectors: without the host's
        interface DLL and without dependencies (log4net and the like, app/host/dlls.py)."""
        found = self.host.connector_dlls() if self.host else []
        return [p for p in found if p.name.lower() != locate.INTERFACE_DLL.lower() and not self._dependency(p)]

    def dependency_dlls(self) -> list[str]:
        """The names of the dependency DLLs beside the connectors (left out of the list)."""
        found = self.host.connector_dlls() if self.host else []
        return [p.name for p in found if self._dependency(p)]

    def _dependency(self, path: Path) -> bool:
        try:
            st = path.stat()
        except OSError:
            return False
        key = (str(path), st.st_mtime_ns, st.st_size)  # each page visit lists again: read each file once
        if key not in self._kinds:
            self._kinds[key] = is_dependency(path)
        return self._kinds[key]

    # -- choosing the DLL --------------------------------------------------------------------------
    def path_for(self, name: str) -> Path | None:
        if name in self.picked:
            return self.picked[name]
        return next((p for p in self.host_dlls() if p.name.lower() == name.lower()), None)

    def choose(self, name: str, page: FlowPage, on_done: Callable[[], None]) -> None:
        """A new connector's DLL was chosen: ask it for its first page, or keep the template."""
        self.close()
        self.pages, self.reason, self.note = None, "", ""
        name = name.strip()
        if not name:
            return
        if not name.lower().endswith(".dll"):
            name += ".dll"
        path = self.path_for(name)
        if path is None:
            where = f"the host's ECMA folder ({self.host.ecma_dir})" if self.host and self.host.ecma_dir \
                else "a host's ECMA folder (only a Configuration.xml was opened)"
            self.reason = f"{name} is not in {where}."
            return
        try:
            library = locate.user_named(path, self.host)
        except UserError as exc:
            self.reason = exc.sentence()
            return
        pages = DllPages(self.session, ConnectorSession(library, timeout=self.timeout,
                                                       schema_timeout=self.schema_timeout), library)
        self.note = library.note(self.host)
        self._loading = pages.bridge

        def loaded() -> None:
            self.pages = pages
            self.changed.emit()
            on_done()

        def refused(sentence: str) -> None:
            dispose(pages.bridge)
            self.reason = sentence
            self.changed.emit()
            on_done()

        self.run(self.runner_for(pages).choose_plan(), page, loaded, refused)

    def open_existing(self, page: FlowPage) -> None:
        """An existing connector: ask its DLL (from the host's folder only) in the background."""
        c = self.session.connector
        if self.host is None or not c.library_name:
            return
        try:
            library = locate.configured(c.library_name, self.host)
        except UserError as exc:
            self.reason = exc.sentence()
            return
        pages = DllPages(self.session, ConnectorSession(library, timeout=self.timeout,
                                                       schema_timeout=self.schema_timeout), library)
        self._loading = pages.bridge

        def done() -> None:
            self.pages = pages
            self.changed.emit()

        def refused(sentence: str) -> None:
            dispose(pages.bridge)
            self.reason = sentence
            self.changed.emit()
        self.run(self.runner_for(pages).existing_plan(), page, done, refused)

    # -- Next ----------------------------------------------------------------------------------------
    def advance(self, page: FlowPage, go_on: Callable[[], None]) -> bool:
        """Next on a page of a new connector: the DLL checks the page, then answers the next one.
        True when the DLL has nothing to do here (the wizard moves on at once)."""
        assert self.runner is not None
        plan = iter(self.runner.next_plan(page.key))
        first = next(plan, None)
        if first is None:
            return True
        self.run(Plan(chain([first], plan)), page, go_on)
        return False

    # -- running steps -------------------------------------------------------------------------------
    def run(self, plan: Plan, page: FlowPage, on_done: Callable[[], None],
            on_fail: Callable[[str], None] | None = None) -> None:
        """Each step of the runner's plan (app/wizard/dll_runner.py, which decides the order): its
        work in a Task, its apply on the GUI thread; the first failure or refusal ends the run with
        one sentence on the page."""
        steps = iter(plan)
        self._generation += 1
        generation = self._generation
        self._cancelled = False
        # Here, on the GUI thread that also cancels: a Cancel holds for every call of this run,
        # also one whose thread has not reached the bridge yet, and a Cancel of an earlier run
        # (pressed just as it ended) does not reach this one.
        for bridge in self._bridges():
            bridge.begin()

        def finish() -> None:
            self._set_busy(page, None)
            self.changed.emit()

        def failed(sentence: str) -> None:
            if generation != self._generation:
                return
            finish()
            if on_fail is not None:
                on_fail(sentence)
            else:
                page.show_refusal(Validation(False, sentence, ""))

        def start() -> None:
            if generation != self._generation:
                return
            if self._cancelled:
                failed(f"The call to {self.pages.name if self.pages else 'the connector'} was cancelled.")
                return
            step = next(steps, None)  # the runner gives the next step once the last one applied
            if step is None:
                finish()
                on_done()
                return
            self._set_busy(page, step.label)
            # no Qt parent: a hung call's Task outlives the wizard until its worker is stopped
            task = Task(lambda _progress, _cancelled: step.work(), name="connector-dll")
            self.task = task
            self._tasks.add(task)
            task.finished.connect(lambda result: ended(task, lambda: applied(step, result)))
            task.failed.connect(lambda sentence: ended(task, lambda: failed(sentence)))
            task.start()

        def ended(task: Task, then: Callable[[], None]) -> None:
            self._tasks.discard(task)
            then()

        def applied(step: Step, result: object) -> None:
            if generation != self._generation:
                return
            try:
                refusal = step.apply(result)
            except UserError as exc:
                failed(exc.sentence())
                return
            if refusal is not None:
                finish()
                page.show_refusal(refusal)
                return
            start()
        start()

    def _set_busy(self, page: FlowPage, label: str | None) -> None:
        row = getattr(page, "busy", None)
        if row is None:
            return
        if label is None:
            row.stop()
            self.busy_row = None
        else:
            row.start(label)
            if self.busy_row is None:
                row.cancel_clicked.connect(self.cancel, Qt.ConnectionType.UniqueConnection)
            self.busy_row = row
        page.completeChanged.emit()

    def cancel(self) -> None:
        """Cancel (GUI thread): the running call ends at once with the 'cancelled' sentence."""
        self._cancelled = True
        if self.busy_row is not None:
            self.busy_row.cancel.setEnabled(False)
        if self.task is not None:
            self.task.cancel()
        for bridge in self._bridges():
            bridge.cancel()

    def _bridges(self) -> list[ConnectorSession]:
        """The sessions a run may call: the loaded DLL's and one still being loaded (each once)."""
        return list({id(b): b for b in (self.pages and self.pages.bridge, self._loading) if b}.values())

    def stop(self) -> None:
        """Forget the running calls (a new DLL was chosen or the wizard closes)."""
        if self.busy:
            self.cancel()
        self._generation += 1
        if self.busy_row is not None:
            self.busy_row.stop()
            self.busy_row = None

    def close(self) -> None:
        """The wizard closes: end the workers without waiting on a hung one."""
        self.stop()
        for bridge in self._bridges():
            dispose(bridge)
        self.pages = self._loading = None
        self.runner = None


def dispose(bridge: ConnectorSession) -> None:
    """End a bridge's worker off the GUI thread (a hung worker takes seconds to stop)."""
    bridge.cancel()
    threading.Thread(target=bridge.close, name="connector-dll-close", daemon=True).start()
