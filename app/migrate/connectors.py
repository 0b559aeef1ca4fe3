"""Export connectors in Microsoft's export format, and import such files back.

An export is a `<Configuration>` holding the chosen connectors and the host's `<Setting>`, as
Microsoft's wizard writes it (docs/host-facts.md §2, "Secrets"): `SecretToken` empty, written
`<SecretToken></SecretToken>`; every EncryptedString parameter keeps `Encrypted=true` with an
empty `<Value />`; `<ECMAFolderPath />` empty. So Microsoft's wizard imports our exports, and
we import its.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from app.config.builders import EMPTY_CONFIGURATION
from app.config.document import ConfigDocument
from app.config.rules import is_encrypted_blob
from app.config.secretfields import secret_fields
from app.config.xmltext import LosslessXml, element, local_name, parse_bytes
from app.errors import UserError
from app.filestore import atomic_write, take_backup
from app.migrate.mim_export import ROOTS as MIM_ROOTS

SECRET_TOKEN_EMPTY = b"<SecretToken></SecretToken>"  # the style of Microsoft's export [file]


def plain_copy(el: etree._Element) -> etree._Element:
    """A copy with elements, attributes and leaf text only: no comments, no namespace
    declarations inherited from the source document, ready for `LosslessXml.insert`."""
    children = [plain_copy(c) for c in el if isinstance(c.tag, str)]
    new = element(local_name(el), None if children else el.text, children)
    for k, v in el.attrib.items():
        new.set(k, v)
    return new


def blanked_copy(connector_el: etree._Element) -> tuple[etree._Element, list[str]]:
    """A copy of a connector with its secrets and host path blanked, as an export has them."""
    copy = plain_copy(connector_el)
    labels = []
    for s in secret_fields(copy):
        if s.value:
            labels.append(s.label)
        s.el.text = None
    folder = copy.find("ECMAConfig/ECMAFolderPath")
    if folder is not None:
        folder.text = None  # the Cache folder of the source host (docs/host-facts.md §2): meaningless elsewhere
    return copy, labels


# -- export ------------------------------------------------------------------------------------
@dataclass
class ExportResult:
    data: bytes
    connectors: list[str]
    blanked: dict[str, list[str]] = field(default_factory=dict)  # connector -> secrets left out


def export_connectors(doc: ConfigDocument, names: list[str] | None = None,
                      path: str | Path | None = None) -> ExportResult:
    """Microsoft's export format: the named connectors (all when None) and the host setting.
    With `path`, the file is also written (a file it replaces is backed up first)."""
    chosen = [doc.find_connector(n) for n in names] if names else doc.connectors
    if not chosen:
        raise UserError("has no connectors to export", path=doc.source)
    newline = doc.xml.newline
    out = ConfigDocument.from_bytes(EMPTY_CONFIGURATION.replace(b"\n", newline.encode()), "export")
    if doc.root.find("Setting") is not None:
        out.setting.port = doc.setting.port
        out.setting.certificate = doc.setting.certificate
    blanked: dict[str, list[str]] = {}
    for c in chosen:
        copy, labels = blanked_copy(c.el)
        out.add_connector(copy)
        blanked[c.name] = labels
    data = out.to_bytes().replace(b"<SecretToken />", SECRET_TOKEN_EMPTY)
    data = data.rstrip(b"\r\n")  # XmlSerializer ends the file right after the root's end tag
    ConfigDocument.from_bytes(data, "export")  # what we hand out must read back
    if path is not None:
        write_file(Path(path), data)
    return ExportResult(data, [c.name for c in chosen], blanked)


def write_file(path: Path, data: bytes) -> None:
    """An output file of ours, through the store functions."""
    if path.is_dir():
        raise UserError("is a folder; name a file", path=path)
    take_backup(path)
    atomic_write(path, data)


def file_kind(data: bytes, source: str) -> str:
    """'mim' for a MIM management-agent export, 'connectors' for a connector export."""
    from app.migrate.mim_export import normalise_encoding

    root = parse_bytes(normalise_encoding(data, source), source)[0]
    if local_name(root) in MIM_ROOTS:
        return "mim"
    if local_name(root) == "Configuration":
        return "connectors"
    raise UserError(f"has the root element <{local_name(root)}>; expected a connector export "
                    "(<Configuration>) or a MIM management-agent export (<export-ma>, "
                    "<saved-ma-configuration>, <ma-data>)", path=source)


# -- import ------------------------------------------------------------------------------------
def read_connector_file(data: bytes, source: str) -> ConfigDocument:
    """A connector export (or a whole Configuration.xml); a MIM export gets a pointer instead."""
    root = parse_bytes(data, source)[0]
    if local_name(root) in MIM_ROOTS:
        raise UserError(f"is a MIM management-agent export (<{local_name(root)}>), not a connector "
                        "export: import it with `ecma-wizard import-ma`", path=source)
    doc = ConfigDocument(LosslessXml(data, source))
    if not doc.connectors:
        raise UserError("holds no <Connector>; nothing to import", path=source)
    return doc


RENAME, REPLACE, SKIP = "rename", "replace", "skip"


@dataclass(frozen=True)
class ClashAnswer:
    action: str  # rename | replace | skip
    new_name: str = ""


@dataclass
class ImportedConnector:
    name: str  # as stored in the target
    source_name: str
    action: str  # added | replaced | renamed | skipped
    secrets_to_enter: list[str] = field(default_factory=list)
    foreign_secrets: list[str] = field(default_factory=list)  # ciphertext carried unchanged

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def unique_name(base: str, taken: set[str]) -> str:
    stem = re.sub(r"\d+$", "", base) or base
    n = 2
    while f"{stem}{n}" in taken:
        n += 1
    return f"{stem}{n}"


def import_connectors(target: ConfigDocument, source: ConfigDocument,
                      on_clash: Callable[[str, str], ClashAnswer],
                      only: list[str] | None = None) -> list[ImportedConnector]:
    """Add the source's connectors to `target` (in memory; the caller saves through the store).

    `on_clash(name, suggested_new_name)` decides when a connector of that name exists.
    """
    wanted = [source.find_connector(n) for n in only] if only else source.connectors
    results = []
    for c in wanted:
        taken = {x.name for x in target.connectors}
        name, action = c.name, "added"
        existing = target.connector(c.name)
        if existing is not None:
            answer = on_clash(c.name, unique_name(c.name, taken))
            if answer.action == SKIP:
                results.append(ImportedConnector(c.name, c.name, "skipped"))
                continue
            if answer.action == RENAME:
                name = answer.new_name.strip()
                if not name or name in taken:
                    raise UserError(f"cannot rename '{c.name}' to '{name}': "
                                    + ("a name is needed" if not name else "that name is taken too"))
                action = "renamed"
            elif answer.action == REPLACE:
                action = "replaced"
            else:
                raise ValueError(f"unknown clash answer {answer.action!r}")
        copy = plain_copy(c.el)
        if name != c.name:
            profile = copy.find("ECMAConfig/ProfileName")
            if profile is None:
                raise UserError(f"connector '{c.name}' has no ECMAConfig/ProfileName", path=source.source)
            profile.text = name
        secrets = secret_fields(copy)
        record = ImportedConnector(name, c.name, action,
                                   [s.label for s in secrets if not s.value],
                                   [s.label for s in secrets if s.value and is_encrypted_blob(s.value)])
        if action == "replaced" and existing is not None:
            container = existing.el.getparent()
            index = [e for e in container if isinstance(e.tag, str)].index(existing.el)
            target.xml.remove(existing.el)
            target.xml.insert(container, index, copy)
        else:
            target.add_connector(copy)
        results.append(record)
    return results
