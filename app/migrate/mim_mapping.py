"""Turn a MIM management agent (mim_export) into a new ECMA2Host connector and a report.

What maps (docs/host-facts.md §9 to §2): the name, the connector DLL, the parameters of every page with
their Type and Use, one object type with its selected attributes, one partition and the run
profiles Export / FullImport / DeltaImport. Everything else is listed in the report as dropped,
and every secret as "enter again": MIM exports never hold secret values, and ECMA2Host needs
its own secret token anyway.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

from app.config import builders
from app.config.builders import ConnectorSpec, StepSpec
from app.errors import UserError
from app.migrate.mim_export import (
    SYNTHETIC_ATTRIBUTES,
    ManagementAgent,
    ParameterDefinition,
    ParameterValue,
    Partition,
    RunStep,
    read_agent,
)

TYPES = {"string": "String", "encrypted-string": "EncryptedString", "text": "Text",
         "checkbox": "CheckBox", "drop-down": "DropDown", "file": "File"}
LAYOUT_ONLY = {"label", "divider"}  # page decoration: never stored in Configuration.xml (docs/host-facts.md §2)
USES = {"capabilities": "Capabilities", "global": "Global", "run-step": "RunStep",
        "connectivity": "Connectivity", "partition": "Partition", "schema": "Schema"}
USE_ORDER = ("Capabilities", "Global", "RunStep", "Connectivity", "Partition", "Schema")
SYNTAX = {"15": "String", "27": "Integer", "7": "Boolean", "5": "Binary", "12": "Reference"}
STEP_PROFILES = {"export": "Export", "full-import": "FullImport", "delta-import": "DeltaImport"}
# RunStep names as Microsoft's wizard writes them; the DeltaImport one is a guess ([open], §2).
STEP_NAMES = {"Export": "Export", "FullImport": "Import", "DeltaImport": "DeltaImport"}
PROFILE_LABELS = {"Export": "Export", "FullImport": "Full import", "DeltaImport": "Delta import"}
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")


class ObjectTypeNeeded(UserError):
    """The agent has several classes and none was chosen; `classes` lists them."""

    def __init__(self, message: str, classes: list[str], *, path: str | None = None) -> None:
        self.classes = classes
        super().__init__(message, path=path)


@dataclass
class ImportReport:
    source: str
    agent: str
    connector: str = ""
    library: str = ""
    object_type: str = ""
    carried: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)  # what must be entered again
    attention: list[str] = field(default_factory=list)  # carried, but look at it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        agent = f"'{self.agent}'" if self.agent else "the unnamed agent"
        out = [f"Imported {agent} from {self.source} as connector '{self.connector}'."]
        for title, items in (("Carried", self.carried), ("Dropped (no ECMA2Host equivalent)",
                             self.dropped), ("Enter again (secrets are never in an export)",
                             self.secrets), ("Check", self.attention)):
            if items:
                out.append(f"{title}:")
                out += [f"  - {item}" for item in items]
        return "\n".join(out)


@dataclass
class MappedConnector:
    spec: ConnectorSpec
    report: ImportReport

    def element(self) -> etree._Element:
        return builders.connector(self.spec)


def import_management_agent(data: bytes, source: str, *, name: str | None = None,
                            object_type: str | None = None) -> MappedConnector:
    return map_agent(read_agent(data, source), name=name, object_type=object_type)


def library_name(dll_file: str) -> str:
    base = re.split(r"[\\/]", dll_file.strip())[-1]
    return base[:-4] if base.lower().endswith(".dll") else base


def choose_class(agent: ManagementAgent, wanted: str | None) -> str:
    names = agent.class_names
    if not names:
        raise UserError("has no object classes in its schema (DSML); refresh the schema in MIM "
                        "and export the agent again", path=agent.source)
    if wanted is None:
        if len(names) == 1:
            return names[0]
        raise ObjectTypeNeeded(f"has {len(names)} object classes ({', '.join(names)}); ECMA2Host "
                               "runs one: choose it with --object-type NAME", names,
                               path=agent.source)
    if wanted in names:
        return wanted
    near = [n for n in names if n.lower() == wanted.lower()]
    hint = f" (names are case sensitive: did you mean '{near[0]}'?)" if near else ""
    raise ObjectTypeNeeded(f"has no object class '{wanted}'{hint}; classes: {', '.join(names)}",
                           names, path=agent.source)


def map_agent(agent: ManagementAgent, *, name: str | None = None,
              object_type: str | None = None) -> MappedConnector:
    chosen = choose_class(agent, object_type)
    report = ImportReport(agent.source, agent.name)
    spec = ConnectorSpec(name=(name or agent.name).strip(), library_name=library_name(agent.dll_file),
                         description=agent.description)
    report.connector, report.library, report.object_type = spec.name, spec.library_name, chosen
    _properties(agent, spec, report)
    partition = _partition(agent, spec, report)
    _schema(agent, chosen, spec, report)
    steps = _run_profiles(agent, partition, spec, report)
    _parameters(agent, partition, steps, spec, report)
    _dropped(agent, chosen, report)
    return MappedConnector(spec, report)


# -- properties --------------------------------------------------------------------------------
def _properties(agent: ManagementAgent, spec: ConnectorSpec, report: ImportReport) -> None:
    report.carried.append(f"Name: {spec.name}")
    if not spec.name:
        report.attention.append("The agent has no name: give one with --name.")
    elif UNSAFE_NAME.search(spec.name):
        safe = UNSAFE_NAME.sub("", spec.name) or "Connector"
        report.attention.append(f"The name '{spec.name}' is part of the Tenant URL and has "
                                f"characters that are not URL-safe; consider '{safe}' (--name).")
    if spec.library_name:
        report.carried.append(f"Extension DLL: {agent.dll_file}")
        report.attention.append(f"Copy {agent.dll_file} (and what it needs) to Service\\ECMA on "
                                "the host before using the connector.")
    else:
        report.attention.append("The export names no connector DLL (extension-config/filename): "
                                "choose it on the Properties page.")
    if spec.description:
        report.carried.append("Description")
    report.secrets.append("Secret Token (Properties page): ECMA2Host's own; Entra needs the same one")


# -- partition ---------------------------------------------------------------------------------
def _partition(agent: ManagementAgent, spec: ConnectorSpec, report: ImportReport) -> Partition | None:
    if not agent.partitions:
        report.carried.append("Partition: default (the file has none)")
        return None
    selected = [p for p in agent.partitions if p.selected] or agent.partitions[:1]
    chosen = selected[0]
    spec.partition_name = chosen.name or "default"
    spec.partition_dn = chosen.dn or spec.partition_name
    report.carried.append(f"Partition: {spec.partition_name}")
    for p in agent.partitions:
        if p is not chosen:
            why = "not selected in MIM" if not p.selected else "ECMA2Host supports one partition"
            report.dropped.append(f"Partition '{p.name}' ({why})")
    return chosen


# -- schema ------------------------------------------------------------------------------------
def data_type(syntax: str) -> str | None:
    return SYNTAX.get(syntax.rsplit(".", 1)[-1]) if syntax.startswith("1.3.6.1.4.1.1466.115.121.1.") \
        else None


def _schema(agent: ManagementAgent, chosen: str, spec: ConnectorSpec, report: ImportReport) -> None:
    cls = agent.object_class(chosen)
    assert cls is not None, chosen  # the caller chose among the agent's classes
    builders.set_object_type(spec, chosen)  # the MIM class is the connector's type
    included = set(agent.attribute_inclusion)
    anchors = [a.ref for a in cls.attributes if a.is_anchor]
    if not anchors:
        anchors = list(agent.class_anchors.get(chosen, []))
    names = []
    for ref in [r for r in anchors[:1]] + [a.ref for a in cls.attributes]:
        at = agent.attribute_types.get(ref)
        name = at.name if at else ref
        if name not in names and name not in SYNTHETIC_ATTRIBUTES:
            names.append(name)
    anchor = None
    if anchors:
        at = agent.attribute_types.get(anchors[0])
        anchor = at.name if at else anchors[0]
    if len(anchors) > 1:
        report.attention.append(f"'{chosen}' has a complex anchor ({' + '.join(anchors)}); "
                                f"ECMA2Host takes one: '{anchor}' was made the anchor.")
    if anchor is None:
        report.attention.append(f"'{chosen}' has no anchor in the file: choose one on the "
                                "Object Types page.")
    not_selected = []
    unsupported = []
    for n in names:
        if n != anchor and included and n not in included:
            not_selected.append(n)
            continue
        at = next((t for t in agent.attribute_types.values() if t.name == n), None)
        dtype = data_type(at.syntax) if at else None
        if dtype is None:
            report.attention.append(f"Attribute '{n}' has syntax '{at.syntax if at else '?'}', "
                                    "unknown to this tool: carried as String.")
            dtype = "String"
        multivalued = at is not None and not at.single_value
        spec.attributes.append(builders.attribute_schema(
            n, dtype, anchor=n == anchor, dn=n == anchor, multivalued=multivalued))
        if multivalued or dtype in ("Binary", "Reference") or "." in n or "[" in n:
            why = "multivalued" if multivalued else (dtype if dtype in ("Binary", "Reference")
                                                     else "'.' or '[' in the name")
            unsupported.append(f"{n} ({why})")
    if not included:
        report.attention.append("The export has no attribute-inclusion list: every attribute of "
                                f"'{chosen}' was selected.")
    selected = len(spec.attributes)
    report.carried.append(f"Object type: {chosen} -> Person, {selected} attribute(s)"
                          + (f", anchor {anchor} (also the DN, as Microsoft's wizard sets it)"
                             if anchor else ""))
    if not_selected:
        report.dropped.append(f"{len(not_selected)} attribute(s) of {chosen} not selected in MIM: "
                              + ", ".join(not_selected))
    if unsupported:
        report.attention.append("ECMA2Host does not support these attributes: "
                                + ", ".join(unsupported) + " (tick 'Treat as single value' for "
                                "multivalued ones, or remove them).")


# -- run profiles ------------------------------------------------------------------------------
def _same_partition(step: RunStep, partition: Partition | None) -> bool:
    if partition is None or not step.partition.strip():
        return True
    return step.partition.strip().strip("{}").lower() == partition.id.strip().strip("{}").lower()


def _run_profiles(agent: ManagementAgent, partition: Partition | None, spec: ConnectorSpec,
                  report: ImportReport) -> dict[str, RunStep | None]:
    """The MIM step each ECMA2Host profile came from (None when added with no step)."""
    chosen: dict[str, tuple[str, RunStep]] = {}
    for profile in agent.run_profiles:
        for i, step in enumerate(profile.steps, 1):
            where = f"'{profile.name}'" + (f" step {i}" if len(profile.steps) > 1 else "")
            target = STEP_PROFILES.get(step.type)
            if target is None:
                what = "a MIM synchronisation step" if step.type == "apply-rules" else "no ECMA2Host equivalent"
                report.dropped.append(f"Run profile {where}: {step.type or 'untyped'} ({what})")
            elif not _same_partition(step, partition):
                report.dropped.append(f"Run profile {where}: runs on another partition")
            elif target in chosen:
                report.dropped.append(f"Run profile {where}: a second {PROFILE_LABELS[target]} "
                                      f"('{chosen[target][0]}' was carried)")
            else:
                chosen[target] = (profile.name, step)
    result: dict[str, RunStep | None] = {k: v[1] for k, v in chosen.items()}
    if not chosen:
        added = [p for p, on in (("Export", agent.export_enabled),
                                 ("FullImport", agent.import_enabled)) if on] or ["Export"]
        why = "has no run profiles" if not agent.run_profiles else "has no import or export profile"
        report.attention.append(f"The file {why}: enabled {', '.join(PROFILE_LABELS[p] for p in added)} "
                                "(check the Run Profiles page).")
        result = dict.fromkeys(added)
    elif "Export" not in chosen and agent.export_enabled:
        report.attention.append("No Export profile in the file; ECMA2Host requires one: enable it "
                                "on the Run Profiles page.")
    if not agent.export_enabled:
        report.attention.append("The source agent is import-only (export-enabled is 0), but ECMA2Host "
                                "exists to export to the connected system: enable Export on the Run "
                                "Profiles page if the connector DLL can export; if it cannot, this "
                                "connector cannot provision and validation will say so.")
    names = ", ".join(f"{PROFILE_LABELS[p]}" + (f" (from '{chosen[p][0]}')" if p in chosen else "")
                      for p in builders.RUN_PROFILES if p in result)
    report.carried.append(f"Run profiles: {names}")
    if "DeltaImport" in result:
        report.attention.append("The Delta import profile's stored step name is not published by "
                                "Microsoft ('DeltaImport' is a guess): check it in Microsoft's wizard.")
    return result


# -- parameters --------------------------------------------------------------------------------
def _value_for(defn: ParameterDefinition, values: list[ParameterValue]) -> ParameterValue | None:
    exact = [v for v in values if v.name == defn.name]  # names are free text: match exactly (docs/host-facts.md §9)
    return next((v for v in exact if v.use == defn.use), exact[0] if exact else None)


def _element(name: str, mim_type: str, use: str, value: str, report: ImportReport,
             where: str) -> etree._Element:
    type_ = TYPES.get(mim_type)
    if type_ is None:
        type_ = "".join(w.capitalize() for w in re.split(r"[-_ ]", mim_type) if w) or "String"
        report.attention.append(f"Parameter '{name}' has the type '{mim_type}', unknown to this "
                                f"tool: written as '{type_}'.")
    if type_ == "EncryptedString":
        report.secrets.append(f"{name} ({where})")
        value = ""  # MIM's own ciphertext (if any) means nothing to ECMA2Host
    elif type_ == "File" and value:
        try:
            size = len(base64.b64decode(value, validate=True))
            note = f"its {size:,}-byte content carried as MIM stored it (base64)"
        except (binascii.Error, ValueError):
            note = "its value is not base64 as MIM stores files; carried as found"
        report.attention.append(f"File parameter '{name}' ({where}): {note}; how ECMA2Host stores "
                                "File values is not published: check the page.")
    return builders.parameter(name, type_, USES.get(use, use), value)


def _page(defs: list[ParameterDefinition], values: list[ParameterValue], use: str,
          report: ImportReport, where: str, defaults: list[str]) -> list[etree._Element]:
    out = []
    seen = set()
    for d in defs:
        if d.use != use or d.type in LAYOUT_ONLY or not d.name or d.name in seen:
            continue
        seen.add(d.name)
        found = _value_for(d, values)
        if found is None and d.type != "encrypted-string" and d.default:
            defaults.append(d.name)
        value = found.value if found is not None else d.default
        out.append(_element(d.name, found.type if found is not None and found.type else d.type,
                            use, value, report, where))
    for v in values:  # values the definitions do not list: carried, not invented away
        if v.name and v.name not in seen and (v.use or use) == use:
            seen.add(v.name)
            out.append(_element(v.name, v.type or "string", use, v.value, report, where))
    return out


def _parameters(agent: ManagementAgent, partition: Partition | None, steps: dict[str, RunStep | None],
                spec: ConnectorSpec, report: ImportReport) -> None:
    defs = agent.definitions
    defaults: list[str] = []
    groups: dict[str, list[etree._Element]] = {}
    for use in ("capabilities", "global", "connectivity", "schema"):
        groups[USES[use]] = _page(defs, agent.values, use, report, f"{USES[use]} page", defaults)
    part_values = partition.parameters if partition is not None else []
    groups["Partition"] = _page(defs, part_values, "partition", report, "Partitions page", defaults)
    first = next((s for p in builders.RUN_PROFILES if (s := steps.get(p)) is not None), None)
    groups["RunStep"] = _page(defs, first.parameters if first else [], "run-step",
                              _Quiet(report), "run steps", [])
    for profile in builders.RUN_PROFILES:
        if profile not in steps:
            continue
        step = steps[profile]
        params = _page(defs, step.parameters if step else [], "run-step", report,
                       f"{PROFILE_LABELS[profile]} page", [])
        if step is not None and step.batch_size.strip():
            params.append(builders.parameter(f"PageSize{profile}", "Text", "RunStep",
                                             step.batch_size.strip()))
        spec.run_profiles[profile] = [StepSpec(
            STEP_NAMES[profile], spec.partition_name, params,
            timeout=(step.timeout.strip() if step and step.timeout.strip() else "0"))]
    spec.parameters = [el for use in USE_ORDER for el in groups.get(use, [])]
    counts = [f"{use} {len(groups[use])}" for use in USE_ORDER if groups.get(use)]
    report.carried.append(f"{len(spec.parameters)} parameter(s): {', '.join(counts) or 'none'}"
                          + (", plus each run step's own" if spec.run_profiles else ""))
    if defaults:
        report.attention.append("Not in the file, the connector's default used: "
                                + ", ".join(defaults))
    if any(el.findtext("Use") == "Schema" for el in spec.parameters):
        report.attention.append("Schema-page parameters were all put on schema page 1 (MIM "
                                "exports do not say which page each belongs to): check them.")


class _Quiet(ImportReport):
    """A report that swallows notes: the top-level run-step copy repeats the first step's."""

    def __init__(self, real: ImportReport) -> None:
        super().__init__(real.source, real.agent)


# -- what could not be carried -----------------------------------------------------------------
def _dropped(agent: ManagementAgent, chosen: str, report: ImportReport) -> None:
    others = [c for c in agent.class_names if c != chosen]
    if others:
        report.dropped.append(f"Object class(es) {', '.join(others)} (ECMA2Host runs one object type)")
    report.dropped += [label[:1].upper() + label[1:] for label in agent.dropped_sections]
    if agent.has_mv_data:
        report.dropped.append("mv-data: metaverse import flows, including other agents' "
                              "(Entra's attribute mappings take their place)")
