"""Host files with every secret replaced by its structure, and known secret values scrubbed.

A secret in Configuration.xml (each connector's SecretToken, every EncryptedString parameter, and
anything else that looks like one) becomes a one-line description made by the host-secrets
classification: empty, typed in plain text, or the encrypted object's class, library, member names
and lengths (docs/host-secrets.md). Never a value, never the payload. In both .exe.config files the
same is done to settings whose name says secret and to passwords inside connection strings.
The rest of each file is byte for byte the host's (the edits go through the lossless model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from app.config.document import ConfigDocument
from app.hostsecrets.values import (
    EMPTY,
    PLAIN,
    looks_encrypted,
    read_secret,
    structure,
)
from app.hostsecrets.where import secret_places

SECRET_WORDS = re.compile(r"pass(word|phrase)?|pwd|secret|token|credential|apikey|api_key|"
                          r"privatekey|private_key|sharedkey|clientsecret", re.I)
# Password=...; (and its spellings) inside a connection string
_IN_CONNECTION_STRING = re.compile(r"((?:password|pwd)\s*=\s*)(\"[^\"]*\"|'[^']*'|[^;]*)", re.I)
FREE_TEXT = ("String", "Text", "MultiLineString", "")  # a CheckBox named "Enable Password ..." is no secret
MIN_SCRUB = 4  # shorter "secrets" would blank ordinary words in the report


def mask_connection_string(text: str) -> str:
    return _IN_CONNECTION_STRING.sub(lambda m: m.group(1) + "[secret removed]", text)


@dataclass
class Sanitized:
    data: bytes
    secrets: list[dict] = field(default_factory=list)  # where each was, its state (no value)
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
            free_text = (p.findtext("Type") or "String") in FREE_TEXT and text.strip().lower() not in ("0", "1", "true", "false")
            if (free_text and SECRET_WORDS.search(name)) or looks_encrypted(text):
                _replace(doc, value_el, text, out, c.name, f"connector '{c.name}' / {name}")
            elif _IN_CONNECTION_STRING.search(text):
                out.secrets.append({"where": f"connector '{c.name}' / {name}", "state": "in a connection string"})
                out.known_values += [m.group(2).strip("\"'") for m in _IN_CONNECTION_STRING.finditer(text)]
                doc.xml.set_text(value_el, mask_connection_string(text))
    for el in doc.root.iter():  # anything else that is an encrypted value
        if isinstance(el.tag, str) and el not in done and not len(el) and looks_encrypted(el.text or ""):
            _replace(doc, el, el.text or "", out, "", f"<{el.tag}>")
    out.data = doc.to_bytes()
    out.known_values = [v for v in out.known_values if len(v) >= MIN_SCRUB]
    return out


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
    """An .exe.config with secret settings and connection-string passwords replaced."""
    from app.host.appconfig import AppConfig

    config = AppConfig.from_bytes(data, source)
    out = Sanitized(b"")
    for el in config.xml.root.iter():
        if not isinstance(el.tag, str):
            continue
        names = " ".join(el.get(k, "") for k in ("key", "name"))
        for attr, value in list(el.attrib.items()):
            if attr.lower() == "connectionstring" and _IN_CONNECTION_STRING.search(value):
                out.known_values += [m.group(2).strip("\"'") for m in _IN_CONNECTION_STRING.finditer(value)]
                out.secrets.append({"where": f"<{el.tag} {names}> {attr}", "state": "in a connection string"})
                config.xml.set_attribute(el, attr, mask_connection_string(value))
            elif value.strip() and (looks_encrypted(value) or (attr == "value" and SECRET_WORDS.search(names))):
                reading = read_secret(value)
                out.secrets.append({"where": f"<{el.tag} {names}> {attr}", "state": reading.state})
                if reading.state == PLAIN:
                    out.known_values.append(value.strip())
                config.xml.set_attribute(el, attr, structure(value, len(out.secrets)))
    out.data = config.to_bytes()
    out.known_values = [v for v in out.known_values if len(v) >= MIN_SCRUB]
    return out


class Scrubber:
    """Replaces values known to be secret wherever they appear (events, command outputs)."""

    def __init__(self, values: list[str]) -> None:
        wanted = sorted({v for v in values if v and len(v) >= MIN_SCRUB}, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(v) for v in wanted)) if wanted else None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub("[secret removed]", text)
