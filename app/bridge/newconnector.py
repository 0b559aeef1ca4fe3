"""A new connector written from a DLL's answers: what `connector add` puts in Configuration.xml.

Parameters are exactly the DLL's definitions (Use = the page, SchemaNumber = the schema page's
number; 1 elsewhere and 0 for run steps, as Microsoft's files have them), run profiles and the
Is*Supported flags follow the capabilities, LibraryName is the DLL's name without ".dll".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from app.bridge import capabilities
from app.bridge.session import ConnectorSession, ParameterDefinition
from app.bridge.walk import WalkResult
from app.config import builders
from app.errors import UserError

# The order Microsoft's files group parameters by Use (Partition's place is [open]).
STORED_ORDER = ("Capabilities", "Global", "Connectivity", "Partition", "Schema")
# ECMA2Host's DataType for each AttributeType; Reference and Binary are not supported by the host.
DATA_TYPES = {"String": "String", "Integer": "Integer", "Boolean": "Boolean"}


@dataclass
class Choices:
    name: str
    object_type: str
    anchor: str
    attributes: list[str]
    partition_dn: str | None = None
    timer: int = 120
    token: str = ""


def _parameter(session: ConnectorSession, d: ParameterDefinition) -> etree._Element:
    number = str(d.number) if d.page == "Schema" else None
    return builders.parameter(d.name, d.type, d.page, session.value_of(d), encrypted=d.secret,
                              schema_number=number)


def _stored(session: ConnectorSession, page: str) -> list[etree._Element]:
    return [_parameter(session, d) for d in session.definitions() if d.page == page and d.has_value and d.name]


def _profiles(caps: dict[str, Any] | None) -> list[str]:
    if caps is None:  # a DLL without capabilities: the host's usual pair
        return ["Export", "FullImport"]
    profiles = ["Export"] if caps.get("SupportExport") else []
    if caps.get("SupportImport"):
        profiles.append("FullImport")
        if caps.get("DeltaImport"):
            profiles.append("DeltaImport")
    return profiles


def _schema_type(result: WalkResult, name: str) -> dict[str, Any]:
    types = (result.schema or {}).get("types", [])
    found = next((t for t in types if t["name"] == name), None)
    if found is None:
        names = ", ".join(t["name"] for t in types) or "none"
        raise UserError(f"The connector {result.library} has no object type '{name}' (its types: {names}).")
    return found


def import_only_warnings(library: str, type_: dict[str, Any], chosen: list[str]) -> list[str]:
    """Attributes chosen for provisioning that the DLL marks ImportOnly: Entra would send values
    the connector does not export."""
    by_name = {a["name"]: a for a in type_["attributes"]}
    return [f"The connector {library} marks '{name}' ImportOnly: it reads it from its system but does "
            "not export it, so values Entra provisions to it are not written."
            for name in chosen if by_name.get(name, {}).get("operation") == "ImportOnly"]


def _attributes(result: WalkResult, type_: dict[str, Any], choices: Choices) -> list[etree._Element]:
    by_name = {a["name"]: a for a in type_["attributes"]}
    if choices.anchor not in by_name:
        raise UserError(f"The object type '{type_['name']}' has no attribute '{choices.anchor}' to "
                        "use as the anchor.")
    if type_.get("locked") and type_.get("anchors") and choices.anchor not in type_["anchors"]:
        raise UserError(f"The connector fixes the anchor of '{type_['name']}' to "
                        f"{', '.join(type_['anchors'])}; choose it with --anchor.")
    names = [choices.anchor] + [n for n in choices.attributes if n != choices.anchor]
    out = []
    for name in names:
        attr = by_name.get(name)
        if attr is None:
            raise UserError(f"The object type '{type_['name']}' has no attribute '{name}' "
                            f"(it has: {', '.join(by_name)}).")
        data_type = DATA_TYPES.get(attr["type"])
        if data_type is None:
            raise UserError(f"The attribute '{name}' is of type {attr['type']}, which ECMA2Host does "
                            "not support; leave it out of --attributes.")
        out.append(builders.attribute_schema(name, data_type, anchor=name == choices.anchor,
                                             multivalued=bool(attr["multivalued"])))
    return out


def _partition(result: WalkResult, wanted: str | None) -> tuple[str, str, str]:
    """(id, name, dn): the DLL's first partition unless one is named; the host's default without."""
    if not result.partitions:
        if wanted:
            raise UserError(f"The connector {result.library} offers no partitions, so --partition "
                            "cannot be used.")
        return "", "default", "default"
    chosen = result.partitions[0]
    if wanted:
        named = [p for p in result.partitions if p["dn"].lower() == wanted.lower()]
        if not named:
            dns = "; ".join(p["dn"] for p in result.partitions)
            raise UserError(f"The connector {result.library} has no partition '{wanted}' (it offers: {dns}).")
        chosen = named[0]
    return chosen["id"], chosen["name"] or chosen["dn"], chosen["dn"]


def connector_element(session: ConnectorSession, result: WalkResult,
                      choices: Choices) -> tuple[etree._Element, list[str]]:
    """The new <Connector>, and warnings: what ECMA2Host will not use of the DLL's capabilities
    (app/bridge/capabilities.py) and chosen attributes the DLL marks ImportOnly."""
    type_ = _schema_type(result, choices.object_type)
    attributes = _attributes(result, type_, choices)
    part_id, part_name, part_dn = _partition(result, choices.partition_dn)
    step_params = [d for d in session.definitions() if d.page == "RunStep" and d.has_value and d.name]
    step_names = {"Export": "Export", "FullImport": "Import", "DeltaImport": "DeltaImport"}
    runs = {p: [builders.StepSpec(step_names[p], partition=part_name,
                                  parameters=[_parameter(session, d) for d in step_params])]
            for p in _profiles(result.capabilities)}
    caps = result.capabilities or {}
    spec = builders.ConnectorSpec(
        name=choices.name, library_name=session.library.library_name,
        autosync_timer=choices.timer, secret_token=choices.token,
        parameters=[el for page in STORED_ORDER for el in _stored(session, page)],
        run_profiles=runs, attributes=attributes,
        partition_name=part_name, partition_dn=part_dn, partition_id=part_id,
        export_password_in_first_pass=bool(caps.get("ExportPasswordInFirstPass")),
        support_password=bool(caps.get("SupportPassword")))
    builders.set_object_type(spec, type_["name"])  # the DLL's type; ExternalName is Entra's User
    notes = capabilities.warnings(result.library, result.capabilities, partitions=result.partitions,
                                  schema=result.schema, partition_used=part_dn, object_type_used=type_["name"])
    chosen = [choices.anchor] + [n for n in choices.attributes if n != choices.anchor]
    notes += import_only_warnings(result.library, type_, chosen)
    return builders.connector(spec), notes
