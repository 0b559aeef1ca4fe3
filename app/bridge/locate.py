"""Which DLLs the bridge may load, and where the host's interface DLL is.

Loading a DLL runs its code, so the bridge loads only a DLL the user named or one that the host's
configuration names in the host's own Service\\ECMA folder; never one that came in a bundle, an
export or an import. Microsoft's Microsoft.MetadirectoryServicesEx.dll is never shipped: the copy
the host itself uses is found beside the connector, then in the host's Service and Service\\ECMA
folders, then (Windows) in the GAC.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from app.errors import UserError
from app.host import zone
from app.host.dlls import DEPENDENCY_REASON, is_dependency
from app.host.layout import HostLayout

INTERFACE_DLL = "Microsoft.MetadirectoryServicesEx.dll"
GAC = "GAC"  # the interface DLL comes from the Global Assembly Cache (loaded by its full name)


@dataclass(frozen=True)
class ConnectorLibrary:
    """A connector DLL the bridge may load, with the interface DLL it will be loaded with."""

    dll: Path
    interface_dll: Path | None  # None: from the GAC (Windows)
    outside_host: bool  # the DLL does not lie in the host's Service\ECMA folder

    @property
    def library_name(self) -> str:
        """As Configuration.xml stores it: the file name without '.dll'."""
        return self.dll.name[:-4] if self.dll.name.lower().endswith(".dll") else self.dll.name

    def note(self, host: HostLayout | None) -> str:
        """What the user should know before this DLL's code runs ('' when nothing): outside the
        host's folder, or marked as downloaded / on a share (zone.py)."""
        marked = zone.load_warning(self.dll)
        if not self.outside_host:
            return marked
        where = f"the host's ECMA folder ({host.ecma_dir})" if host and host.ecma_dir else "a host's ECMA folder"
        outside = (f"note: {self.dll} lies outside {where}; its code runs in a separate process, and "
                   "the host will only load it once it is copied there.")
        return f"{outside} {marked}" if marked and not zone.on_network_share(self.dll) else outside


def _is_within(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError):
        return False


def find_interface_dll(dll: Path, host: HostLayout | None) -> Path | None:
    """Beside the connector, then the host's Service and Service\\ECMA folders; None means the GAC
    (Windows only). Elsewhere a missing interface DLL is a UserError saying where we looked."""
    folders = [dll.parent]
    if host is not None and host.root is not None:
        folders += [host.root / "Service", host.root / "Service" / "ECMA"]
    for folder in folders:
        candidate = folder / INTERFACE_DLL
        if candidate.is_file():
            return candidate
    if sys.platform == "win32":
        return None
    looked = ", ".join(str(f) for f in dict.fromkeys(folders))
    raise UserError(f"{INTERFACE_DLL} (the host's ECMA2 interface DLL) is not in {looked}; "
                    "give the host's folder with --host-dir, or copy the host's own DLL beside the "
                    "connector (this tool never ships Microsoft's DLL).", path=dll)


def user_named(dll: str | Path, host: HostLayout | None) -> ConnectorLibrary:
    """A DLL the user picked (CLI argument, file dialog)."""
    path = Path(dll).expanduser()
    if not path.is_file():
        raise UserError("does not exist or is not a file (expected a connector DLL)", path=path)
    if path.suffix.lower() != ".dll":
        raise UserError("is not a .dll file (expected a connector DLL)", path=path)
    path = path.resolve()
    if is_dependency(path):  # log4net and the like: nothing to ask, and no code of it is run
        raise UserError(f"is {DEPENDENCY_REASON}", path=path)
    ecma = host.ecma_dir if host is not None else None
    return ConnectorLibrary(path, find_interface_dll(path, host), not _is_within(path, ecma))


def configured(library_name: str, host: HostLayout) -> ConnectorLibrary:
    """The DLL a configured connector names, taken only from the host's own Service\\ECMA folder."""
    if host.ecma_dir is None:
        raise UserError("only a Configuration.xml was given, so the host's ECMA folder is unknown; "
                        "give the host's folder with --host-dir", path=host.config_path)
    name = Path(library_name).name  # a name, never a path: nothing outside the folder
    if not name.lower().endswith(".dll"):
        name += ".dll"
    path = host.ecma_dir / name
    if not path.is_file():
        raise UserError(f"has no {name} (the connector's LibraryName)", path=host.ecma_dir)
    return ConnectorLibrary(path.resolve(), find_interface_dll(path, host), False)
