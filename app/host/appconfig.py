"""The two .exe.config files of a host (docs/host-facts.md §1): the one module that reads and writes them.

`Microsoft.ECMA2Host.Service.exe.config` holds `appSettings` (`UrlHost`, `Debug`,
`WriteVerboseLog`) and the `system.diagnostics` sources `ConnectorsLog` and `ECMA2Host` whose
`switchValue` sets the logging level; the wizard's `.exe.config` has the same source pair.

Edits go through `LosslessXml`, so comments and formatting stay as they are and a one-value change
is a one-line diff. Saving goes through `app/config/store.py` (backup, atomic replace, one editor
at a time) and is refused when the file changed on disk since it was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from app.config.xmltext import LosslessXml, local_name, read_file
from app.errors import UserError
from app.filestore import Backup, FileStore
from app.host.layout import HostLayout

# .NET's SourceLevels names, case sensitive as the service reads them (docs/host-facts.md §1).
LEVELS = ("Off", "Error", "Warning", "Information", "Verbose")
SOURCES = ("ConnectorsLog", "ECMA2Host")
URL_HOST, DEBUG, WRITE_VERBOSE_LOG = "UrlHost", "Debug", "WriteVerboseLog"
_PORT_IN_URL = re.compile(r"^[a-z]+://[^/:]*:(\d+)(?:/|$)", re.I)


def normalize_level(text: str) -> str:
    """The exact level name for what a user typed ("verbose" -> "Verbose"), or a UserError."""
    for level in LEVELS:
        if level.lower() == text.strip().lower():
            return level
    raise UserError(f"'{text}' is not a logging level; use one of {', '.join(LEVELS)}.")


def port_of_url(url: str | None) -> int | None:
    """8585 for `http://*:8585/ecma2host`; None when the URL names no port."""
    m = _PORT_IN_URL.match((url or "").strip())
    return int(m.group(1)) if m else None


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() == "true"


class AppConfig:
    """One .exe.config file, read losslessly; typed getters and setters for what we edit."""

    def __init__(self, xml: LosslessXml, path: Path | None = None) -> None:
        self.xml = xml
        self.path = path
        if local_name(xml.root) != "configuration":
            raise UserError(f"is not a .NET configuration file (its root is <{local_name(xml.root)}>, "
                            "not <configuration>)", path=xml.source)

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<memory>") -> AppConfig:
        return cls(LosslessXml(data, source))

    @classmethod
    def load(cls, path: str | Path) -> AppConfig:
        path = Path(path)
        config = cls.from_bytes(read_file(path), str(path))
        config.path = path
        return config

    @property
    def source(self) -> str:
        return self.xml.source

    @property
    def modified(self) -> bool:
        return self.xml.modified

    def to_bytes(self) -> bytes:
        return self.xml.to_bytes()

    # -- appSettings -----------------------------------------------------------------------
    def _setting_element(self, key: str) -> etree._Element | None:
        for el in self.xml.root.iterfind("appSettings/add"):
            if el.get("key") == key:
                return el
        return None

    def app_setting(self, key: str) -> str | None:
        el = self._setting_element(key)
        return None if el is None else el.get("value")

    def set_app_setting(self, key: str, value: str) -> None:
        """Change `<add key=.. value=..>`; add the entry (and `<appSettings>`) when missing."""
        el = self._setting_element(key)
        if el is not None:
            self.xml.set_attribute(el, "value", value)
            return
        section = self.xml.root.find("appSettings")
        if section is None:
            section = self.xml.insert(self.xml.root, len(self.xml.root), etree.Element("appSettings"))
        new = etree.Element("add")
        new.set("key", key)
        new.set("value", value)
        self.xml.append(section, new)

    @property
    def url_host(self) -> str | None:
        return self.app_setting(URL_HOST)

    @property
    def url_port(self) -> int | None:
        return port_of_url(self.url_host)

    @property
    def debug(self) -> bool | None:
        """True means the service runs WITHOUT authentication (docs/host-facts.md §1, §4)."""
        return _flag(self.app_setting(DEBUG))

    @property
    def write_verbose_log(self) -> bool | None:
        return _flag(self.app_setting(WRITE_VERBOSE_LOG))

    def set_write_verbose_log(self, on: bool, *, add_if_missing: bool = True) -> None:
        if self._setting_element(WRITE_VERBOSE_LOG) is None and not add_if_missing:
            return
        self.set_app_setting(WRITE_VERBOSE_LOG, "true" if on else "false")

    # -- system.diagnostics sources ----------------------------------------------------------
    def _source_element(self, name: str) -> etree._Element | None:
        for el in self.xml.root.iterfind("system.diagnostics/sources/source"):
            if el.get("name") == name:
                return el
        return None

    @property
    def sources(self) -> list[str]:
        return [el.get("name", "") for el in self.xml.root.iterfind("system.diagnostics/sources/source")]

    def switch_value(self, source: str) -> str | None:
        """The value as written (it may be a wrong-case one the service would not accept)."""
        el = self._source_element(source)
        return None if el is None else el.get("switchValue")

    def set_switch_value(self, source: str, level: str) -> None:
        if level not in LEVELS:
            raise UserError(f"'{level}' is not a logging level; use one of {', '.join(LEVELS)}.")
        el = self._source_element(source)
        if el is None:
            raise UserError(f"has no <source name=\"{source}\"> under system.diagnostics; add it with "
                            "Microsoft's installer (repair) rather than by hand", path=self.source)
        self.xml.set_attribute(el, "switchValue", level)

    def bad_levels(self) -> dict[str, str]:
        """Sources whose switchValue the service would not read (unknown name or wrong case)."""
        return {s: v for s in self.sources if (v := self.switch_value(s)) is not None and v not in LEVELS}


@dataclass(frozen=True)
class AppConfigSave:
    path: Path
    changed: bool
    backup: Backup | None


class AppConfigStore(FileStore):
    """Load and save one .exe.config: the same FileStore as Configuration.xml (lock, change check
    on the bytes it reads once, backup, atomic replace)."""

    def load(self) -> AppConfig:
        config = AppConfig.from_bytes(self.read(), str(self.path))
        config.path = self.path
        return config

    def save(self, config: AppConfig) -> AppConfigSave:
        if not config.modified:
            return AppConfigSave(self.path, False, None)
        return self.write_bytes(config.to_bytes())  # verified by LosslessXml: reads back as edited

    def write_bytes(self, data: bytes) -> AppConfigSave:
        """The one place that replaces an .exe.config (logging changes, a bundle restore)."""
        AppConfig.from_bytes(data, str(self.path))  # never write what could not be read back
        return AppConfigSave(self.path, True, self.replace(data))


# -- the host's pair of files ------------------------------------------------------------------
@dataclass(frozen=True)
class LoggingLevels:
    """What `logging show` prints for one file."""

    path: Path
    role: str  # "service" or "wizard"
    levels: dict[str, str | None]
    write_verbose_log: bool | None


def config_files(layout: HostLayout) -> list[tuple[str, Path]]:
    """(role, path) of the .exe.config files that exist on this host layout."""
    found = []
    for role, path in (("service", layout.service_config_path), ("wizard", layout.wizard_config_path)):
        if path is not None and path.exists():
            found.append((role, path))
    if not found:
        where = layout.root or layout.config_path
        raise UserError("has no Microsoft.ECMA2Host.*.exe.config files; name the install folder "
                        "with --host-dir", path=where)
    return found


def logging_levels(layout: HostLayout) -> list[LoggingLevels]:
    out = []
    for role, path in config_files(layout):
        config = AppConfig.load(path)
        out.append(LoggingLevels(path, role, {s: config.switch_value(s) for s in SOURCES},
                                 config.write_verbose_log))
    return out


def set_logging_level(layout: HostLayout, level: str) -> list[AppConfigSave]:
    """Set both sources in both files, and WriteVerboseLog (true only for Verbose).

    Every file is read and edited before the first is written, so a file we cannot edit stops
    the change before anything on disk moved.
    """
    level = normalize_level(level)
    planned = []
    for role, path in config_files(layout):
        store = AppConfigStore(path)
        config = store.load()
        for source in SOURCES:
            if config.switch_value(source) is not None or role == "service":
                config.set_switch_value(source, level)
        # The wizard's file carries WriteVerboseLog only on some versions; never add it there.
        config.set_write_verbose_log(level == "Verbose", add_if_missing=role == "service")
        planned.append((store, config))
    return [store.save(config) for store, config in planned]
