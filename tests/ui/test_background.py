"""app/ui/background.py: results, one-sentence errors and surprises all reach the GUI thread."""

from __future__ import annotations

import threading

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


def test_user_error_is_its_sentence(qtbot):
    def work(progress, cancelled):
        raise UserError("The DLL is not there.")

    assert run(qtbot, work)["failed"][0] == "The DLL is not there."


def test_a_surprise_is_logged_and_said(qtbot, tmp_path):
    def work(progress, cancelled):
        raise AttributeError("module has no attribute 'x'")

    text = run(qtbot, work)["failed"][0]
    assert "Something unexpected went wrong" in text and "crash.log" in text


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
