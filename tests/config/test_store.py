"""Safe saving: backups, atomic replace, external changes, locks, and failures that leave the
file untouched."""

from __future__ import annotations

import errno
import json
import os
import socket

import pytest

from app import filestore as store_module
from app.cli import main
from app.config.store import ConfigStore
from app.errors import SaveRefused
from app.filestore import KEEP_BACKUPS, EditLock, atomic_write
from tests.config.helpers import changed_lines, document_with, minimal_spec
from tests.osfaults import read_only_folder


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "Configuration.xml"
    path.write_bytes(document_with(minimal_spec()).to_bytes())
    return path


def test_save_backs_up_then_replaces(config):
    original = config.read_bytes()
    store = ConfigStore(config)
    doc = store.load()
    doc.connectors[0].autosync_timer = "10"
    result = store.save(doc)
    assert result.changed and result.backup is not None
    assert result.backup.path.read_bytes() == original
    assert len(changed_lines(original, config.read_bytes())) == 2
    assert result.document.connectors[0].autosync_timer == "10"
    assert not list(config.parent.glob(".*.tmp"))
    assert not store.lock.path.exists()  # released after the save


def test_unchanged_document_is_not_written(config):
    store = ConfigStore(config)
    mtime = config.stat().st_mtime_ns
    result = store.save(store.load())
    assert not result.changed and config.stat().st_mtime_ns == mtime


def test_keeps_the_last_20_backups_and_restores(config):
    store = ConfigStore(config)
    doc = store.load()
    for minutes in range(1, KEEP_BACKUPS + 6):
        doc.connectors[0].autosync_timer = str(minutes)
        doc = store.save(doc).document
    backups = store.backups()
    assert len(backups) == KEEP_BACKUPS
    assert backups[0].taken >= backups[-1].taken
    # the newest backup holds the timer before the last save
    store.restore("1")
    assert ConfigStore(config).load().connectors[0].autosync_timer == str(KEEP_BACKUPS + 4)


def test_refuses_to_overwrite_a_file_changed_on_disk(config):
    store = ConfigStore(config)
    doc = store.load()
    config.write_bytes(config.read_bytes().replace(b"<Port>8585", b"<Port>9999"))
    doc.connectors[0].autosync_timer = "10"
    with pytest.raises(SaveRefused, match="changed on disk"):
        store.save(doc)
    assert b"<Port>9999" in config.read_bytes() and b">10<" not in config.read_bytes()


def test_second_editor_is_refused(config):
    first, second = ConfigStore(config), ConfigStore(config)
    first.lock.acquire()
    try:
        doc = second.load()
        doc.connectors[0].autosync_timer = "10"
        with pytest.raises(SaveRefused, match="being edited by"):
            second.save(doc)
    finally:
        first.lock.release()
    assert second.save(doc).changed


def test_stale_lock_of_a_dead_process_is_taken_over(config):
    lock = EditLock(config)
    lock.path.write_text(json.dumps({"pid": 999999, "host": socket.gethostname()}))
    lock.acquire()
    assert lock.held
    lock.release()


@pytest.mark.parametrize("err,words", [(errno.ENOSPC, "disk is full"), (errno.EACCES, "permission denied"),
                                       (errno.EROFS, "read-only")])
def test_os_failures_leave_the_file_untouched(config, monkeypatch, err, words):
    original = config.read_bytes()
    store = ConfigStore(config)
    doc = store.load()
    doc.connectors[0].autosync_timer = "10"
    real_write = os.write

    def failing_write(fd, data):
        if len(data) > 1000:
            raise OSError(err, os.strerror(err))
        return real_write(fd, data)

    monkeypatch.setattr(store_module.os, "write", failing_write)
    with pytest.raises(SaveRefused, match=words):
        store.save(doc)
    assert config.read_bytes() == original
    assert not list(config.parent.glob(".*.tmp"))


def test_read_only_folder(config):
    store = ConfigStore(config)
    doc = store.load()
    doc.connectors[0].autosync_timer = "10"
    original = config.read_bytes()
    with read_only_folder(config.parent):
        with pytest.raises(SaveRefused):
            store.save(doc)
    assert config.read_bytes() == original


def test_failure_before_replace_keeps_old_file(config):
    original = config.read_bytes()

    def boom(tmp):
        raise OSError(errno.EIO, "I/O error")

    with pytest.raises(SaveRefused, match="unchanged"):
        atomic_write(config, b"new", _after_write=boom)
    assert config.read_bytes() == original


def test_cli_set_timer_changes_one_line_and_warns(config, capsys):
    before = config.read_bytes()
    assert main(["set-timer", "--config", str(config), "HR", "10"]) == 0
    out = capsys.readouterr()
    assert "below the 120" in out.err and "autosync timer 10 minutes" in out.out
    assert changed_lines(before, config.read_bytes()) == [
        "-        <AutosyncTimer>120</AutosyncTimer>", "+        <AutosyncTimer>10</AutosyncTimer>"]


@pytest.mark.parametrize("args,code", [(["HR", "x"], 2), (["HR", "0"], 2), (["Nope", "10"], 2),
                                       (["hr", "10"], 2), (["HR", "99999999999"], 2),
                                       (["HR", "2147483648"], 2)])
