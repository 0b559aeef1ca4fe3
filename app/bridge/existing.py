"""An existing connector against its DLL: the stored values go in, what the DLL adds comes out.

For an existing connector the stored `<Parameter>` elements are the truth; the DLL adds what the
file cannot hold: a DropDown's choices, and parameters that a newer DLL defines ("new in this
DLL") or no longer defines. Stored secrets are not passed: in a live file they are DPAPI blobs
(or blank in an export), so the user enters them again where a call needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.bridge.session import ConnectorSession, ParameterDefinition
from app.config.document import Connector, Parameter


@dataclass
class Difference:
    new_in_dll: list[ParameterDefinition] = field(default_factory=list)
    not_in_dll: list[Parameter] = field(default_factory=list)  # stored, but the DLL no longer asks

    @property
    def same(self) -> bool:
        return not self.new_in_dll and not self.not_in_dll


def _stored(connector: Connector) -> list[Parameter]:
    steps = [p for r in connector.run_configurations for s in r.run_steps for p in s.parameters]
    return list(connector.parameters) + steps


def _key(use: str, name: str, schema_number: str) -> tuple[str, str, str]:
    return (use, name, schema_number.strip() or "1") if use == "Schema" else (use, name, "")


def load_values(session: ConnectorSession, connector: Connector) -> None:
    """Every stored non-secret value becomes the session's value (the first run step's for steps)."""
    for p in _stored(connector):
        if not p.is_secret and p.name not in session.values:
            session.set_value(p.name, p.value)


def compare(connector: Connector, definitions: list[ParameterDefinition]) -> Difference:
    """Definitions the file lacks, and stored parameters the DLL no longer defines (pages asked)."""
    stored = _stored(connector)
    have = {_key(p.use, p.name, p.schema_number) for p in stored}
    asked_pages = {d.page for d in definitions}
    wanted = {_key(d.page, d.name, str(d.number)) for d in definitions if d.has_value and d.name}
    diff = Difference()
    seen: set[tuple[str, str, str]] = set()
    for d in definitions:
        key = _key(d.page, d.name, str(d.number))
        if d.has_value and d.name and key not in have and key not in seen:
            seen.add(key)
            diff.new_in_dll.append(d)
    dropped: set[tuple[str, str, str]] = set()
    for p in stored:
        key = _key(p.use, p.name, p.schema_number)
        if p.use in asked_pages and key not in wanted and key not in dropped:
            dropped.add(key)
            diff.not_in_dll.append(p)
    return diff


def choices_for(definitions: list[ParameterDefinition], name: str) -> tuple[str, ...]:
    """A stored DropDown's choices, from the DLL (the file keeps only the chosen value)."""
    return next((d.choices for d in definitions if d.name == name and d.type == "DropDown"), ())
