"""The .exe.config files under the same faults as Configuration.xml: killed at every step of a save
(200 times), full disk, read-only file system or folder, a file locked by another program, a file
changed on disk meanwhile. After each: the file is the old or the new one, whole, and the backup
exists once the backup step has passed."""

from __future__ import annotations

import os
import shutil

import pytest

from app import filestore as store_module
from app.errors import SaveRefused
from app.filestore import list_backups
from app.host.appconfig import LEVELS, AppConfig, AppConfigStore, set_logging_level
from app.host.layout import from_host_dir
from tests.osfaults import read_only_folder
from tests.reliability.faults import BACKUP_TAKEN, STEPS, WORDS, killed_child, os_error

ROUNDS = 25  # 8 steps x 25 = 200 interrupted saves of the service's .exe.config

fork_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")


@pytest.fixture
def host(tmp_path, sample_host):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    layout = from_host_dir(root)
    for path in (layout.service_config_path, layout.wizard_config_path):
        store_module._backup_folder(path)  # made once: each save then writes exactly two temp files
    return layout


def _leftovers(folder) -> list:
    return [p for p in folder.rglob(".*.tmp")]


def _clean(folder) -> None:
    for p in _leftovers(folder):
        p.unlink()  # a killed save may leave its temp file; the next save ignores it


@fork_only
@pytest.mark.slow  # forked saves killed mid-way
@pytest.mark.parametrize("step", STEPS, ids=[s[0] for s in STEPS])
def test_killed_appconfig_saves_leave_old_or_new_file_whole(host, step):
    name, call, number, when = step
    path = host.service_config_path
    outcomes = set()
    for round_ in range(ROUNDS):
        before = path.read_bytes()
        url = f"http://*:{9000 + round_}/ecma2host"

        def save(url=url):
            store = AppConfigStore(path)
            config = store.load()
            config.set_app_setting("UrlHost", url)
            store.save(config)

        assert killed_child(save, call, number, when), name
        after = path.read_bytes()
        config = AppConfig.from_bytes(after, str(path))  # whole: it parses
        assert after == before or config.url_host == url, name
        if after != before:  # the new file is exactly the old one with one value changed
            assert after == before.replace(before.split(b'key="UrlHost" value="')[1].split(b'"')[0],
                                           url.encode(), 1)
        outcomes.add("new" if after != before else "old")
        if name in BACKUP_TAKEN:
            assert list_backups(path)[0].path.read_bytes() == before
        lock = AppConfigStore(path).lock  # the killed process's lock must not block the next save
        assert lock.owner() is None or lock._stale(lock.owner())
        _clean(host.root)
    assert outcomes == ({"new"} if name == "after-replace" else {"old"}), name


@fork_only
@pytest.mark.parametrize("number", [1, 2, 3, 4], ids=["service-backup", "service", "wizard-backup",
                                                       "wizard"])
@pytest.mark.parametrize("when", ["before", "half"])
def test_killed_logging_level_change_leaves_each_file_old_or_new(host, number, when):
    """`logging set` writes two files; a kill anywhere leaves each one whole (old or new level)."""
    files = (host.service_config_path, host.wizard_config_path)
    for round_, level in enumerate(["Warning", "Verbose", "Off"]):
        before = [p.read_bytes() for p in files]
        assert killed_child(lambda level=level: set_logging_level(host, level), "write", number, when)
        for path, old in zip(files, before, strict=True):
            config = AppConfig.from_bytes(path.read_bytes(), str(path))
            assert path.read_bytes() == old or config.switch_value("ECMA2Host") == level, round_
        # the service file is written first: a kill during the wizard's leaves the service new
        service_new = files[0].read_bytes() != before[0]
        wizard_new = files[1].read_bytes() != before[1]
        assert (service_new, wizard_new) == ((number >= 3), False)
        _clean(host.root)