def test_cli_set_timer_bad_input(config, capsys, args, code):
    before = config.read_bytes()
    assert main(["set-timer", "--config", str(config), *args]) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if args[0] == "hr":
        assert "did you mean 'HR'" in err
    assert config.read_bytes() == before


def test_timer_beyond_the_hosts_32_bit_int_fails_validation_and_the_largest_passes(config, capsys):
    text = config.read_bytes()
    config.write_bytes(text.replace(b"<AutosyncTimer>120<", b"<AutosyncTimer>99999999999<"))
    assert main(["validate", "--config", str(config)]) == 1
    assert "larger than the host can read" in capsys.readouterr().out
    config.write_bytes(text)
    assert main(["set-timer", "--config", str(config), "HR", "2147483647"]) == 0


def test_show_says_a_missing_timer_is_not_set(config, capsys):
    config.write_bytes(config.read_bytes().replace(b"<AutosyncTimer>120</AutosyncTimer>", b""))
    main(["show", "--config", str(config)])
    out = capsys.readouterr().out
    assert "timer not set" in out and "every  min" not in out


def test_cli_backups_list_and_restore(config, capsys):
    main(["set-timer", "--config", str(config), "HR", "10"])
    main(["set-timer", "--config", str(config), "HR", "20"])
    capsys.readouterr()
    assert main(["backups", "list", "--config", str(config)]) == 0
    listing = capsys.readouterr().out
    assert " 1  " in listing and " 2  " in listing
    assert main(["backups", "restore", "--config", str(config), "2"]) == 0
    assert b"<AutosyncTimer>120<" in config.read_bytes()


def test_cli_validate_and_show(config, capsys, tmp_path):
    assert main(["validate", "--config", str(config)]) == 0
    assert main(["show", "--config", str(config), "--json"]) == 0
    bad = tmp_path / "bad.xml"
    bad.write_bytes(document_with(minimal_spec(secret_token="short")).to_bytes())
    assert main(["validate", "--config", str(bad), "--json"]) == 1
    assert '"token-short"' in capsys.readouterr().out


def test_cli_diff(config, tmp_path, capsys):
    other = tmp_path / "other.xml"
    other.write_bytes(document_with(minimal_spec(autosync_timer=30, secret_token="y" * 20),
                                    minimal_spec("Badges")).to_bytes())
    assert main(["diff", str(config), str(other)]) == 0
    out = capsys.readouterr().out
    assert "[HR] properties AutosyncTimer: '120' -> '30'" in out
    assert "[Badges] connector Badges: added" in out
    assert "y" * 20 not in out and "(secret) (differs)" in out


def test_the_host_layout_store_warns_while_microsofts_wizard_runs(tmp_path, monkeypatch, sample_host):
    """The store itself knows nothing of the machine; the host's store is given the check."""
    import shutil

    from app.host.layout import from_host_dir

    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    monkeypatch.setattr("app.host.processes.microsoft_wizard_running", lambda: True)
    store = from_host_dir(root).config_store()
    doc = store.load()
    doc.setting.port = "8586"
    assert any("Configuration Wizard is running" in w for w in store.save(doc).warnings)
    plain = ConfigStore(store.path)
    doc = plain.load()
    doc.setting.port = "8587"
    assert plain.save(doc).warnings == []


def test_a_file_deleted_since_it_was_loaded_is_not_silently_recreated(tmp_path, sample_host):
    path = tmp_path / "Configuration.xml"
    path.write_bytes((sample_host / "Service" / "Configuration" / "Configuration.xml").read_bytes())
    store = ConfigStore(path)
    doc = store.load()
    doc.setting.port = "8586"
    path.unlink()
    with pytest.raises(SaveRefused, match="it was deleted"):
        store.save(doc)
    assert not path.exists()


def test_a_change_on_disk_is_found_by_comparing_the_bytes_read_not_a_hash(config, monkeypatch):
    """The store keeps the bytes it read (the document holds them anyway) and compares them with
    the file: exact, and a 4 MB file is no longer hashed at load and twice per save (~3 ms each)."""
    hashed: list[int] = []
    import hashlib

    real_sha256 = hashlib.sha256

    def recording_sha256(data: bytes = b"", *args, **kwargs):
        hashed.append(len(data))
        return real_sha256(data, *args, **kwargs)

    monkeypatch.setattr(hashlib, "sha256", recording_sha256)
    size = config.stat().st_size
    store = ConfigStore(config)
    doc = store.load()
    doc.connectors[0].autosync_timer = "10"
    saved = store.save(doc).document
    assert not store.changed_on_disk()
    assert size not in hashed and config.stat().st_size not in hashed
    # the same length, one byte different: still a change on disk, and the save is refused
    data = bytearray(config.read_bytes())
    data[data.index(b"<Port>") + 6] ^= 1
    config.write_bytes(bytes(data))
    assert store.changed_on_disk()
    saved.connectors[0].autosync_timer = "11"
    with pytest.raises(SaveRefused, match="changed on disk"):
        store.save(saved)
