"""The one-folder zip (installer/build.py): modes kept, symlinks stored once, one top folder."""

from __future__ import annotations

import stat
import sys
import zipfile

import pytest

from .conftest import load


@pytest.fixture(scope="module")
def build():
    return load("build.py", "installer_build")


def test_names_follow_the_issue(build):
    assert build.onefile_path().name in ("ecma-wizard", "ecma-wizard.exe")
    assert build.onefile_path().parent == build.ROOT / "dist"
    assert build.zip_path().name == f"ecma-wizard-{build.version()}-{build.os_name()}-x64.zip"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and symlinks")
def test_the_zip_keeps_the_executable_bit_and_links(build, tmp_path):
    folder = tmp_path / "ecma-wizard"
    (folder / "_internal" / "lib").mkdir(parents=True)
    exe = folder / "ecma-wizard"
    exe.write_bytes(b"\x7fELF")
    exe.chmod(0o755)
    big = folder / "_internal" / "lib" / "libQt6Core.so.6"
    big.write_bytes(b"x" * 100_000)
    (folder / "_internal" / "libQt6Core.so.6").symlink_to("lib/libQt6Core.so.6")

    target = build.make_zip(folder, tmp_path / "out.zip")
    with zipfile.ZipFile(target) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        assert set(infos) == {"ecma-wizard/ecma-wizard", "ecma-wizard/_internal/lib/libQt6Core.so.6",
                              "ecma-wizard/_internal/libQt6Core.so.6"}
        assert infos["ecma-wizard/ecma-wizard"].external_attr >> 16 & 0o111
        link = infos["ecma-wizard/_internal/libQt6Core.so.6"]
        assert stat.S_ISLNK(link.external_attr >> 16)
        assert archive.read(link) == b"lib/libQt6Core.so.6"
    assert target.stat().st_size < 2_000  # the library is stored once (and compresses well)
