"""Writing a secret in the form the host reads, and proving it before anything is saved.

Route 1 (here): learn from an encrypted value already in the same file. Parse it, let DPAPI decrypt
its payload on this machine, find the text encoding by round trip, then put a new CryptProtectData
payload into a copy of that same object. Route 2 (the host's own assembly through the .NET bridge)
plugs in as another `SecretRoute`: `plan_for` takes it as `bridge_route` and tries it when route 1
is not proven. Either way `prove` checks the result: it parses, has the same class and member
layout as the host's value, and decrypts on this machine to the typed text.

Use it like this::

    plan = plan_for(document, dpapi)       # SecretPlan: a proven route, or the sentence why not
    if plan.route:
        text = plan.route.encrypt("the token")    # base64, proven; RouteUnproven if it cannot be
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from app.config.document import ConfigDocument
from app.config.secretvalues import ENCRYPTED, SecretReading, read_secret, with_payload
from app.hostsecrets.dpapi import Dpapi, DpapiRefused
from app.hostsecrets.where import secret_places

log = logging.getLogger(__name__)
ENCODINGS = ("utf-16-le", "utf-8")  # .NET's Encoding.Unicode and Encoding.UTF8


class RouteUnproven(Exception):
    """No way to write a secret the host reads was proven; the text says why in one sentence."""


class SecretRoute(Protocol):
    name: str  # "route 1: ..." / "route 2: ..."; shown to the user and recorded

    def encrypt(self, value: str) -> str:
        """Base64 of the host's object around `value`, proven; RouteUnproven otherwise."""


@dataclass
class LearntFormat:
    """What route 1 learnt from an existing value (no value and no payload in `describe`)."""

    source: str  # "connector 'X' / SecretToken"
    encoding: str
    template: SecretReading = field(repr=False)

    def describe(self) -> str:
        members = ", ".join(f"{m.name} ({m.type})" for m in self.template.members)
        return (f"learnt from {self.source}: class {self.template.class_name}, library "
                f"{self.template.library}, members {members}; text encoded as "
                f"{self.encoding.upper().replace('-LE', 'LE')} before DPAPI (machine scope)")


def plausible_encoding(plain: bytes) -> str | None:
    """The one encoding that turns these bytes into text and back unchanged and gives text a person
    could type (no control characters); UTF-16LE of ASCII has NULs in UTF-8 and UTF-8 of ASCII reads
    as CJK in UTF-16LE, so ASCII-only text decides a tie. None when no single answer."""
    fits = []
    for encoding in ENCODINGS:
        try:
            text = plain.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text.encode(encoding) == plain and text and text.isprintable():
            fits.append((encoding, text))
    if len(fits) == 2:
        fits = [f for f in fits if f[1].isascii()]
    return fits[0][0] if len(fits) == 1 else None


def learn(readings: list[tuple[str, SecretReading]], dpapi: Dpapi) -> LearntFormat:
    """Route 1's lesson from the first encrypted value this machine can decrypt."""
    if not dpapi.available:
        raise RouteUnproven(dpapi.reason)
    why = "the file holds no encrypted secret to learn the host's format from"
    for where, reading in readings:
        if reading.state != ENCRYPTED:
            continue
        if reading.payload is None:
            why = f"the encrypted value of {where} has no single byte[] member holding DPAPI data"
            continue
        try:
            plain = dpapi.unprotect(reading.payload)
        except DpapiRefused as exc:
            why = f"the encrypted value of {where} cannot be read here: {exc}"
            continue
        encoding = plausible_encoding(plain)
        if encoding is None:
            why = f"the text encoding of {where}'s value could not be told (UTF-16LE or UTF-8)"
            continue
        return LearntFormat(where, encoding, reading)
    raise RouteUnproven(why + ".")


def prove(text: str, value: str, layout: tuple[object, ...], encoding: str, dpapi: Dpapi) -> None:
    """The proof before saving: parses, same class and member layout, decrypts to `value`."""
    reading = read_secret(text)
    if reading.state != ENCRYPTED or reading.payload is None:
        raise RouteUnproven("the new encrypted value does not read back as one.")
    if reading.layout != layout:
        raise RouteUnproven("the new encrypted value's class or members differ from the host's.")
    try:
        back = dpapi.unprotect(reading.payload)
    except DpapiRefused as exc:
        raise RouteUnproven(f"the new encrypted value does not decrypt here: {str(exc).rstrip('.')}.") from None
    if back != value.encode(encoding):
        raise RouteUnproven("the new encrypted value decrypts to something other than what was typed.")


class LearntRoute:
    """Route 1: the structure of an existing value around a new CryptProtectData payload."""

    def __init__(self, learnt: LearntFormat, dpapi: Dpapi) -> None:
        self.learnt, self.dpapi = learnt, dpapi
        self.name = "route 1 (" + learnt.describe() + ")"

    def encrypt(self, value: str) -> str:
        try:
            payload = self.dpapi.protect(value.encode(self.learnt.encoding))
        except DpapiRefused as exc:
            raise RouteUnproven(f"{str(exc).rstrip('.')}.") from None  # its own period, once
        text = with_payload(self.learnt.template, payload)
        prove(text, value, self.learnt.template.layout, self.learnt.encoding, self.dpapi)
        return text


@dataclass
class SecretPlan:
    route: SecretRoute | None
    reason: str = ""  # why no route, one sentence (when route is None)

    def sentence(self) -> str:
        """What saving a typed secret will do, in one sentence."""
        if self.route is not None:
            return ("Secrets you type are encrypted for this host the way it stores them "
                    "(DPAPI, machine scope) and checked before saving.")
        return f"Secrets you type cannot be encrypted for the host here: {self.reason.rstrip('.')}."


def plan_for(document: ConfigDocument, dpapi: Dpapi, bridge_route: SecretRoute | None = None) -> SecretPlan:
    """The proven way to write secrets into `document`, or the reason there is none."""
    readings = [(p.where, read_secret(p.value)) for p in secret_places(document)]
    try:
        learnt = learn(readings, dpapi)
    except RouteUnproven as exc:
        if bridge_route is not None:  # route 2 (the .NET bridge) proves itself in encrypt()
            return SecretPlan(bridge_route)
        return SecretPlan(None, str(exc))
    log.info("host secrets: %s", learnt.describe())  # the format only: no value, no payload
    return SecretPlan(LearntRoute(learnt, dpapi))
