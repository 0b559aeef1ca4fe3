"""Facts about a connector DLL that need no .NET: size, SHA-256 and the file version.

The file version is the one Explorer shows (the VS_FIXEDFILEINFO of the DLL's version resource).
It is read from the bytes, so it works off Windows too (a host report, a DLL on a share); a DLL
without a version resource simply has none.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from app.errors import UserError

# VS_FIXEDFILEINFO starts with this signature (0xFEEF04BD, little-endian) and its struct version
_FIXED_INFO = b"\xbd\x04\xef\xfe"
MAX_DLL = 512 * 1024 * 1024  # a connector DLL is a few MB; refuse to hash something absurd


@dataclass(frozen=True)
class DllFacts:
    path: Path
    size: int
    sha256: str
    file_version: str | None

    def describe(self) -> str:
        version = self.file_version or "no file version"
        return f"{version}, SHA-256 {self.sha256[:12]}…, {self.size:,} bytes"


def file_version(data: bytes) -> str | None:
    """'a.b.c.d' from the first VS_FIXEDFILEINFO in a PE file, None when it has none."""
    if not data.startswith(b"MZ"):
        return None
    at = data.find(_FIXED_INFO)
    while at != -1:
        if at + 16 <= len(data):
            struc_version, ms, ls = struct.unpack_from("<III", data, at + 4)
            if struc_version in (0x00010000, 0):  # the only versions Windows writes
                return f"{ms >> 16}.{ms & 0xFFFF}.{ls >> 16}.{ls & 0xFFFF}"
        at = data.find(_FIXED_INFO, at + 4)
    return None


def read_dll(path: Path, *, require_pe: bool = True) -> DllFacts:
    """Size, SHA-256 and file version; one sentence when the file cannot be read.

    `require_pe=False` describes whatever is there (a copy about to be replaced may be damaged)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_DLL:
            raise UserError(f"is {size:,} bytes, too large for a connector DLL", path=path)
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"could not be read ({exc.strerror or exc})", path=path) from None
    if require_pe and not data.startswith(b"MZ"):
        raise UserError("is not a Windows DLL (it does not start with 'MZ')", path=path)
    return DllFacts(path, len(data), hashlib.sha256(data).hexdigest(), file_version(data))


# What a connector's file must name: a connector is a public class implementing the ECMA2
# configuration interfaces (IMAExtensible2Get...), which live in Microsoft.MetadirectoryServicesEx;
# a .NET assembly's metadata stores the names of the types and assemblies it uses as UTF-8 text
# (ECMA-335 §II.24.2.3, the #Strings heap), so an assembly that names neither cannot be one.
_METADATA = b"BSJB"  # the metadata root's signature (ECMA-335 §II.24.2.1)
_CONNECTOR_NAMES = (b"Microsoft.MetadirectoryServicesEx", b"IMAExtensible2")
DEPENDENCY_REASON = "a dependency, not a connector: no class in it implements the ECMA2 interfaces"


def is_dependency(path: Path) -> bool:
    """True for a .NET assembly that names neither the ECMA2 interface DLL nor its interfaces (a
    log4net, an NLog, System.Management.Automation beside the connectors). False when it may be a
    connector (only loading it tells: a connector's own helper names the interface DLL too), when
    it is not a .NET assembly at all, or cannot be read: those keep being told as before."""
    try:
        if path.stat().st_size > MAX_DLL:
            return False
        data = path.read_bytes()
    except OSError:
        return False
    if not data.startswith(b"MZ") or _METADATA not in data:
        return False
    return not any(name in data for name in _CONNECTOR_NAMES)
