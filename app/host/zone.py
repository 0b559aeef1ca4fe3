"""Windows' "this file came from another computer" mark (the Zone.Identifier stream), and DLLs on
a network share: the two reasons the .NET Framework refuses to load a DLL that loads elsewhere.

Explorer, browsers and Outlook write an NTFS alternate data stream `<file>:Zone.Identifier`
holding an INI text such as `[ZoneTransfer]` / `ZoneId=3` (Microsoft: "Attachment Manager" and
the URLZONE enumeration: 0 this computer, 1 intranet, 2 trusted sites, 3 Internet, 4 restricted
sites). Unzipping a marked zip with Explorer marks every file inside. Under .NET Framework 4,
`Assembly.LoadFrom` of a file from the Internet or intranet zone (a marked file, or one on a
share) throws unless the process's configuration enables `<loadFromRemoteSources>` (Microsoft:
"loadFromRemoteSources element"); `Assembly.UnsafeLoadFrom` loads it anyway. The host's own
service loads connector DLLs the way it does (how it treats a marked DLL is listed in
docs/host-facts.md as a fact to confirm), so the wizard says when a DLL carries the mark.

Reading and removing the stream sit behind two small functions so tests give a fake stream.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

ZONE_STREAM = "Zone.Identifier"
ZONE_NAMES = {0: "this computer", 1: "the local intranet", 2: "trusted sites", 3: "the Internet",
              4: "restricted sites"}
MAX_STREAM = 64 * 1024  # a real mark is a few hundred bytes (a ReferrerUrl and a HostUrl)

ReadStream = Callable[[Path], bytes | None]


def read_zone_stream(path: Path) -> bytes | None:
    """The mark's bytes, None when the file has none (or this is not Windows/NTFS)."""
    if sys.platform != "win32":
        return None  # alternate data streams are an NTFS feature read through Win32 names
    try:
        with open(f"{path}:{ZONE_STREAM}", "rb") as fh:
            return fh.read(MAX_STREAM)
    except OSError:
        return None


def remove_zone_stream(path: Path) -> bool:
    """Delete the mark (what Unblock-File and Explorer's "Unblock" do); False when it stays."""
    if sys.platform != "win32":
        return True
    try:
        Path(f"{path}:{ZONE_STREAM}").unlink(missing_ok=True)
    except OSError:
        return False
    return True


def parse_zone(data: bytes) -> int | None:
    """ZoneId from the stream's INI text (ANSI or UTF-16 with a BOM, any line ends); None when
    there is no readable ZoneId."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16", errors="replace")
    else:
        text = data.decode("latin-1")
    in_section = False
    for raw in text.splitlines():
        line = raw.strip().lstrip("\ufeff")
        if line.startswith("["):
            in_section = line.lower() == "[zonetransfer]"
            continue
        key, sep, value = line.partition("=")
        if in_section and sep and key.strip().lower() == "zoneid":
            try:
                return int(value.strip())
            except ValueError:
                return None
    return None


def zone_of(path: Path, read: ReadStream | None = None) -> int | None:
    """The zone Windows recorded for `path`, or None when the file carries no mark."""
    data = (read or read_zone_stream)(Path(path))
    return None if data is None else parse_zone(data)


def is_remote_zone(zone: int | None) -> bool:
    """Every zone but this computer's is remote to the .NET Framework's LoadFrom."""
    return zone is not None and zone >= 1


def on_network_share(path: Path) -> bool:
    r"""A UNC path (\\server\share\..., including administrative shares like \\server\c$)."""
    text = str(path).replace("/", "\\")
    if text.startswith("\\\\?\\UNC\\"):
        return True
    return text.startswith("\\\\") and not text.startswith("\\\\?\\") and not text.startswith("\\\\.\\")


def clear_marks(paths: list[Path], read: ReadStream | None = None,
                remove: Callable[[Path], bool] | None = None) -> list[Path]:
    """Remove the mark from files that are our own (the program's bundled .NET DLLs, trusted as
    much as the program the user started); returns those that still carry it (a read-only
    folder, e.g. under Program Files without elevation)."""
    read, remove = read or read_zone_stream, remove or remove_zone_stream
    stuck = []
    for path in paths:
        if read(path) is not None and not (remove(path) and read(path) is None):
            stuck.append(path)
    return stuck


def load_warning(dll: Path, read: ReadStream | None = None) -> str:
    """One sentence when the .NET Framework would treat `dll` as coming from elsewhere, else ''."""
    zone = zone_of(dll, read)
    if is_remote_zone(zone):
        where = ZONE_NAMES.get(zone or 0, f"zone {zone}")
        return (f"note: {dll.name} carries Windows' mark of a file from {where} (downloaded or "
                "unzipped from a download); the wizard loads it anyway, but remove the mark "
                "(file Properties > Unblock, or Unblock-File) before the host's service uses it.")
    if on_network_share(dll):
        return (f"note: {dll.name} is on a network share; the wizard loads it anyway, but the "
                "host's service loads connector DLLs from its own Service\\ECMA folder: copy it there.")
    return ""
