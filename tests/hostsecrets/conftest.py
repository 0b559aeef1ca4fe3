"""Mono's own BinaryFormatter for the tests: the stand-in classes are compiled once per source
(cached by source hash in the temp folder). Without Mono the tests skip, except under CI=true, where a
missing Mono fails (the workflow installs it)."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from app.hostsecrets.hostlayout import stand_in_source

SOURCE = Path(__file__).with_name("mono") / "StandIns.cs"


class Probe:
    """Runs the compiled stand-ins: serialize a shape with BinaryFormatter, deserialize bytes."""

    def __init__(self, exe: Path, scratch: Path) -> None:
        self.exe, self.scratch = exe, scratch

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["mono", str(self.exe), *args], capture_output=True, text=True,
                              timeout=60, check=False)

    def serialize(self, shape: str, arg: str = "", types_when_needed: bool = False) -> bytes:
        done = self._run("serialize", shape, arg or "-", *(["typesWhenNeeded"] if types_when_needed else []))
        assert done.returncode == 0, done.stderr
        return base64.b64decode(done.stdout)

    def deserialize(self, data: bytes) -> str:
        """.NET's dump of the object in `data`, or "FAILED <exception>"."""
        path = self.scratch / f"in-{hashlib.sha256(data).hexdigest()[:16]}.b64"
        path.write_text(base64.b64encode(data).decode("ascii"))
        return self._run("deserialize", str(path)).stdout


@pytest.fixture(scope="session")
def mono(tmp_path_factory) -> Probe:
    if shutil.which("mono") is None or shutil.which("mcs") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Mono (mono and mcs) is required on CI for the BinaryFormatter tests")
        pytest.skip("Mono (mono, mcs) is not installed: .NET's BinaryFormatter is not available")
    guess = stand_in_source()
    digest = hashlib.sha256(SOURCE.read_bytes() + guess.encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"ecma-wizard-mono-standins-{os.getuid() if hasattr(os, 'getuid') else 0}"
    folder.mkdir(exist_ok=True)
    exe = folder / f"probe-{digest}.exe"
    if not exe.is_file():
        guess_file = folder / f"hostguess-{digest}.cs"
        guess_file.write_text(guess)
        partial = folder / f"probe-{digest}-{os.getpid()}.exe"  # renamed when whole: no half-built cache
        built = subprocess.run(["mcs", "-nologo", f"-out:{partial}", str(SOURCE), str(guess_file)],
                               capture_output=True, text=True, timeout=300, check=False)
        assert built.returncode == 0, built.stdout + built.stderr
        os.replace(partial, exe)
    return Probe(exe, tmp_path_factory.mktemp("mono"))
