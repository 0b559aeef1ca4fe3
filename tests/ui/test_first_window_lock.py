"""The edit lock (with its owner's start-time check, app/liveness.py) is decided while the main
window is built, before it is shown or any event runs: the first paint comes after it, and the user
cannot type into a window that will turn out read-only, or save into another editor's file."""

from __future__ import annotations

import json
import os

from app import liveness
from app.filestore import host_name


def _lock_of(layout, pid: int, started: str | None) -> None:
    lock = layout.config_store().lock.path
    lock.write_text(json.dumps({"pid": pid, "started": started, "host": host_name(),
                                "user": "someone", "since": "2026-12-06T22:00:00+00:00"}))


def test_a_live_editor_makes_the_window_read_only_before_it_is_shown(make_window, host_layout):
    parent = os.getppid()  # a process that runs, with its real start time
    _lock_of(host_layout, parent, liveness.probe(parent).started)
    window = make_window()
    assert not window.isVisible()  # decided at construction: no event has run yet
    assert window.read_only and not window.store.lock.held
    assert not window.save_action.isEnabled() and not window.save()
    assert "being edited by someone" in window.lock_bar.label.text()


def test_a_reused_process_id_does_not_keep_the_lock_from_the_first_window(make_window, host_layout):
    parent = os.getppid()  # running, but not the process that wrote this lock: started differs
    _lock_of(host_layout, parent, "linux:another-boot:1")
    window = make_window()
    assert not window.isVisible()
    assert not window.read_only and window.store.lock.held
    assert json.loads(window.store.lock.path.read_text())["pid"] == os.getpid()
