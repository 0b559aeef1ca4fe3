"""app/ui/background.py: results, one-sentence errors and surprises all reach the GUI thread."""

from __future__ import annotations

import threading
import time

from app.errors import UserError
from app.ui.background import Task


def run(qtbot, work):
    task = Task(work)
    seen = {}
    task.finished.connect(lambda result: seen.setdefault("finished", (result, threading.current_thread())))
    task.failed.connect(lambda text: seen.setdefault("failed", (text, threading.current_thread())))
    task.progress.connect(lambda text: seen.setdefault("progress", text))
    task.start()
    qtbot.waitUntil(lambda: "finished" in seen or "failed" in seen, timeout=5000)
    return seen


def test_result_and_progress(qtbot):
    def work(progress, cancelled):
        progress("step one")
        return 42

    seen = run(qtbot, work)
    assert seen["finished"][0] == 42 and seen["progress"] == "step one"
    # plain Python callables as slots still run on the GUI thread (Qt queues the signal)
    assert seen["finished"][1] is threading.main_thread()


def test_user_error_is_its_sentence(qtbot):
    def work(progress, cancelled):
        raise UserError("The DLL is not there.")

    assert run(qtbot, work)["failed"][0] == "The DLL is not there."


def test_a_surprise_is_logged_and_said(qtbot, tmp_path):
    def work(progress, cancelled):
        raise AttributeError("module has no attribute 'x'")

    text = run(qtbot, work)["failed"][0]
    assert "failed unexpectedly (AttributeError)" in text and "ecma-wizard.log" in text


def test_cancel_is_seen_by_the_work(qtbot):
    started, release = threading.Event(), threading.Event()

    def work(progress, cancelled):
        started.set()
        release.wait(5)
        return cancelled()

    task = Task(work)
    got = []
    task.finished.connect(got.append)
    task.start()
    started.wait(5)
    task.cancel()
    release.set()
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert got == [True]


def test_closing_asks_running_work_to_stop_and_waits_for_it(qtbot):
    from app.ui.background import finish_all, running_tasks

    started, ended = threading.Event(), []

    def work(progress, cancelled):
        started.set()
        while not cancelled():  # a long job that checks between steps
            threading.Event().wait(0.01)
        ended.append("cleanly")
        return None

    task = Task(work, name="Long job")
    task.start()
    assert started.wait(5) and task in running_tasks()
    assert finish_all(timeout=5) == []
    assert ended == ["cleanly"] and not task.running and task not in running_tasks()


def test_closing_does_not_wait_forever_for_work_that_ignores_cancel(qtbot):
    from app.ui.background import finish_all

    release = threading.Event()
    task = Task(lambda progress, cancelled: release.wait(10), name="Stubborn job")
    task.start()
    try:
        started = time.monotonic()
        assert finish_all(timeout=0.3) == ["Stubborn job"]
        assert time.monotonic() - started < 3
    finally:
        release.set()
        task.wait(5)
