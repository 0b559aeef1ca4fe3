"""Compile the test connectors (C# beside this file), cached by source hash: Mono's mcs, or on
Windows the .NET Framework's own csc.exe (where strong-name binding is real).

Used by tests/bridge/conftest.py and tests/benchmarks/bench_bridge.py. The stand-in
Microsoft.MetadirectoryServicesEx.dll is built from our own source (never Microsoft's DLL).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SOURCES = Path(__file__).resolve().parent / "dotnet"
INTERFACE = "Microsoft.MetadirectoryServicesEx"
# (output assembly, source file, extra references besides the interface DLL), in build order
CONNECTORS = (
    ("Contoso.SqlLike", "SqlLike.cs", ()),
    ("Contoso.LdapLike", "LdapLike.cs", ()),
    ("Contoso.PsHelper", "PsHelper.cs", ()),
    ("Contoso.PsLike", "PsLike.cs", ("Contoso.PsHelper",)),
    ("Contoso.Misbehaving", "Misbehaving.cs", ()),
    ("Contoso.Leaky", "Leaky.cs", ()),
    # shaped like public connectors, with the dependency DLLs that lie beside them
    ("log4net", "Log4Like.cs", ()),
    ("Contoso.ScriptMA.Helpers", "ScriptMAHelpers.cs", ()),
    ("Contoso.ScriptMA", "ScriptMA.cs", ("log4net", "Contoso.ScriptMA.Helpers")),
    ("Contoso.SqlMA", "SqlMA.cs", ("log4net",)),
    ("Contoso.Hostile", "Hostile.cs", ()),
)
# The interface stand-in: configuration-time types, then the run-time ones real connectors use.
INTERFACE_SOURCES = ("MetadirectoryServicesEx.cs", "MetadirectoryServicesEx.Run.cs")


class NoCompiler(Exception):
    """mcs (or mono) is not installed."""


@dataclass(frozen=True)
class TestDlls:
    folder: Path

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.dll"

    @property
    def interface(self) -> Path:
        return self.path(INTERFACE)

    @property
    def sql(self) -> Path:
        return self.path("Contoso.SqlLike")

    @property
    def ldap(self) -> Path:
        return self.path("Contoso.LdapLike")

    @property
    def ps(self) -> Path:
        return self.path("Contoso.PsLike")

    @property
    def ps_helper(self) -> Path:
        return self.path("Contoso.PsHelper")

    @property
    def bad(self) -> Path:
        return self.path("Contoso.Misbehaving")

    @property
    def leaky(self) -> Path:
        return self.path("Contoso.Leaky")

    @property
    def script_ma(self) -> Path:
        return self.path("Contoso.ScriptMA")

    @property
    def sql_ma(self) -> Path:
        return self.path("Contoso.SqlMA")

    @property
    def dependencies(self) -> tuple[Path, ...]:
        """DLLs that lie beside the connectors but are none: a log4net-like library, a helper."""
        return (self.path("log4net"), self.path("Contoso.ScriptMA.Helpers"))

    @property
    def hostile(self) -> Path:
        return self.path("Contoso.Hostile")


def netfx_csc() -> Path | None:
    """csc.exe of the .NET Framework 4.x (every Windows has it), 64-bit first."""
    windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
    for arch in ("Framework64", "Framework"):
        csc = windir / "Microsoft.NET" / arch / "v4.0.30319" / "csc.exe"
        if csc.is_file():
            return csc
    return None


def compiler() -> list[str] | None:
    if sys.platform == "win32":
        csc = netfx_csc()
        return [str(csc), "-target:library", "-nologo"] if csc else None
    # C# 5: what the .NET Framework's csc.exe compiles, so Linux catches what Windows CI would
    return ["mcs", "-target:library", "-sdk:4.5", "-langversion:5", "-nologo"] if shutil.which("mcs") else None


def missing_tools() -> str:
    """Why the .NET tests cannot run here, or '' when they can."""
    if sys.platform == "win32":
        if netfx_csc() is None:
            return "the .NET Framework's csc.exe is not installed"
    else:
        for tool in ("mcs", "mono"):
            if shutil.which(tool) is None:
                return f"{tool} (Mono) is not installed"
    try:
        import pythonnet  # noqa: F401
    except ImportError:
        return "pythonnet is not installed"
    return ""


def _hash() -> str:
    h = hashlib.sha256()
    for f in sorted(SOURCES.glob("*.cs")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    h.update(repr((CONNECTORS, compiler())).encode())
    return h.hexdigest()[:16]


def cache_root() -> Path:
    return Path(os.environ.get("ECMA_TEST_DOTNET_CACHE", Path.home() / ".cache" / "ecma-wizard-tests"))


def _mcs(out: Path, sources: list[Path], refs: list[Path]) -> None:
    cmd = (compiler() or []) + [f"-out:{out}"]
    cmd += [f"-r:{r}" for r in refs] + [str(s) for s in sources]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed on {sources[0].name}:\n{done.stdout}{done.stderr}")


def build(root: Path | None = None) -> TestDlls:
    """The compiled DLLs, from the cache when the sources are unchanged."""
    if compiler() is None:
        raise NoCompiler("no C# compiler (mcs, or csc.exe on Windows)")
    root = root or cache_root()
    target = root / f"dotnet-{_hash()}"
    if (target / "done").exists():
        return TestDlls(target)
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=root))
    try:
        interface = work / f"{INTERFACE}.dll"
        _mcs(interface, [SOURCES / s for s in INTERFACE_SOURCES], [])
        for name, source, extra in CONNECTORS:
            _mcs(work / f"{name}.dll", [SOURCES / source], [interface] + [work / f"{e}.dll" for e in extra])
        (work / "done").write_text("ok")
        try:
            work.rename(target)
        except OSError:  # another run built it meanwhile
            pass
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return TestDlls(target)
