"""Kill the saving process at every step of a save of Configuration.xml: the file on disk is
always the old or the new one, whole, and once the backup step has passed the backup exists
(issue "Proof of reliability", fault injection)."""

from __future__ import annotations

import os

import pytest

from app import filestore as store_module
from app.config.document import ConfigDocument
from app.config.store import ConfigStore
from app.filestore import list_backups
from tests.config.helpers import document_with, minimal_spec
from tests.reliability.faults import BACKUP_TAKEN, STEPS, killed_child

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
ROUNDS = 25  # 8 steps x 25 = 200 interrupted saves


@pytest.mark.slow  # 200 forked saves killed mid-way
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

        def save(value: str = value) -> None:
            store = ConfigStore(path)
            doc = store.load()
            doc.connectors[0].autosync_timer = value
            store.save(doc)

        assert killed_child(save, call, number, when), name
        after = path.read_bytes()
        doc = ConfigDocument.from_bytes(after, str(path))  # whole: it parses
        assert after == before or doc.connectors[0].autosync_timer == value, name
        outcomes.add("new" if after != before else "old")
        if name in BACKUP_TAKEN:
            backups = list_backups(path)
            assert backups and backups[0].path.read_bytes() == before
        store = ConfigStore(path)  # a stale lock of the killed process must not block the next
        assert store.lock.owner() is None or store.lock._stale(store.lock.owner())
        for leftover in tmp_path.glob(".*.tmp"):
            leftover.unlink()  # a killed save may leave its temp file; the next save ignores it
    assert outcomes == ({"new"} if name == "after-replace" else {"old"}), name
