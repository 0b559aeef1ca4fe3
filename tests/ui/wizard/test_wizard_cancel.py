"""pytest-qt: Cancel in the connector DLL wizard holds for the run the user started, however its
calls are timed, and never for a later one (app/ui/wizard/dll_driver.py run/cancel, the bridge's
begin/cancel). The misbehaving test connector hangs in GetSchema with Mode=hang: a lost Cancel
shows as the call running on to its 60 s timeout, so each wait below is bounded well under that.
The moments are fixed with Events the step's own work waits on, not with sleeps."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from test_wizard_dll import WAIT, choose_dll, click_next, idle, make

from app.ui.wizard.schema_refresh import SchemaRefreshDialog
from app.wizard.dll_pages import Step
from app.wizard.dll_runner import Plan
from app.wizard.page_keys import CONNECTIVITY

BOUND = 20_000  # ms: far below the 60 s timeout a lost Cancel would run into


def on_connectivity(qtbot, dll_host):
    wizard = make(qtbot, dll_host, dll_timeout=60, schema_timeout=60)
    choose_dll(qtbot, wizard, "Contoso.Misbehaving.dll")
    click_next(qtbot, wizard)
    assert wizard.current_key() == CONNECTIVITY
    return wizard, wizard.currentPage()


def run_step(wizard, page, work):
    """`work` as one step of a driver run on `page`, as Next runs the runner's steps."""
    ended: list[str] = []
    wizard.dll.run(Plan.of([Step("Asking Contoso.Misbehaving twice", work, lambda _r: None)]), page,
                   lambda: ended.append("done"), lambda sentence: ended.append(sentence))
    return ended


def test_a_cancel_between_two_calls_of_one_step_ends_the_second_at_once(qtbot, dll_host):
    wizard, page = on_connectivity(qtbot, dll_host)
    bridge = wizard.dll.pages.bridge
    bridge.set_value("Mode", "hang")
    between, go = threading.Event(), threading.Event()

    def work() -> object:  # a step that makes two calls, as asking the schema pages does
        bridge.ask_page("Connectivity")
        between.set()
        go.wait(WAIT / 1000)
        return bridge.ask_schema()

    ended = run_step(wizard, page, work)
    qtbot.waitUntil(between.is_set, timeout=WAIT)
    qtbot.mouseClick(page.busy.cancel, Qt.MouseButton.LeftButton)
    assert not page.busy.cancel.isEnabled()
    go.set()
    qtbot.waitUntil(lambda: idle(wizard), timeout=BOUND)
    assert ended == ["The call GetSchema to the connector Contoso.Misbehaving was cancelled."]


def test_a_cancel_before_the_step_reaches_the_dll_is_not_lost(qtbot, dll_host):
    wizard, page = on_connectivity(qtbot, dll_host)
    bridge = wizard.dll.pages.bridge
    bridge.set_value("Mode", "hang")
    started, go = threading.Event(), threading.Event()

    def work() -> object:  # the Task's thread runs, but has not called the bridge yet
        started.set()
        go.wait(WAIT / 1000)
        return bridge.ask_schema()

    ended = run_step(wizard, page, work)
    qtbot.waitUntil(started.is_set, timeout=WAIT)
    qtbot.mouseClick(page.busy.cancel, Qt.MouseButton.LeftButton)
    go.set()
    qtbot.waitUntil(lambda: idle(wizard), timeout=BOUND)
    assert len(ended) == 1 and "was cancelled" in ended[0]


def test_a_cancel_after_a_run_ended_does_not_cancel_the_next_next(qtbot, dll_host):
    wizard, page = on_connectivity(qtbot, dll_host)
    # The click reached the driver only after the run that showed this page had ended (queued
    # behind its last answer): the row is gone, the slot still runs.
    wizard.dll.cancel()
    assert click_next(qtbot, wizard) != CONNECTIVITY, page.page_findings.text()
    assert "cancel" not in page.page_findings.text().lower()


def test_a_cancel_in_the_wizard_does_not_cancel_a_later_schema_refresh(qtbot, dll_host):
    wizard, _page = on_connectivity(qtbot, dll_host)
    wizard.dll.cancel()  # as above: a Cancel that came after the wizard's run ended
    dialog = SchemaRefreshDialog(wizard.session, wizard.host, wizard, dll=wizard.dll)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.dll_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.source is not None or bool(dialog.error.text()), timeout=WAIT)
    assert dialog.source is not None, dialog.error.text()


def test_a_cancel_of_a_schema_refresh_whose_call_waits_for_the_bridge_is_kept(qtbot, dll_host):
    wizard, _page = on_connectivity(qtbot, dll_host)
    wizard.session.set_parameter(wizard.session.connector.parameter("Mode"), "hang")
    dialog = SchemaRefreshDialog(wizard.session, wizard.host, wizard, dll=wizard.dll)
    qtbot.addWidget(dialog)
    process = wizard.dll.pages.bridge.process
    # The bridge is busy with another call (held here), so the refresh's GetSchema waits for it:
    # started, but not yet sent when Cancel is clicked.
    with process._lock:
        qtbot.mouseClick(dialog.dll_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.dll_busy.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.task.running, timeout=BOUND)
    assert dialog.source is None
    assert "GetSchema to the connector Contoso.Misbehaving was cancelled" in dialog.error.text()
