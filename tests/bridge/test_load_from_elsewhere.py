"""DLLs from a share or a download: the bridge loads them deliberately (UnsafeLoadFrom) and
unblocks its own .NET DLLs before the runtime starts.

`NetFx4Assembly` is a stand-in for System.Reflection.Assembly under .NET Framework 4 without
`<loadFromRemoteSources>` (Microsoft: "Assembly.LoadFrom" remarks and "loadFromRemoteSources
element"): LoadFrom of a file from a remote zone throws FileLoadException (HRESULT 0x80131515,
"An attempt was made to load an assembly from a network location ..."); UnsafeLoadFrom loads it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.bridge import dotnet
from app.bridge.dotnet import ConnectorFault, load_from
from app.host import zone

MARK = b"[ZoneTransfer]\r\nZoneId=3\r\n"


class FileLoadException(Exception):
    pass


class NetFx4Assembly:
    marked: set[str] = set()

    @classmethod
    def LoadFrom(cls, path: str) -> str:
        if path in cls.marked or zone.on_network_share(Path(path)):
            raise FileLoadException("An attempt was made to load an assembly from a network location "
                                    "which would have caused the assembly to be sandboxed (0x80131515)")
        return f"assembly:{path}"

    @classmethod
    def UnsafeLoadFrom(cls, path: str) -> str:
        return f"assembly:{path}"


def test_a_marked_or_shared_connector_dll_is_loaded(tmp_path):
    marked = tmp_path / "Downloaded.dll"
    NetFx4Assembly.marked = {str(marked)}
    with pytest.raises(FileLoadException):
        NetFx4Assembly.LoadFrom(str(marked))  # what the bridge did before
    assert load_from(NetFx4Assembly, marked) == f"assembly:{marked}"
    share = r"\\fileserver\connectors\Contoso.dll"
    assert load_from(NetFx4Assembly, share) == f"assembly:{share}"


def test_the_bridge_never_calls_plain_loadfrom():
    source = Path(dotnet.__file__).read_text(encoding="utf-8")
    assert ".LoadFrom(" not in source


@pytest.fixture
def windows_with_marked_runtime(monkeypatch, tmp_path):
    """Our own DLLs unzipped by Explorer from a downloaded zip: every one carries the mark."""
    own = [tmp_path / "runtime" / "Python.Runtime.dll", tmp_path / "dlls" / "amd64" / "ClrLoader.dll"]
    marks = {p: MARK for p in own}
    writable = {"value": True}

    def remove(path: Path) -> bool:
        if not writable["value"]:
            return False
        marks.pop(path, None)
        return True

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(dotnet, "own_dotnet_dlls", lambda: own)
    monkeypatch.setattr(zone, "read_zone_stream", lambda p: marks.get(p))
    monkeypatch.setattr(zone, "remove_zone_stream", remove)
    return marks, writable


def netfx_loader(marks: dict[Path, bytes]):
    """clr_loader's netfx start: ClrLoader loads Python.Runtime.dll with Assembly.LoadFrom."""
    def load(kind: str) -> None:
        assert kind == "netfx"
        if marks:
            raise RuntimeError("Failed to resolve Python.Runtime.Loader.Initialize")
        raise SystemExit("loaded")  # stop before `import clr`, which needs a real runtime
    return load


def test_own_dlls_are_unblocked_before_the_runtime_starts(windows_with_marked_runtime):
    marks, _ = windows_with_marked_runtime
    with pytest.raises(SystemExit, match="loaded"):
        dotnet.start_runtime(netfx_loader(marks))
    assert marks == {}


def test_own_dlls_that_stay_marked_are_one_sentence(windows_with_marked_runtime):
    marks, writable = windows_with_marked_runtime
    writable["value"] = False  # Program Files, not elevated
    with pytest.raises(ConnectorFault) as caught:
        dotnet.start_runtime(netfx_loader(marks))
    assert caught.value.type_name == "BlockedByDownloadMark"
    assert "Python.Runtime.dll" in caught.value.message and "Unblock" in caught.value.message
