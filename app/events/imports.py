"""Verbose import dumps -> a table of objects x attributes, compared with the selected schema.

With verbose logging the host writes what each import returned (docs/host-facts.md §5). The exact text is
not published [open]; this reads the form the sample log uses, which follows the ECMA2
CSEntryChange vocabulary:

    Connector 'HRDatabase': full import, page 1, 3 object(s) returned.
    CSEntryChange: ObjectType=Person, ObjectModificationType=Add, Anchor=EmployeeID:1001, DN=1001
        FirstName = Ada
        Email = ada.lovelace1@contoso.com

Attribute lines are indented `name = value` (or `name: value`); a name repeated within one object is
a multi-valued attribute. Lines that fit neither form are ignored, so other wordings degrade to
"nothing found" rather than to wrong rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_HEADER = re.compile(r"^\s*CSEntryChange\s*:\s*(.*)$")
_CONNECTOR = re.compile(r"Connector '([^']+)'")
_PAIR = re.compile(r"(\w+)\s*=\s*([^,]*)")
_ATTRIBUTE = re.compile(r"^\s+([A-Za-z_][\w.-]*)\s*(?:=|:)\s?(.*)$")


@dataclass
class ImportedObject:
    object_type: str
    anchor: str
    modification: str
    dn: str
    connector: str | None
    attributes: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ImportTable:
    """Objects x attributes, in the order first seen."""

    objects: list[ImportedObject] = field(default_factory=list)

    @property
    def attribute_names(self) -> list[str]:
        seen: dict[str, None] = {}
        for obj in self.objects:
            for name in obj.attributes:
                seen.setdefault(name, None)
        return list(seen)

    def rows(self) -> list[list[str]]:
        """One row per object: type, anchor, then each attribute (multi-values joined by '; ')."""
        names = self.attribute_names
        return [[o.object_type, o.anchor] + ["; ".join(o.attributes.get(n, [])) for n in names]
                for o in self.objects]

    def for_connector(self, connector: str) -> ImportTable:
        return ImportTable([o for o in self.objects if (o.connector or "").lower() == connector.lower()])


def parse_dump(message: str, table: ImportTable | None = None) -> ImportTable:
    """Add the objects of one message to `table` (a new one when None)."""
    table = table if table is not None else ImportTable()
    if "CSEntryChange" not in message:
        return table
    found = _CONNECTOR.search(message)
    connector = found.group(1) if found else None
    current: ImportedObject | None = None
    for line in message.splitlines():
        header = _HEADER.match(line)
        if header:
            pairs = dict(_PAIR.findall(header.group(1)))
            anchor = pairs.get("Anchor", "").strip()
            current = ImportedObject(
                object_type=pairs.get("ObjectType", "").strip() or "(unknown)",
                anchor=anchor.split(":", 1)[-1] if anchor else "",
                modification=pairs.get("ObjectModificationType", "").strip(),
                dn=pairs.get("DN", "").strip(), connector=connector)
            table.objects.append(current)
            continue
        attribute = _ATTRIBUTE.match(line)
        if current is not None and attribute:
            current.attributes.setdefault(attribute.group(1), []).append(attribute.group(2).rstrip())
    return table


def parse_dumps(messages: Iterable[str]) -> ImportTable:
    table = ImportTable()
    for message in messages:
        parse_dump(message, table)
    return table


@dataclass(frozen=True)
class SchemaComparison:
    imported_not_selected: list[str]
    selected_never_seen: list[str]
    both: list[str]


def compare(table: ImportTable, selected: Iterable[str], *, ignore: Iterable[str] = ()) -> SchemaComparison:
    """Attribute names compared case-insensitively (the host's schema is case-insensitive)."""
    skip = {n.lower() for n in ignore}
    seen = {n.lower(): n for n in table.attribute_names if n.lower() not in skip}
    chosen = {n.lower(): n for n in selected if n.lower() not in skip}
    return SchemaComparison(
        imported_not_selected=sorted((seen[k] for k in seen.keys() - chosen.keys()), key=str.lower),
        selected_never_seen=sorted((chosen[k] for k in chosen.keys() - seen.keys()), key=str.lower),
        both=sorted((chosen[k] for k in chosen.keys() & seen.keys()), key=str.lower))
