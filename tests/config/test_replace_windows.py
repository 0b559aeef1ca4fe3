"""Saving on Windows: ReplaceFileW (keeps the old file's ACL and attributes), retried while the
file is busy, every documented failure leaving the file as it was.

`FakeReplaceFile` plays ReplaceFileW on real files as Microsoft documents it ("ReplaceFileW
function", with a backup name given): success renames the replaced file to the backup name and
the replacement to the replaced name, carrying the replaced file's attributes (modelled by its
mode bits); 5/32 (a scanner or the service holding the file), 1175 and 1176 change nothing;
1177 leaves the old file under the backup name and the replacement under its own.
"""

from __future__ import annotations

import os
import stat
import sys

import pytest

from app import filestore, winreplace
from app.errors import SaveRefused
from app.filestore import FileStore, atomic_write
from app.liveness import ProcessState


class FakeReplaceFile:
    def __init__(self, *codes: int) -> None:
        self.codes, self.calls = list(codes), []

    def __call__(self, replaced: str, replacement: str, backup: str) -> int:
        self.calls.append((replaced, replacement, backup))
        code = self.codes.pop(0) if self.codes else 0
        if code == 0:
            os.chmod(replacement, stat.S_IMODE(os.stat(replaced).st_mode))  # the old file's attributes
            os.replace(replaced, backup)
            os.replace(replacement, replaced)
        elif code == winreplace.ERROR_UNABLE_TO_MOVE_REPLACEMENT_2:
            os.replace(replaced, backup)
        return code


@pytest.fixture
def windows(monkeypatch):
    """The Windows branch of atomic_write, with ReplaceFileW faked and the pauses recorded."""
    pauses: list[float] = []
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(winreplace.time, "sleep", pauses.append)

    def use(fake: FakeReplaceFile) -> list[float]:
        monkeypatch.setattr(winreplace, "kernel32_replace", fake)
        return pauses
    return use


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "Configuration.xml"
    path.write_bytes(b"<Configuration>old</Configuration>")
    os.chmod(path, 0o600)  # stands for the explicit ACL of a file holding secrets
    return path


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_save_goes_through_replacefile_and_keeps_the_old_files_attributes(windows, config):
    fake = FakeReplaceFile()
    windows(fake)
    store = FileStore(config)
    store.lock.probe = lambda pid: ProcessState(True, "win:1")  # kernel32 is not here
    store.read()
    store.replace(b"<Configuration>new</Configuration>")
    assert config.read_bytes() == b"<Configuration>new</Configuration>"
    if os.name == "posix":  # sys.platform is faked here; Windows has no mode bits to compare
        assert stat.S_IMODE(config.stat().st_mode) == 0o600
    replaced, replacement, backup = fake.calls[0]
    assert replaced == str(config) and replacement.endswith(".tmp") and backup.endswith(".old")
    assert leftovers(config.parent) == []  # temp, backup and lock all gone


def test_a_busy_file_is_retried_briefly(windows, config):
    pauses = windows(FakeReplaceFile(32, 5))
    atomic_write(config, b"new")
    assert config.read_bytes() == b"new" and pauses == [0.05, 0.1]


def test_a_file_held_open_is_refused_in_one_sentence_after_1_55_s(windows, config):
    pauses = windows(FakeReplaceFile(*[32] * 10))
    with pytest.raises(SaveRefused, match="locked by another program") as caught:
        atomic_write(config, b"new")
    assert "unchanged" in caught.value.sentence()
    assert config.read_bytes() == b"<Configuration>old</Configuration>"
    assert sum(pauses) == pytest.approx(1.55) and leftovers(config.parent) == []


def test_access_denied_says_permission(windows, config):
    windows(FakeReplaceFile(*[5] * 10))
    with pytest.raises(SaveRefused, match="permission denied"):
        atomic_write(config, b"new")
    assert config.read_bytes() == b"<Configuration>old</Configuration>"


def test_replacement_that_cannot_be_moved_puts_the_old_file_back(windows, config):
    windows(FakeReplaceFile(winreplace.ERROR_UNABLE_TO_MOVE_REPLACEMENT_2))
    with pytest.raises(SaveRefused):
        atomic_write(config, b"new")
    assert config.read_bytes() == b"<Configuration>old</Configuration>"
    assert leftovers(config.parent) == []


def test_a_new_file_needs_no_replacefile(windows, tmp_path):
    fake = FakeReplaceFile()
    windows(fake)
    atomic_write(tmp_path / "new.txt", b"x")
    assert (tmp_path / "new.txt").read_bytes() == b"x" and fake.calls == []


def test_unknown_failure_is_not_retried(windows, config):
    pauses = windows(FakeReplaceFile(87, 0))
    with pytest.raises(SaveRefused):
        atomic_write(config, b"new")
    assert pauses == [] and config.read_bytes() == b"<Configuration>old</Configuration>"


def test_why_names_replacefile_failures():
    for code in (32, 1175, 1176, 1177):
        exc = OSError(13, "x")
        exc.winerror = code  # type: ignore[attr-defined]
        assert "locked by another program" in filestore.why(exc)


@pytest.mark.skipif(sys.platform != "win32", reason="the real ReplaceFileW exists only on Windows")
def test_real_replacefile(tmp_path):
    target = tmp_path / "Configuration.xml"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and leftovers(tmp_path) == []
