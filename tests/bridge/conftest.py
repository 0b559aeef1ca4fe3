"""The .NET test connectors, compiled once per source hash; a host folder laid out like ECMA2Host.

Without Mono the tests skip with the reason, except under CI=true, where they fail: CI installs
Mono, so a missing one there is a broken build, not a reason to skip.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dotnet_build import TestDlls, build, missing_tools

from app.config.builders import EMPTY_CONFIGURATION
from tests.ci import missing_tool


@pytest.fixture(scope="session")
def dlls() -> TestDlls:
    why = missing_tools()
    if why:
        missing_tool(f"the .NET bridge tests need Mono and pythonnet: {why}")
    return build()


@pytest.fixture
def host(tmp_path: Path, dlls: TestDlls) -> Path:
    """An ECMA2Host-shaped folder: the interface DLL in Service, the connectors in Service\\ECMA."""
    root = tmp_path / "host"
    ecma = root / "Service" / "ECMA"
    (root / "Service" / "Configuration").mkdir(parents=True)
    ecma.mkdir()
    (root / "Service" / "Configuration" / "Configuration.xml").write_bytes(EMPTY_CONFIGURATION)
    shutil.copy(dlls.interface, root / "Service")
    for dll in (dlls.sql, dlls.ldap, dlls.ps, dlls.ps_helper, dlls.bad, dlls.leaky):
        shutil.copy(dll, ecma)
    return root


@pytest.fixture
def lonely_ps(tmp_path: Path, dlls: TestDlls) -> Path:
    """The PowerShell-like connector without its private dependency beside it."""
    folder = tmp_path / "lonely"
    folder.mkdir()
    shutil.copy(dlls.ps, folder)
    shutil.copy(dlls.interface, folder)
    return folder / dlls.ps.name


@pytest.fixture
def real_host(tmp_path: Path, dlls: TestDlls) -> Path:
    """A host whose Service\\ECMA holds connectors shaped like public ones with the dependency DLLs
    that lie beside such connectors (a log4net-like library, a connector's helper)."""
    root = tmp_path / "realhost"
    ecma = root / "Service" / "ECMA"
    (root / "Service" / "Configuration").mkdir(parents=True)
    ecma.mkdir()
    (root / "Service" / "Configuration" / "Configuration.xml").write_bytes(EMPTY_CONFIGURATION)
    shutil.copy(dlls.interface, root / "Service")
    for dll in (dlls.script_ma, dlls.sql_ma, *dlls.dependencies):
        shutil.copy(dll, ecma)
    return root
