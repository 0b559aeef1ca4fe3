""".NET's own BinaryFormatter for the tests: Mono's (mcs, mono) on Linux, and on Windows the .NET
Framework's own csc.exe when Mono is absent. The stand-in classes are compiled once per source
(cached by source hash in the temp folder). Without a compiler the tests skip, except under CI=true,
where a missing one fails (the workflow installs Mono; Windows runners have the .NET Framework)."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from app.hostsecrets.hostlayout import stand_in_source
from tests.ci import missing_tool

SOURCE = Path(__file__).with_name("mono") / "StandIns.cs"


class Probe:
    """Runs the compiled stand-ins: serialize a shape with BinaryFormatter, deserialize bytes."""

    def __init__(self, exe: Path, scratch: Path, runner: list[str]) -> None:
        self.exe, self.scratch, self.runner = exe, scratch, runner

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.runner, str(self.exe), *args], capture_output=True, text=True,
                              encoding="utf-8", timeout=60, check=False)

    def serialize(self, shape: str, arg: str = "", types_when_needed: bool = False) -> bytes:
        done = self._run("serialize", shape, arg or "-", *(["typesWhenNeeded"] if types_when_needed else []))
        assert done.returncode == 0, done.stderr
        return base64.b64decode(done.stdout)

    def deserialize(self, data: bytes) -> str:
        """.NET's dump of the object in `data`, or "FAILED <exception>"."""
        path = self.scratch / f"in-{hashlib.sha256(data).hexdigest()[:16]}.b64"
        path.write_text(base64.b64encode(data).decode("ascii"))
        return self._run("deserialize", str(path)).stdout


def _toolchain() -> tuple[list[str], list[str]] | None:
    """(compiler command, runner prefix): Mono's, else the .NET Framework's csc.exe on Windows."""
    if shutil.which("mono") and shutil.which("mcs"):
        return [shutil.which("mcs") or "mcs"], ["mono"]
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        for folder in ("Framework64", "Framework"):
            csc = windir / "Microsoft.NET" / folder / "v4.0.30319" / "csc.exe"
            if csc.is_file():
                return [str(csc)], []
    return None


@pytest.fixture(scope="session")
def mono(tmp_path_factory) -> Probe:
    toolchain = _toolchain()
    if toolchain is None:
        missing_tool("Mono (mono, mcs) is not installed: .NET's BinaryFormatter is not available")
    compiler, runner = toolchain
    guess = stand_in_source()
    digest = hashlib.sha256(SOURCE.read_bytes() + guess.encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"ecma-wizard-mono-standins-{os.getuid() if hasattr(os, 'getuid') else 0}"
    folder.mkdir(exist_ok=True)
    exe = folder / f"probe-{digest}.exe"
    if not exe.is_file():
        guess_file = folder / f"hostguess-{digest}.cs"
        guess_file.write_text(guess)
        partial = folder / f"probe-{digest}-{os.getpid()}.exe"  # renamed when whole: no half-built cache
        built = subprocess.run([*compiler, "-nologo", f"-out:{partial}", str(SOURCE), str(guess_file)],
                               capture_output=True, text=True, timeout=300, check=False)
        assert built.returncode == 0, built.stdout + built.stderr
        os.replace(partial, exe)
    return Probe(exe, tmp_path_factory.mktemp("mono"), runner)
