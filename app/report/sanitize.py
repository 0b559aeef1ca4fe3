"""Host files with every secret replaced by its structure, and known secret values scrubbed.

A secret in Configuration.xml (each connector's SecretToken, every EncryptedString parameter, and
anything else that looks like one) becomes a one-line description made by the host-secrets
classification: empty, typed in plain text, or the encrypted object's class, library, member names
and lengths (docs/host-secrets.md). Never a value, never the payload. A value is a secret by what
it is, not only by its declared type: a parameter or setting whose NAME says secret (API Key,
Access Key, Client Secret, Bind Password, token, pwd, ...) whatever its type, and the secret parts
of a connection string (app/report/connstring.py) in any value, attribute or text of the host's
files: Configuration.xml, and both .exe.config files (appSettings, connectionStrings,
applicationSettings). The rest of each file is byte for byte the host's (the edits go through the
lossless model). Plain values found this way are known secrets: the Scrubber masks them in every
other member of the report, in every spelling (app/masking.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from lxml import etree

from app.config.document import ConfigDocument
from app.config.secretvalues import (
    EMPTY,
    PLAIN,
    looks_encrypted,
    read_secret,
    structure,
)
from app.hostsecrets.where import secret_places
from app.masking import NOT_SECRET_VALUES, SecretMasker, secret_name
from app.report import connstring

MIN_SCRUB = 3  # shorter known secrets ("1", "a") would blank ordinary words and numbers in a report
REMOVED = "[secret removed]"


@dataclass
class Sanitized:
    data: bytes
    secrets: list[dict[str, Any]] = field(default_factory=list)  # where each was, its state (no value)
    known_values: list[str] = field(default_factory=list)  # plain values, to scrub elsewhere


def configuration(data: bytes, source: str) -> Sanitized:
    """Configuration.xml with every secret replaced; raises UserError when it does not parse."""
    doc = ConfigDocument.from_bytes(data, source)
    out = Sanitized(b"")
    done: set[etree._Element] = set()
    for place in secret_places(doc):
        _replace(doc, place.el, place.value, out, place.connector, place.where)
        done.add(place.el)
    for c in doc.connectors:  # parameters that are secrets in all but their declared type
        for p in c.el.iterfind(".//Parameter"):
            value_el = p.find("Value")
            if value_el is None or value_el in done or not (value_el.text or "").strip():
                continue
            name = p.findtext("Name") or ""
            text = value_el.text or ""
            if (secret_name(name) and text.strip().lower() not in NOT_SECRET_VALUES) or looks_encrypted(text):
                _replace(doc, value_el, text, out, c.name, f"connector '{c.name}' / {name}")
                done.add(value_el)
    for el in doc.root.iter():  # anything else that is an encrypted value or holds a connection string
        if not isinstance(el.tag, str) or el in done or len(el):
            continue
        text = el.text or ""
        if looks_encrypted(text):
            _replace(doc, el, text, out, "", f"<{el.tag}>")
        elif connstring.has_secret(text):
            _in_connection_string(out, f"<{el.tag}> {_owner(el)}".rstrip(), text)
            doc.xml.set_text(el, connstring.mask(text))
    out.data = doc.to_bytes()
    out.known_values = [v for v in out.known_values if len(v) >= MIN_SCRUB]
    return out


def _owner(el: etree._Element) -> str:
    """Words for where an element is: its parameter's or setting's name, when it has one."""
    parent = el.getparent()
    name = parent.findtext("Name") if parent is not None and parent.find("Name") is not None else None
    return f"of {name}" if name else ""


def _in_connection_string(out: Sanitized, where: str, text: str) -> None:
    out.secrets.append({"where": where, "state": "in a connection string"})
    out.known_values += connstring.found_values(text)


def _replace(doc: ConfigDocument, el: etree._Element, value: str, out: Sanitized, connector: str,
             where: str) -> None:
    reading = read_secret(value)
    out.secrets.append({"connector": connector, "where": where, "state": reading.state,
                        "class": reading.class_name, "library": reading.library,
                        "members": [m.to_json() for m in reading.members]})
    if reading.state == PLAIN:
        out.known_values.append(value.strip())
    if reading.state != EMPTY:
        doc.xml.set_text(el, structure(value, len(out.secrets)))


def app_config(data: bytes, source: str) -> Sanitized:
    """An .exe.config with secret settings and connection-string secrets replaced: appSettings
    (`<add key value>`), connectionStrings (`<add name connectionString>`), applicationSettings
    (`<setting name><value>text</value></setting>`) and any other attribute or text."""
    from app.host.appconfig import AppConfig

    config = AppConfig.from_bytes(data, source)
    out = Sanitized(b"")

    def secret_value(where: str, value: str, set_value: Callable[[str], object]) -> None:
        reading = read_secret(value)
        out.secrets.append({"where": where, "state": reading.state})
        if reading.state == PLAIN:
            out.known_values.append(value.strip())
        set_value(structure(value, len(out.secrets)))

    for el in config.xml.root.iter():
        if not isinstance(el.tag, str):
            continue
        names = " ".join(el.get(k, "") for k in ("key", "name"))
        for attr, value in list(el.attrib.items()):
            where = f"<{el.tag} {names}> {attr}"
            if not value.strip() or attr in ("key", "name"):
                continue
            if looks_encrypted(value) or (attr == "value" and secret_name(names)
                                          and value.strip().lower() not in NOT_SECRET_VALUES):
                secret_value(where, value, partial(config.xml.set_attribute, el, attr))
            elif connstring.has_secret(value):
                _in_connection_string(out, where, value)
                config.xml.set_attribute(el, attr, connstring.mask(value))
        text = el.text or ""
        if len(el) or not text.strip():
            continue
        parent = el.getparent()
        owner = " ".join(parent.get(k, "") for k in ("key", "name")) if parent is not None else ""
        where = f"<{parent.tag if parent is not None else ''} {owner}> <{el.tag}>"
        if looks_encrypted(text) or (secret_name(owner) and text.strip().lower() not in NOT_SECRET_VALUES):
            secret_value(where, text, partial(config.xml.set_text, el))
        elif connstring.has_secret(text):
            _in_connection_string(out, where, text)
            config.xml.set_text(el, connstring.mask(text))
    out.data = config.to_bytes()
    out.known_values = [v for v in out.known_values if len(v) >= MIN_SCRUB]
    return out


class Scrubber:
    """Masks values known to be secret wherever they appear (events, command outputs), in every
    spelling a reader would decode (app/masking.py), and the secret parts of connection strings."""

    def __init__(self, values: list[str]) -> None:
        self._masker = SecretMasker([v for v in values if v and len(v.strip()) >= MIN_SCRUB], REMOVED)

    def __call__(self, text: str) -> str:
        return connstring.mask(self._masker(text))
