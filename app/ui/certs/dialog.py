"""The certificate regeneration dialog: choose, see the exact steps, run them, see what happened.

Page 1 "Choose": host names (editable list), key, validity, a live preview; a passphrase field
appears only when there is no usable keyring. Page 2 "Steps": the plan's exact steps and notes.
Page 3 "Result": each step's outcome, the rollback if one failed, and the restart offer.
Key generation and the steps run in a worker thread so the window stays responsive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.certs.generate import DEFAULT_DAYS, MAX_DAYS, GenerationRequest, KeySpec
from app.certs.regenerate import PlanResult, RegenerationPlan
from app.errors import UserError
from app.ui.background import Task, run_task

PlanFactory = Callable[[GenerationRequest, str | None], RegenerationPlan]
_STATE_ICONS = {
    "done": QStyle.StandardPixmap.SP_DialogApplyButton,
    "failed": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "rolled back": QStyle.StandardPixmap.SP_ArrowBack,
    "rollback failed": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "not run": QStyle.StandardPixmap.SP_MediaSkipForward,
}
_PAGES = ("Choose", "Review the steps", "Result")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CertificateDialog(QDialog):
    """Regenerate the host certificate. `prepare` builds the plan (see regenerate.plan_factory);
    `restart` restarts the service and returns a sentence to show (or raises UserError)."""

    planReady = Signal()
    runFinished = Signal(bool)

    def __init__(self, prepare: PlanFactory, *, host_names: Sequence[str] = (), keyring_reason: str | None = None,
                 restart: Callable[[], str] | None = None, entra_check: Callable[[], str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Regenerate the host certificate")
        self.setMinimumSize(720, 520)
        self._prepare, self._restart, self._keyring_reason = prepare, restart, keyring_reason
        self._entra_check = entra_check  # test from Entra, restart with QuarantineState (docs/entra.md)
        self.plan: RegenerationPlan | None = None
        self.plan_result: PlanResult | None = None  # not `result`: QDialog.result() is Qt's
        self.task: Task | None = None  # the step running in the background, if any

        self.back_button = QPushButton("Back", self)
        self.next_button = QPushButton("Next", self)
        self.close_button = QPushButton("Cancel", self)
        self.heading = QLabel(self)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.heading.setFont(font)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_choose(host_names))
        self.pages.addWidget(self._build_steps())
        self.pages.addWidget(self._build_result())
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a61b1b;")
        self.error.hide()

        self.back_button.clicked.connect(self._back)
        self.next_button.clicked.connect(self._next)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.back_button, self.next_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._show_page(0)
        self._update_preview()

    # ---- page 1: choose ----------------------------------------------------------------------

    def _build_choose(self, host_names: Sequence[str]) -> QWidget:
        page = QWidget(self)
        form = QFormLayout()
        names_box = QVBoxLayout()
        self.names = QListWidget(page)
        self.names.setMaximumHeight(84)
        for name in dict.fromkeys(n for n in (*host_names, "localhost") if n):
            self._add_name_item(name)
        self.names.itemChanged.connect(self._update_preview)
        row = QHBoxLayout()
        self.add_name_button = QPushButton("Add name", page)
        self.remove_name_button = QPushButton("Remove", page)
        self.add_name_button.clicked.connect(self._add_name)
        self.remove_name_button.clicked.connect(self._remove_name)
        row.addWidget(self.add_name_button)
        row.addWidget(self.remove_name_button)
        row.addStretch(1)
        names_box.addWidget(self.names)
        names_box.addLayout(row)
        form.addRow("Host names:", names_box)
        self.key = QComboBox(page)
        for spec in KeySpec:
            self.key.addItem(spec.label, spec)
        self.key.currentIndexChanged.connect(self._update_preview)
        form.addRow("Key:", self.key)
        self.days = QSpinBox(page)
        self.days.setRange(1, MAX_DAYS)
        self.days.setValue(DEFAULT_DAYS)
        self.days.setSuffix(" days")
        self.days.valueChanged.connect(self._update_preview)
        self.years = QLabel(page)
        validity = QHBoxLayout()
        validity.addWidget(self.days)
        validity.addWidget(self.years, 1)
        form.addRow("Validity:", validity)
        self.passphrase = QLineEdit(page)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("at least 12 characters; you keep it")
        if self._keyring_reason:
            hint = QLabel(f"{self._keyring_reason[:1].upper()}{self._keyring_reason[1:]}. The PFX "
                          "passphrase cannot be kept for you: choose one and store it safely.", page)
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #6b4a00;")
            box = QVBoxLayout()
            box.addWidget(self.passphrase)
            box.addWidget(hint)
            form.addRow("PFX passphrase:", box)
        else:
            self.passphrase.hide()
        outer = QVBoxLayout(page)
        outer.addLayout(form)
        self.preview = QLabel(page)
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        self.preview.setStyleSheet("QLabel { background: palette(base); border: 1px solid palette(mid); "
                                   "padding: 8px; }")
        outer.addWidget(QLabel("Preview", page))
        outer.addWidget(self.preview)
        outer.addStretch(1)
        return page

    def _add_name_item(self, name: str) -> QListWidgetItem:
        item = QListWidgetItem(name, self.names)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        return item

    def _add_name(self) -> None:
        item = self._add_name_item("")
        self.names.setCurrentItem(item)
        self.names.editItem(item)

    def _remove_name(self) -> None:
        for item in self.names.selectedItems():
            self.names.takeItem(self.names.row(item))
        self._update_preview()

    def request(self) -> GenerationRequest:
        names = tuple(self.names.item(i).text() for i in range(self.names.count())
                      if self.names.item(i).text().strip())
        return GenerationRequest(names, self.key.currentData(), self.days.value())

    def _update_preview(self) -> None:
        years = self.days.value() / 365
        self.years.setText(f"about {years:.1f} years (Microsoft's wizard: 2 years)")
        try:
            preview = self.request().preview()
        except UserError as exc:
            self.preview.setText(f"<span style='color:#a61b1b'>{_escape(exc.sentence())}</span>")
            self.next_button.setEnabled(False)
            return
        rows = "".join(f"<tr><td style='padding-right:14px; color:#555'>{_escape(k)}</td>"
                       f"<td>{_escape(v)}</td></tr>" for k, v in preview.items())
        self.preview.setText(f"<table>{rows}</table>")
        self.next_button.setEnabled(True)

    # ---- page 2: steps -----------------------------------------------------------------------

    def _build_steps(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.steps_intro = QLabel(page)
        self.steps_intro.setWordWrap(True)
        layout.addWidget(self.steps_intro)
        self.steps_view = QTextBrowser(page)
        self.steps_view.setOpenLinks(False)
        layout.addWidget(self.steps_view, 1)
        return page

    def show_plan(self, plan: RegenerationPlan) -> None:
        self.plan = plan
        info = plan.generated.info()
        self.steps_intro.setText(
            f"New certificate <b>{info.thumbprint}</b> for {_escape(', '.join(info.dns_names))} "
            f"({info.key_description}, until {info.not_after:%Y-%m-%d}). Nothing has been changed "
            "yet; these steps run when you press Run. If one fails, the steps already done are undone.")
        html = ["<ol style='margin-left:0'>"]
        for title, detail in plan.describe():
            html.append(f"<li><b>{_escape(title)}</b><pre style='margin:2px 0 8px 0; "
                        f"white-space:pre-wrap'>{_escape(detail)}</pre></li>")
        html.append("</ol>")
        if plan.notes:
            html.append("<p><b>Notes</b></p><ul>" + "".join(f"<li>{_escape(n)}</li>" for n in plan.notes)
                        + "</ul>")
        self.steps_view.setHtml("".join(html))
        self._show_page(1)

    # ---- page 3: result ----------------------------------------------------------------------

    def _build_result(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.summary = QLabel(page)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.outcomes = QListWidget(page)
        self.outcomes.setWordWrap(True)
        layout.addWidget(self.outcomes, 1)
        restart_row = QHBoxLayout()
        self.restart_label = QLabel("The service keeps serving the old certificate until it restarts.", page)
        self.restart_label.setWordWrap(True)
        self.restart_button = QPushButton("Restart the ECMA2Host service", page)
        self.restart_button.clicked.connect(self._do_restart)
        restart_row.addWidget(self.restart_label, 1)
        restart_row.addWidget(self.restart_button)
        layout.addLayout(restart_row)
        self._restart_row = (self.restart_label, self.restart_button)
        entra_row = QHBoxLayout()
        self.entra_label = QLabel("Entra may have put the linked applications into quarantine when the "
                                  "certificate changed. After the restart: test from Entra, then restart "
                                  "provisioning with QuarantineState.", page)
        self.entra_label.setWordWrap(True)
        self.entra_button = QPushButton("Test from Entra and restart", page)
        self.entra_button.clicked.connect(self._do_entra)
        entra_row.addWidget(self.entra_label, 1)
        entra_row.addWidget(self.entra_button)
        layout.addLayout(entra_row)
        for widget in (self.entra_label, self.entra_button):
            widget.setVisible(False)
        return page

    def show_result(self, result: PlanResult) -> None:
        self.plan_result = result
        style = self.style()
        self.outcomes.clear()
        for outcome in result.outcomes:
            text = f"{outcome.title} — {outcome.state}" + (f": {outcome.message}" if outcome.message else "")
            self.outcomes.addItem(QListWidgetItem(style.standardIcon(_STATE_ICONS.get(
                outcome.state, QStyle.StandardPixmap.SP_MessageBoxQuestion)), text))
        colour = "#1d6b2a" if result.ok else "#a61b1b"
        self.summary.setText(f"<span style='color:{colour}'><b>{_escape(result.summary())}</b></span>")
        for widget in self._restart_row:
            widget.setVisible(result.ok and self._restart is not None)
        if result.ok and self._restart is None:
            self.restart_label.setText("Restart the Microsoft ECMA2Host service so it serves the new "
                                       "certificate, then retest the connection in Entra.")
            self.restart_label.setVisible(True)
        for widget in (self.entra_label, self.entra_button):
            widget.setVisible(result.ok and self._entra_check is not None)
        self._show_page(2)

    def _do_restart(self) -> None:
        """Restart in a worker thread: stopping and starting a service can take half a minute."""
        self.restart_button.setEnabled(False)
        self.restart_label.setText("Restarting the service…")
        restart = self._restart

        self.task = run_task(self, lambda _p, _c: (restart() if restart else "") or "The service was restarted.",
                             name="The service restart", finished=self._on_restarted,
                             failed=lambda sentence: self._on_restarted(f"Restart failed: {sentence}"))

    def _do_entra(self) -> None:
        check = self._entra_check
        if check is None:
            return
        self.entra_button.setEnabled(False)
        self.entra_label.setText("Asking Entra to reach the host…")
        self.task = run_task(self, lambda _p, _c: check(), name="The test from Entra",
                             finished=self._on_entra, failed=self._on_entra)

    def _on_entra(self, message: str) -> None:
        self.entra_label.setText(message)
        self.entra_button.setEnabled(True)

    def _on_restarted(self, message: str) -> None:
        self.restart_label.setText(message)
        self.restart_button.setEnabled(message.startswith("Restart failed"))

    # ---- navigation and workers --------------------------------------------------------------

    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.heading.setText(f"Step {index + 1} of 3: {_PAGES[index]}")
        self.error.hide()
        self.back_button.setVisible(index == 1)
        self.next_button.setVisible(index < 2)
        self.next_button.setText("Run these steps" if index == 1 else "Next")
        self.next_button.setDefault(index < 2)
        self.close_button.setText("Close" if index == 2 else "Cancel")

    def _busy(self, text: str | None) -> None:
        for b in (self.back_button, self.next_button, self.close_button):
            b.setEnabled(text is None)
        if text:
            self.error.setStyleSheet("color: palette(text);")
            self.error.setText(text)
            self.error.show()

    def reject(self) -> None:
        """Esc, the title bar's close button and Cancel: refused while a step runs in the
        background (stopped half-way, a plan would leave the host between two certificates)."""
        if self.task is not None and self.task.running:
            self.error.setStyleSheet("color: palette(text);")
            self.error.setText("Please wait: this window can be closed once the running step has finished.")
            self.error.show()
            return
        super().reject()

    def _show_error(self, text: str) -> None:
        self._busy(None)
        self.error.setStyleSheet("color: #a61b1b;")
        self.error.setText(text)
        self.error.show()

    def _back(self) -> None:
        self.plan = None
        self._show_page(0)

    def _next(self) -> None:
        if self.pages.currentIndex() == 0:
            self.start_prepare()
        elif self.pages.currentIndex() == 1:
            self.start_run()

    def start_prepare(self) -> None:
        passphrase = None
        if self._keyring_reason:
            passphrase = self.passphrase.text()
            if len(passphrase) < 12:
                self._show_error("Choose a PFX passphrase of at least 12 characters.")
                return
        try:
            request = self.request().validated()
        except UserError as exc:
            self._show_error(exc.sentence())
            return
        self._busy("Generating the key and the certificate…")
        self.task = run_task(self, lambda _p, _c: self._prepare(request, passphrase),
                             name="Generating the certificate", finished=self._on_prepared,
                             failed=self._on_failed)

    def start_run(self) -> None:
        plan = self.plan
        assert plan is not None  # the Run button is enabled only with a plan
        self._busy("Running the steps…")
        # the plan reports (step number, title); Task carries one value per report
        self.task = run_task(self, lambda progress, _c: plan.run(lambda i, title: progress((i, title))),
                             name="The certificate steps", progress=lambda step: self._on_progress(*step),
                             finished=self._on_finished, failed=self._on_failed)

    def _on_prepared(self, plan: RegenerationPlan) -> None:
        self._busy(None)
        self.show_plan(plan)
        self.planReady.emit()

    def _on_progress(self, index: int, title: str) -> None:
        self.error.setText(f"Running step {index + 1}: {title}…")

    def _on_finished(self, result: PlanResult) -> None:
        self._busy(None)
        self.show_result(result)
        self.runFinished.emit(result.ok)

    def _on_failed(self, message: str) -> None:
        self._show_error(message)

