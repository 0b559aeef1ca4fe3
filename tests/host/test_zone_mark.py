"""The downloaded-file mark and network shares: read through a fake stream here, through NTFS on
the Windows runner; the wizard says when a DLL carries the mark and clears it from its own DLLs."""

from __future__ import annotations

import sys
from pathlib import Path, PureWindowsPath

import pytest

from app.bridge.locate import ConnectorLibrary
from app.host import zone

DATA = Path(__file__).resolve().parents[1] / "data" / "zone"


def streams(**marks: bytes):
    """A fake NTFS: file name -> bytes of its Zone.Identifier stream."""
    return lambda path: marks.get(Path(path).name)


@pytest.mark.parametrize("name,zone_id", [("internet-download.txt", 3), ("zip-extracted.txt", 3),
                                          ("utf16-intranet.txt", 1)])
def test_real_shaped_marks_are_read(name, zone_id):
    assert zone.parse_zone((DATA / name).read_bytes()) == zone_id


@pytest.mark.parametrize("data", [b"", b"ZoneId=3\r\n", b"[Other]\r\nZoneId=3\r\n", b"[ZoneTransfer]\r\nZoneId=x\r\n",
                                  b"\x00\xff" * 100])
def test_unreadable_marks_give_no_zone(data):
    assert zone.parse_zone(data) is None


def test_a_marked_dll_is_named_in_the_note(tmp_path):
    dll = tmp_path / "Contoso.Connector.dll"
    read = streams(**{dll.name: (DATA / "internet-download.txt").read_bytes()})
    warning = zone.load_warning(dll, read)
    assert "Contoso.Connector.dll carries Windows' mark of a file from the Internet" in warning
    assert "Unblock" in warning
    assert zone.load_warning(tmp_path / "Other.dll", read) == ""


def test_a_dll_marked_as_from_this_computer_is_not_remote(tmp_path):
    read = streams(**{"Local.dll": b"[ZoneTransfer]\r\nZoneId=0\r\n"})
    assert zone.load_warning(tmp_path / "Local.dll", read) == ""


@pytest.mark.parametrize("path,share", [(r"\\server\c$\Program Files\Microsoft ECMA2Host\Service\ECMA\A.dll", True),
                                        (r"\\?\UNC\server\share\A.dll", True),
                                        (r"\\?\C:\Program Files\A.dll", False),
                                        (r"\\.\pipe\x", False), (r"C:\Program Files\A.dll", False),
                                        ("//server/share/A.dll", True)])
def test_network_shares_are_recognised(path, share):
    assert zone.on_network_share(PureWindowsPath(path)) is share


def test_clear_marks_reports_what_stays_marked():
    marks = {"Python.Runtime.dll": b"[ZoneTransfer]\r\nZoneId=3\r\n", "ClrLoader.dll": b"[ZoneTransfer]\r\nZoneId=3\r\n"}
    read_only = {"ClrLoader.dll"}

    def remove(path: Path) -> bool:
        if path.name in read_only:
            return False  # access denied: Program Files without elevation
        marks.pop(path.name, None)
        return True

    stuck = zone.clear_marks([Path("Python.Runtime.dll"), Path("ClrLoader.dll"), Path("Clean.dll")],
                             lambda p: marks.get(p.name), remove)
    assert stuck == [Path("ClrLoader.dll")]
    assert "Python.Runtime.dll" not in marks


def test_the_connector_note_says_outside_and_marked(tmp_path, monkeypatch):
    dll = tmp_path / "Contoso.dll"
    monkeypatch.setattr(zone, "read_zone_stream", lambda p: b"[ZoneTransfer]\r\nZoneId=3\r\n")
    note = ConnectorLibrary(dll, None, outside_host=True).note(None)
    assert "lies outside" in note and "carries Windows' mark" in note
    inside = ConnectorLibrary(dll, None, outside_host=False).note(None)
    assert inside.startswith("note: Contoso.dll carries")


@pytest.mark.skipif(sys.platform != "win32", reason="alternate data streams exist only on NTFS (Windows runner)")
def test_real_ntfs_mark_is_read_and_removed(tmp_path):
    dll = tmp_path / "Marked.dll"
    dll.write_bytes(b"MZ")
    with open(f"{dll}:Zone.Identifier", "wb") as fh:
        fh.write((DATA / "internet-download.txt").read_bytes())
    assert zone.zone_of(dll) == 3
    assert dll.read_bytes() == b"MZ"  # the stream is beside the data, not in it
    assert zone.clear_marks([dll]) == []
    assert zone.zone_of(dll) is None
