"""Kill the saving process at every step of a save: the file on disk is always the old or the
new one, whole, and once the backup step has passed the backup exists (issue "Proof of
reliability", fault injection)."""

from __future__ import annotations

import os
import signal

import pytest

from app.config import store as store_module
from app.config.document import ConfigDocument
from app.config.store import ConfigStore, list_backups
from tests.config.helpers import document_with, minimal_spec

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")

# Where the saving process dies: (name, which os call, on which call number, before or after it)
STEPS = [
    ("before-backup-write", "write", 1, "before"),
    ("mid-backup-write", "write", 1, "half"),
    ("before-backup-replace", "replace", 1, "before"),
    ("before-write", "write", 2, "before"),
    ("mid-write", "write", 2, "half"),
    ("after-write-before-fsync", "fsync", 2, "before"),
    ("before-replace", "replace", 2, "before"),
    ("after-replace", "replace", 2, "after"),
]
ROUNDS = 25  # 8 steps x 25 = 200 interrupted saves


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # no finally blocks, no cleanup: a real kill


def _save_and_die(path, value: str, call: str, number: int, when: str) -> None:
    """Runs in the child: patch the store's os calls to die at the chosen moment, then save.

    Calls are attributed to the temp file being written: number 1 is the backup, 2 the
    Configuration.xml itself."""
    real = {"open": os.open, "write": os.write, "fsync": os.fsync, "replace": os.replace}
    state = {"file": 0, "done": set()}

    def opened(file, flags, *rest):
        if str(file).endswith(".tmp"):
            state["file"] += 1
        return real["open"](file, flags, *rest)

    def wrap(name):
        def call_(*args):
            key = (name, state["file"])
            hit = name == call and state["file"] == number and key not in state["done"]
            state["done"].add(key)
            if hit and when == "before":
                _die()
            if hit and when == "half":
                real["write"](args[0], bytes(args[1][: len(args[1]) // 2]))
                _die()
            result = real[name](*args)
            if hit and when == "after":
                _die()
            return result
        return call_

    store_module.os.open = opened
    store_module.os.write = wrap("write")
    store_module.os.fsync = wrap("fsync")
    store_module.os.replace = wrap("replace")
    store = ConfigStore(path)
    doc = store.load()
    doc.connectors[0].autosync_timer = value
    store.save(doc)
    os._exit(0)


@pytest.mark.parametrize("step", STEPS, ids=[s[0] for s in STEPS])
def test_killed_saves_leave_old_or_new_file_whole(tmp_path, step):
    name, call, number, when = step
    path = tmp_path / "Configuration.xml"
    path.write_bytes(document_with(minimal_spec()).to_bytes())
    store_module._backup_folder(path)  # made once, so each save writes exactly two temp files
    outcomes = set()
    for round_ in range(ROUNDS):
        before = path.read_bytes()
        value = str(1000 + round_)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                _save_and_die(path, value, call, number, when)
            finally:
                os._exit(3)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, name
        after = path.read_bytes()
        doc = ConfigDocument.from_bytes(after, str(path))  # whole: it parses
        timer = doc.connectors[0].autosync_timer
        assert after == before or timer == value, name
        outcomes.add("new" if after != before else "old")
        if name in ("before-write", "mid-write", "after-write-before-fsync", "before-replace",
                    "after-replace"):
            backups = list_backups(path)
            assert backups and backups[0].path.read_bytes() == before
        store = ConfigStore(path)  # a stale lock of the killed process must not block the next
        assert store.lock.owner() is None or store.lock._stale(store.lock.owner())
        for leftover in tmp_path.glob(".*.tmp"):
            leftover.unlink()  # a killed save may leave its temp file; the next save ignores it
    expected = {"new"} if name == "after-replace" else {"old"}
    assert outcomes == expected, name