@pytest.mark.parametrize("kind", list(WORDS))
@pytest.mark.parametrize("where", ["open", "write", "fsync", "replace"])
@pytest.mark.parametrize("which", ["backup", "file"])
def test_disk_faults_refuse_with_the_file_untouched(host, monkeypatch, kind, where, which):
    path = host.service_config_path
    original = path.read_bytes()
    backups_before = len(list_backups(path))
    store = AppConfigStore(path)
    config = store.load()
    config.set_switch_value("ECMA2Host", "Error")
    real = getattr(os, where)
    seen = {"tmp": 0}

    target = 1 if which == "backup" else 2

    def failing(*args, **kw):
        if seen["tmp"] == target:
            raise os_error(kind)
        return real(*args, **kw)

    real_open = os.open

    def counting_open(file, flags, *rest):
        if str(file).endswith(".tmp"):
            seen["tmp"] += 1
            if where == "open" and seen["tmp"] == target:
                raise os_error(kind)
        return real_open(file, flags, *rest)

    with monkeypatch.context() as patch:
        patch.setattr(store_module.os, "open", counting_open)
        if where != "open":
            patch.setattr(store_module.os, where, failing)
        with pytest.raises(SaveRefused) as caught:
            store.save(config)
    message = caught.value.sentence()
    assert WORDS[kind] in message and str(path) in message
    assert "Traceback" not in message
    assert path.read_bytes() == original
    assert not _leftovers(host.root)
    # a refused backup means nothing was saved; a refused file save still leaves its backup
    assert len(list_backups(path)) == backups_before + (1 if which == "file" else 0)
    assert not AppConfigStore(path).lock.path.exists()  # the lock was released
    # and once the fault is gone, the same store saves
    assert store.save(config).changed


def test_really_read_only_folder(host):
    """Root is not bound by folder permissions: skipped then (the injected EACCES case covers it)."""
    path = host.service_config_path
    store = AppConfigStore(path)
    config = store.load()
    config.set_switch_value("ECMA2Host", "Error")
    with read_only_folder(path.parent):
        with pytest.raises(SaveRefused):
            store.save(config)


def test_changed_on_disk_meanwhile_each_way(host):
    """Edited, replaced or deleted by someone else since it was read: never silently overwritten."""
    path = host.service_config_path
    for change in ("edit", "replace", "delete"):
        store = AppConfigStore(path)
        config = store.load()
        config.set_switch_value("ECMA2Host", "Warning")
        if change == "edit":
            path.write_bytes(path.read_bytes().replace(b"Information", b"Error"))
        elif change == "replace":
            store_module.atomic_write(path, path.read_bytes().replace(b"8585", b"8586"))
        else:
            saved = path.read_bytes()
            path.unlink()
        theirs = path.read_bytes() if path.exists() else None
        with pytest.raises(SaveRefused, match="changed on disk"):
            store.save(config)
        assert (path.read_bytes() if path.exists() else None) == theirs
        if change == "delete":
            path.write_bytes(saved)


def test_two_stores_on_one_file_second_save_refused(host):
    path = host.service_config_path
    first, second = AppConfigStore(path), AppConfigStore(path)
    a, b = first.load(), second.load()
    a.set_switch_value("ECMA2Host", "Error")
    b.set_switch_value("ECMA2Host", "Verbose")
    first.save(a)
    with pytest.raises(SaveRefused, match="changed on disk"):
        second.save(b)
    assert AppConfig.load(path).switch_value("ECMA2Host") == "Error"


def test_a_held_lock_refuses_a_second_editor(host):
    path = host.service_config_path
    holder = AppConfigStore(path)
    holder.lock.acquire()
    try:
        other = AppConfigStore(path)
        config = other.load()
        config.set_switch_value("ECMA2Host", "Error")
        before = path.read_bytes()
        with pytest.raises(SaveRefused, match="being edited by"):
            other.save(config)
        assert path.read_bytes() == before
    finally:
        holder.lock.release()


@pytest.mark.parametrize("level", [v for v in LEVELS if v != "Error"])  # the wizard's is Error
def test_logging_level_with_a_disk_fault_moves_nothing_it_cannot_finish(host, monkeypatch, level):
    """A fault on the second file leaves the first saved (with its backup) and the second whole."""
    files = (host.service_config_path, host.wizard_config_path)
    before = [p.read_bytes() for p in files]
    real_replace = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 4:  # the wizard file's own replace
            raise os_error("locked")
        return real_replace(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr(store_module.os, "replace", replace)
        with pytest.raises(SaveRefused, match="locked by another program"):
            set_logging_level(host, level)
    assert files[1].read_bytes() == before[1]
    assert AppConfig.from_bytes(files[0].read_bytes()).switch_value("ECMA2Host") == level
    assert not _leftovers(host.root)
