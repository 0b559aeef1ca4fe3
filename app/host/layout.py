"""Where an ECMA2Host install keeps its files (docs/host-facts.md §1), and which host we work on.

Resolution order: `--config FILE`, then `--host-dir DIR`, then a real install at
`C:\\Program Files\\Microsoft ECMA2Host` (Windows), else a private copy of the bundled sample
host in the user data folder: never the packaged files themselves.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import UserError
from app.paths import data_dir, resources_dir

if TYPE_CHECKING:  # the store loads lxml: imported when a host's configuration is first opened
    from app.config.store import ConfigStore

DEFAULT_INSTALL = Path(r"C:\Program Files\Microsoft ECMA2Host")
SERVICE_CONFIG = "Microsoft.ECMA2Host.Service.exe.config"
WIZARD_CONFIG = "Microsoft.ECMA2Host.ConfigWizard.exe.config"


@dataclass(frozen=True)
class HostLayout:
    """Paths of one host. `root` is None when only a Configuration.xml was named."""

    config_path: Path
    root: Path | None = None
    is_sample: bool = False

    @property
    def service_dir(self) -> Path | None:
        return self.root / "Service" if self.root else None

    @property
    def service_config_path(self) -> Path | None:
        return self.root / "Service" / SERVICE_CONFIG if self.root else None

    @property
    def wizard_config_path(self) -> Path | None:
        return self.root / "Wizard" / WIZARD_CONFIG if self.root else None

    @property
    def ecma_dir(self) -> Path | None:
        return self.root / "Service" / "ECMA" if self.root else None

    def cache_dir(self, connector: str) -> Path | None:
        return self.root / "Service" / "ECMA" / "Cache" / connector if self.root else None

    @property
    def troubleshooting_dir(self) -> Path | None:
        return self.root / "Troubleshooting" if self.root else None

    @property
    def logs_dir(self) -> Path | None:
        """Only the sample host has a Logs folder (a wevtutil-style dump); real ones use Event Log."""
        return self.root / "Logs" if self.root else None

    def connector_dlls(self) -> list[Path]:
        """The DLLs in Service\\ECMA (not the Cache copies)."""
        if not self.ecma_dir or not self.ecma_dir.is_dir():
            return []
        return sorted(p for p in self.ecma_dir.iterdir() if p.suffix.lower() == ".dll" and p.is_file())

    def config_store(self) -> ConfigStore:
        """The store of this host's Configuration.xml, warning after a save while Microsoft's
        wizard runs (the machine check lives here, in the host layer, not in the store)."""
        from app.config.store import ConfigStore

        return ConfigStore(self.config_path, warn=_wizard_warnings)

    def describe(self) -> str:
        if self.is_sample:
            return f"the sample host (a private copy at {self.root})"
        return str(self.root or self.config_path)


def _wizard_warnings() -> list[str]:
    # imported when a save asks, not when the store is made (subprocess is not needed to start)
    from app.host.processes import wizard_warnings

    return wizard_warnings()


def config_in(root: Path) -> Path:
    return root / "Service" / "Configuration" / "Configuration.xml"


def from_host_dir(root: str | Path) -> HostLayout:
    root = Path(root)
    if not root.is_dir():
        raise UserError("is not a folder (expected an ECMA2Host install folder)", path=root)
    config = config_in(root)
    if not config.exists():
        raise UserError("has no Service\\Configuration\\Configuration.xml; is it an ECMA2Host "
                        "install folder?", path=root)
    return HostLayout(config, root)


def from_config(path: str | Path) -> HostLayout:
    """A named Configuration.xml; if it sits inside an install tree, the whole host is known."""
    config = Path(path)
    parent = config.resolve().parent
    root = None
    if parent.name == "Configuration" and parent.parent.name == "Service":
        root = parent.parent.parent
    return HostLayout(config, root)


def sample_host_copy(refresh: bool = False) -> HostLayout:
    """The bundled sample host, copied once to the data folder so the packaged one is never edited."""
    target = data_dir() / "sample-host"
    if refresh and target.exists():
        shutil.rmtree(target)
    if not target.exists():
        shutil.copytree(resources_dir() / "sample-host", target)
    return HostLayout(config_in(target), target, is_sample=True)


def installed_host() -> HostLayout | None:
    """The real install on this machine, if any (Windows only)."""
    if sys.platform != "win32":
        return None
    root = Path(os.environ.get("ECMA2HOST_DIR", DEFAULT_INSTALL))
    return HostLayout(config_in(root), root) if config_in(root).exists() else None


def resolve(config: str | None = None, host_dir: str | None = None) -> HostLayout:
    if config:
        return from_config(config)
    if host_dir:
        return from_host_dir(host_dir)
    return installed_host() or sample_host_copy()
