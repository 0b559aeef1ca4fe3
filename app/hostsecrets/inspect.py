"""Inspection without disclosure: per connector and secret, what it is (empty, typed in plain text,
an encrypted value and its shape, unreadable) and, where DPAPI exists, whether this machine can
decrypt it. No value and no payload ever leaves this module; the CLI, the doctor and the connector
list all use `inspect_document`, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.config.document import ConfigDocument
from app.config.secretvalues import EMPTY, ENCRYPTED, PLAIN, UNREADABLE, MemberShape, read_secret
from app.hostsecrets.dpapi import Dpapi, DpapiRefused
from app.hostsecrets.where import secret_places

PROBLEM_STATES = (PLAIN, UNREADABLE)


@dataclass
class SecretStatus:
    connector: str
    parameter: str  # "SecretToken" or the parameter's name
    state: str
    where: str
    class_name: str | None = None
    library: str | None = None
    members: tuple[MemberShape, ...] = ()
    decryptable: bool | None = None  # None: no DPAPI here, or nothing to decrypt
    reason: str = field(default="")  # why unreadable, or why not decryptable; never a value

    def to_json(self) -> dict[str, Any]:
        return {"connector": self.connector, "parameter": self.parameter, "state": self.state,
                "class": self.class_name, "library": self.library,
                "members": [m.to_json() for m in self.members], "decryptable": self.decryptable}

    def summary(self) -> str:
        """One line for people: the state and what it means."""
        if self.state == EMPTY:
            return "empty"
        if self.state == PLAIN:
            return "typed in plain text (the host stores it encrypted; it may not read this)"
        if self.state == UNREADABLE:
            return f"not a readable encrypted value: {self.reason}"
        members = ", ".join(f"{m.name} {m.type}" + (f" ({m.length})" if m.length is not None else "")
                            for m in self.members)
        text = f"encrypted: {self.class_name} [{self.library}] members {members}"
        if self.decryptable is True:
            text += "; this machine can decrypt it"
        elif self.decryptable is False:
            text += f"; this machine cannot decrypt it ({self.reason})"
        return text


def status_of(connector: str, parameter: str, where: str, value: str, dpapi: Dpapi | None) -> SecretStatus:
    reading = read_secret(value)
    status = SecretStatus(connector, parameter, reading.state, where, reading.class_name,
                          reading.library, reading.members, reason=reading.reason)
    if reading.state == ENCRYPTED and dpapi is not None and dpapi.available:
        if reading.payload is None:
            status.decryptable, status.reason = False, "it has no single byte[] member with DPAPI data"
        else:
            try:
                dpapi.unprotect(reading.payload)
                status.decryptable = True
            except DpapiRefused as exc:
                status.decryptable, status.reason = False, str(exc)
    return status


def inspect_document(document: ConfigDocument, dpapi: Dpapi | None = None,
                     connector: str | None = None) -> list[SecretStatus]:
    """Every secret of the document (or of one connector), in file order."""
    return [status_of(p.connector, p.parameter, p.where, p.value, dpapi)
            for p in secret_places(document, connector)]


def has_problems(statuses: list[SecretStatus]) -> bool:
    return any(s.state in PROBLEM_STATES for s in statuses)
