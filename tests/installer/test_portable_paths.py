"""Portable mode and the bundle's resources with a faked frozen sys (app/paths.py)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import platformdirs
import pytest

from app import paths
from app.errors import UserError
from tests.osfaults import read_only_folder


@pytest.fixture
def frozen(tmp_path, monkeypatch):
    """A one-file build started from tmp/jump/ecma-wizard.exe, unpacked in tmp/_MEI12345."""
    exe_dir = tmp_path / "jump"
    exe_dir.mkdir()
    extracted = tmp_path / "_MEI12345"
    (extracted / "resources").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe_dir / "ecma-wizard.exe"))
    monkeypatch.setattr(sys, "_MEIPASS", str(extracted), raising=False)
    monkeypatch.delenv("ECMA_WIZARD_DATA", raising=False)
    profile = tmp_path / "profile"
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(profile))
    return exe_dir, extracted, profile


def test_with_the_marker_everything_lives_beside_the_executable(frozen):
    exe_dir, extracted, _ = frozen
    (exe_dir / paths.PORTABLE_MARKER).touch()
    assert paths.portable_dir() == exe_dir / "data"
    assert paths.data_dir() == exe_dir / "data"
    assert paths.backups_dir() == exe_dir / "data" / "backups"
    assert (exe_dir / "data" / "backups").is_dir()
    assert not any(extracted.rglob("*backups*"))


def test_the_crash_log_goes_beside_the_executable(frozen):
    exe_dir, extracted, _ = frozen
    (exe_dir / paths.PORTABLE_MARKER).touch()
    from app.datastore import record_crash

    log = record_crash("Traceback: something")
    assert log.parent == exe_dir / "data"
    assert extracted not in log.parents


def test_the_sample_host_copy_goes_beside_the_executable(frozen):
    exe_dir, extracted, _ = frozen
    (exe_dir / paths.PORTABLE_MARKER).touch()
    real = Path(__file__).resolve().parents[2] / "resources"
    extracted_resources = extracted / "resources"
    extracted_resources.rmdir()
    shutil.copytree(real, extracted_resources)
    from app.host.layout import sample_host_copy

    layout = sample_host_copy()
    assert (exe_dir / "data") in layout.root.parents
    assert layout.config_path.is_file()


def test_without_the_marker_data_stays_in_the_profile(frozen):
    exe_dir, extracted, profile = frozen
    assert paths.portable_dir() is None
    assert paths.data_dir() == profile
    assert not (exe_dir / "data").exists()


def test_the_marker_in_the_extraction_folder_does_not_count(frozen):
    _, extracted, profile = frozen
    (extracted / paths.PORTABLE_MARKER).touch()
    assert paths.data_dir() == profile


def test_the_environment_override_beats_portable_mode(frozen, tmp_path, monkeypatch):
    exe_dir, _, _ = frozen
    (exe_dir / paths.PORTABLE_MARKER).touch()
    monkeypatch.setenv("ECMA_WIZARD_DATA", str(tmp_path / "ci"))
    assert paths.data_dir() == tmp_path / "ci"


def test_from_source_the_marker_beside_python_is_ignored(tmp_path, monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    (tmp_path / paths.PORTABLE_MARKER).touch()
    assert paths.portable_dir() is None


def test_resources_come_from_the_bundle_when_frozen(frozen):
    _, extracted, _ = frozen
    assert paths.resources_dir() == extracted / "resources"


def test_resources_come_from_the_checkout_from_source(monkeypatch):
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert (paths.resources_dir() / "schema" / "configuration.xsd").is_file()


def test_a_read_only_portable_folder_is_one_sentence(frozen):
    exe_dir, _, _ = frozen
    (exe_dir / paths.PORTABLE_MARKER).touch()
    with read_only_folder(exe_dir):
        with pytest.raises(UserError) as caught:
            paths.data_dir()
        assert "portable data folder cannot be created" in str(caught.value)
        assert paths.PORTABLE_MARKER in str(caught.value)
