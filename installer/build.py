"""Build the portable executables into dist/ (called by build_linux.sh and build_windows.ps1).

    python installer/build.py [--only onefile|onedir]

Produces dist/ecma-wizard (Linux) or dist/ecma-wizard.exe (Windows), the one-file build, and
dist/ecma-wizard-<version>-<os>-x64.zip, the one-folder build for hosts whose policy blocks
programs running from %TEMP% (where the one-file build unpacks itself). Prints their sizes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "ecma-wizard.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build"
WINDOWS = sys.platform == "win32"


def version() -> str:
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__ = "([^"]+)"', text).group(1)


def os_name() -> str:
    return "windows" if WINDOWS else "linux" if sys.platform.startswith("linux") else sys.platform


def onefile_path() -> Path:
    return DIST / ("ecma-wizard.exe" if WINDOWS else "ecma-wizard")


def zip_path() -> Path:
    return DIST / f"ecma-wizard-{version()}-{os_name()}-x64.zip"


def pyinstaller(mode: str, distpath: Path) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
               "--distpath", str(distpath), "--workpath", str(WORK / mode), str(SPEC), "--",
               "--mode", mode]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT, env=env)


def build_onefile() -> Path:
    pyinstaller("onefile", DIST)
    return onefile_path()


def build_onedir() -> Path:
    folder_dist = WORK / "onedir-dist"
    shutil.rmtree(folder_dist, ignore_errors=True)
    pyinstaller("onedir", folder_dist)
    return make_zip(folder_dist / "ecma-wizard", zip_path())


def make_zip(folder: Path, target: Path) -> Path:
    """Zip `folder` as one top-level folder, keeping file modes and storing symlinks as links.

    PyInstaller links a few Qt libraries into the top folder on Linux; following them (as
    shutil.make_archive does) would store those libraries twice.
    """
    target.unlink(missing_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder.parent).as_posix()
            if path.is_symlink():
                info = zipfile.ZipInfo(name, date_time=time.localtime(path.lstat().st_mtime)[:6])
                info.create_system = 3  # Unix, so that unzip reads the mode bits below
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, os.readlink(path))
            elif path.is_file():
                archive.write(path, name)
    return target


def megabytes(path: Path) -> float:
    return path.stat().st_size / 1e6


def folder_megabytes(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("onefile", "onedir"))
    args = parser.parse_args(argv)
    DIST.mkdir(exist_ok=True)
    started = time.monotonic()
    built: list[str] = []
    if args.only in (None, "onefile"):
        exe = build_onefile()
        built.append(f"one-file:   {exe.relative_to(ROOT)}  {megabytes(exe):.1f} MB")
    if args.only in (None, "onedir"):
        archive = build_onedir()
        folder = WORK / "onedir-dist" / "ecma-wizard"
        built.append(f"one-folder: {archive.relative_to(ROOT)}  {megabytes(archive):.1f} MB zipped, "
                     f"{folder_megabytes(folder):.1f} MB unpacked")
    print(f"built in {time.monotonic() - started:.0f} s")
    for line in built:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
