"""What a connector DLL says it can do, told to the user, and what ECMA2Host will not do of it.

The values are the DLL's own (GetCapabilitiesEx or the Capabilities property). Microsoft's DLL
starts a `new MACapabilities()` with most of them true (docs/connector-dll.md), so a connector that
sets a few keeps those for the rest: what we write follows exactly what it reports, and what the
provisioning agent does not support is said as a warning, in the words of Microsoft's page
"Provisioning with the custom connectors" (its table of ECMA capabilities that differ between MIM
and the Microsoft Entra provisioning agent), never silently changed.
"""

from __future__ import annotations

from typing import Any

# In the order Microsoft's MACapabilities lists them; the user's words for each.
SHOWN = (
    ("SupportImport", "Import"),
    ("SupportExport", "Export"),
    ("DeltaImport", "Delta import"),
    ("SupportPassword", "Password management"),
    ("ExportPasswordInFirstPass", "Export password in first pass"),
    ("SupportPartitions", "Partitions"),
    ("SupportHierarchy", "Hierarchy"),
    ("DistinguishedNameStyle", "Distinguished name style"),
    ("ExportType", "Export type"),
    ("ObjectConfirmation", "Object confirmation"),
    ("ObjectRename", "Object rename"),
    ("DeleteAddAsReplace", "Delete-add as replace"),
    ("NoReferenceValuesInFirstExport", "No reference values in first export"),
    ("FullExport", "Full export"),
    ("ConcurrentOperation", "Concurrent operations"),
    ("Normalizations", "Normalizations"),
    ("IsDNAsAnchor", "DN as anchor"),
)
SOURCE = "Microsoft's 'Provisioning with the custom connectors' page"


def summary(caps: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) for each capability the DLL reported, booleans as yes/no."""
    if not caps:
        return []
    out = []
    for key, label in SHOWN:
        if key in caps:
            value = caps[key]
            out.append((label, ("yes" if value else "no") if isinstance(value, bool) else str(value)))
    return out


def warnings(library: str, caps: dict[str, Any] | None, *, partitions: list[dict[str, str]] | None = None,
             schema: dict[str, Any] | None = None, partition_used: str = "", object_type_used: str = "") -> list[str]:
    """What the DLL reports that ECMA2Host's provisioning agent does not support, one sentence each."""
    out: list[str] = []
    caps = caps or {}
    if caps.get("ExportPasswordInFirstPass"):
        out.append(f"{library} reports ExportPasswordInFirstPass, which ECMA2Host does not support "
                   f"(\"ExportPasswordInFirstPass: Not supported\", {SOURCE}); it is written as the DLL "
                   "reports it.")
    if caps.get("SupportHierarchy"):
        out.append(f"{library} reports hierarchy support, which ECMA2Host does not use "
                   f"(\"Hierarchies: Not used by provisioning agent\", {SOURCE}).")
    if partitions and len(partitions) > 1:
        used = partition_used or partitions[0].get("dn", "")
        out.append(f"{library} offers {len(partitions)} partitions; \"Provisioning agent permits one "
                   f"partition\" ({SOURCE}), so only {used} is used.")
    types = [t.get("name", "") for t in (schema or {}).get("types", [])]
    if len(types) > 1:
        used = object_type_used or types[0]
        out.append(f"{library} offers {len(types)} object types ({', '.join(types)}); \"Provisioning agent "
                   f"permits one object type\" ({SOURCE}), so only {used} is used.")
    return out
