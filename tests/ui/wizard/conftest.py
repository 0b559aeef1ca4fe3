"""The .NET test connectors for the wizard's DLL-built pages (compiled by tests/bridge/dotnet_build.py)
and a copy of the sample host with them in its Service\\ECMA folder. Without Mono the tests skip
with the reason, except under CI=true, where they fail (as tests/bridge does)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bridge"))
from dotnet_build import TestDlls, build, missing_tools

from tests.ci import missing_tool


@pytest.fixture(scope="session")
def dotnet_dlls() -> TestDlls:
    why = missing_tools()
    if why:
        missing_tool(f"the wizard's connector DLL tests need Mono and pythonnet: {why}")
    return build()


@pytest.fixture
def dll_host(sample_host, tmp_path, dotnet_dlls):
    """A copy of the sample host with the interface DLL in Service and the test connectors in
    Service\\ECMA; returns (layout, store, document)."""
    from app.config.store import ConfigStore
    from app.host.layout import from_host_dir

    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    shutil.copy(dotnet_dlls.interface, root / "Service")
    for dll in (dotnet_dlls.sql, dotnet_dlls.ldap, dotnet_dlls.bad, dotnet_dlls.leaky):
        shutil.copy(dll, root / "Service" / "ECMA")
    layout = from_host_dir(root)
    store = ConfigStore(layout.config_path)
    return layout, store, store.load()


@pytest.fixture
def real_dll_host(sample_host, tmp_path, dotnet_dlls):
    """A copy of the sample host with connectors shaped like public ones and the dependency DLLs
    beside them (a log4net-like library, a connector's helper); returns (layout, store, document)."""
    from app.config.store import ConfigStore
    from app.host.layout import from_host_dir

    root = tmp_path / "realhost"
    shutil.copytree(sample_host, root)
    shutil.copy(dotnet_dlls.interface, root / "Service")
    for dll in (dotnet_dlls.script_ma, dotnet_dlls.sql_ma, *dotnet_dlls.dependencies):
        shutil.copy(dll, root / "Service" / "ECMA")
    layout = from_host_dir(root)
    store = ConfigStore(layout.config_path)
    return layout, store, store.load()
