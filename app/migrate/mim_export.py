"""Read a MIM management-agent export into plain records (docs/host-facts.md §9).

Three roots are accepted: `<export-ma>` ("Export Management Agent", with mv-data),
`<saved-ma-configuration>` (a server-configuration export, `MA-{GUID}.XML`) and a bare
`<ma-data>` (Entra Connect connector exports). Files come from several vendors (Microsoft,
Granfeldt, Lithnet...), so nothing here assumes more than the shape: missing sections read as
empty, parameter names are kept exactly as written (double spaces and `_Global` suffixes
included), and an encrypted value that is absent reads the same as an empty one.

This module only reads; `mim_mapping` turns the records into a connector.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from lxml import etree

from app.config.xmltext import MAX_BYTES, local_name, parse_bytes
from app.errors import UserError

DSML = "http://www.dsml.org/DSML"
MS_DSML = "http://www.microsoft.com/MMS/DSML"
NS = {"dsml": DSML, "ms-dsml": MS_DSML}
ROOTS = ("export-ma", "saved-ma-configuration", "ma-data")
ECMA2_CATEGORY = "Extensible2"
# Attribute MIM adds to every class for password export; not part of the connected system.
SYNTHETIC_ATTRIBUTES = frozenset({"export_password"})
# Sections with no ECMA2Host equivalent (docs/host-facts.md §9): reported as dropped when they hold anything.
DROPPED_SECTIONS = (
    ("stay-disconnector", "stay-disconnector filters"),
    ("join", "join rules"),
    ("projection", "projection rules"),
    ("export-attribute-flow", "export attribute flows"),
    ("provisioning-cleanup", "MIM deprovisioning (provisioning-cleanup)"),
    ("extension", "rules extension"),
    ("controller-configuration", "controller configuration"),
)


@dataclass
class ParameterDefinition:
    """One entry of MAConfig/parameter-definitions: what the connector asked for."""

    name: str
    use: str  # connectivity, global, capabilities, schema, partition, run-step
    type: str  # string, encrypted-string, text, checkbox, drop-down, file, label, divider
    validation: str = ""
    default: str = ""
    text: str = ""


@dataclass
class ParameterValue:
    """One `<parameter name=.. type=.. use=..>value</parameter>`."""

    name: str
    use: str
    type: str
    value: str
    encrypted: bool = False


@dataclass
class AttributeType:
    id: str
    name: str
    syntax: str
    single_value: bool


@dataclass
class ClassAttribute:
    ref: str  # the attribute-type id the class points at
    is_anchor: bool
    allowed_operation: str = ""


@dataclass
class ObjectClass:
    id: str
    name: str
    attributes: list[ClassAttribute] = field(default_factory=list)


@dataclass
class Partition:
    id: str
    name: str
    dn: str
    selected: bool
    parameters: list[ParameterValue] = field(default_factory=list)


@dataclass
class RunStep:
    type: str  # full-import, delta-import, export, apply-rules, ...
    partition: str  # the partition id (a GUID) the step runs on
    timeout: str = ""
    batch_size: str = ""
    parameters: list[ParameterValue] = field(default_factory=list)


@dataclass
class RunProfile:
    name: str
    steps: list[RunStep] = field(default_factory=list)


@dataclass
class ManagementAgent:
    """Everything the mapping needs from one export, as found in the file."""

    source: str
    root: str  # which of ROOTS the file had
    name: str
    category: str
    subtype: str = ""
    company: str = ""
    description: str = ""
    dll_file: str = ""  # extension-config/filename, e.g. Granfeldt.SQL.MA.dll
    export_enabled: bool = True
    import_enabled: bool = True
    attribute_types: dict[str, AttributeType] = field(default_factory=dict)
    classes: list[ObjectClass] = field(default_factory=list)
    class_anchors: dict[str, list[str]] = field(default_factory=dict)  # importing/per-class-settings
    attribute_inclusion: list[str] = field(default_factory=list)
    definitions: list[ParameterDefinition] = field(default_factory=list)
    values: list[ParameterValue] = field(default_factory=list)
    partitions: list[Partition] = field(default_factory=list)
    run_profiles: list[RunProfile] = field(default_factory=list)
    dropped_sections: list[str] = field(default_factory=list)  # labels of non-empty sections
    has_mv_data: bool = False

    @property
    def class_names(self) -> list[str]:
        return [c.name for c in self.classes]

    def object_class(self, name: str) -> ObjectClass | None:
        return next((c for c in self.classes if c.name == name), None)


# -- bytes to a parsed tree --------------------------------------------------------------------
_DECL = re.compile(r"^(<\?xml[^>]*?encoding\s*=\s*)([\"'])[A-Za-z0-9._-]+\2")


def normalise_encoding(data: bytes, source: str) -> bytes:
    """UTF-8 bytes of a file that may be UTF-16 (with or without BOM) or UTF-8 (with or without
    BOM), whatever its declaration says: MIM writes UTF-16, editors re-save as UTF-8 and leave
    the old declaration behind. Line numbers are kept (only the declaration is touched)."""
    if len(data) > MAX_BYTES:  # before decoding: a 100 MB text node must not be copied twice
        raise UserError(f"is {len(data) / 1048576:.1f} MB; files over {MAX_BYTES // 1048576} MB "
                        "are refused (a real export is a few MB at most)", path=source)
    if data.startswith(codecs.BOM_UTF8):
        codec, body = "utf-8", data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec, body = "utf-16", data
    elif data.startswith(b"<\x00"):
        codec, body = "utf-16-le", data
    elif data.startswith(b"\x00<"):
        codec, body = "utf-16-be", data
    else:
        codec, body = "utf-8", data
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n" if codec == "utf-8" else "\n".encode(codec)) + 1
        raise UserError(f"is not valid {codec.upper()} text (byte {exc.start}); save it again "
                        "as UTF-8 or UTF-16", path=source, line=line) from None
    text = _DECL.sub(r"\1\2utf-8\2", text.lstrip("\ufeff"), count=1)
    return text.encode("utf-8")


def _text(el: etree._Element | None, path: str, default: str = "") -> str:
    if el is None:
        return default
    found = el.find(path)
    if found is None or found.text is None:
        return default
    return found.text


def _flag(value: str, default: bool = False) -> bool:
    value = (value or "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "-1", "yes")


def _has_content(el: etree._Element | None) -> bool:
    if el is None:
        return False
    return any(isinstance(c.tag, str) for c in el) or bool((el.text or "").strip())


# -- the sections ------------------------------------------------------------------------------
def _parameter_values(container: etree._Element | None) -> list[ParameterValue]:
    if container is None:
        return []
    out = []
    for p in container.iterfind("parameter"):
        kind = p.get("type", "")
        out.append(ParameterValue(
            name=p.get("name", ""), use=p.get("use", ""), type=kind, value=p.text or "",
            encrypted=kind == "encrypted-string" or _flag(p.get("encrypted", "")),
        ))
    return out


def _definitions(config: etree._Element | None) -> list[ParameterDefinition]:
    container = config.find("parameter-definitions") if config is not None else None
    if container is None:
        return []
    return [ParameterDefinition(
        name=_text(p, "name"), use=_text(p, "use"), type=_text(p, "type"),
        validation=_text(p, "validation"), default=_text(p, "default-value"), text=_text(p, "text"),
    ) for p in container.iterfind("parameter")]


def _schema(ma: etree._Element, agent: ManagementAgent) -> None:
    directory = ma.find("schema/dsml:dsml/dsml:directory-schema", NS)
    if directory is None:
        directory = ma.find(".//dsml:directory-schema", NS)
    if directory is None:
        return
    for at in directory.iterfind("dsml:attribute-type", NS):
        ident = at.get("id") or at.findtext("dsml:name", "", namespaces=NS)
        agent.attribute_types[ident] = AttributeType(
            id=ident, name=(at.findtext("dsml:name", namespaces=NS) or ident),
            syntax=(at.findtext("dsml:syntax", namespaces=NS) or "").strip(),
            single_value=_flag(at.get("single-value", "")),  # absent means multivalued (docs/host-facts.md §9)
        )
    for cl in directory.iterfind("dsml:class", NS):
        name = cl.findtext("dsml:name", namespaces=NS) or cl.get("id", "")
        refs = []
        for a in cl.iterfind("dsml:attribute", NS):
            ref = (a.get("ref") or "").lstrip("#")
            refs.append(ClassAttribute(ref, _flag(a.get(f"{{{MS_DSML}}}isAnchor", "")),
                                       a.get(f"{{{MS_DSML}}}allowedOperation", "")))
        agent.classes.append(ObjectClass(cl.get("id", name), name, refs))


def _anchors(config: etree._Element | None) -> dict[str, list[str]]:
    """Anchors per class from MAConfig/importing: per-class-settings, else the flat list."""
    out: dict[str, list[str]] = {}
    if config is None:
        return out
    for cl in config.iterfind("importing/per-class-settings/class"):
        name = _text(cl, "name")
        out[name] = [a.text for a in cl.iterfind("anchor/attribute") if a.text]
    for a in config.iterfind("importing/anchor/attribute"):
        cls = a.get("object_class", "")
        if cls and cls not in out and a.text:
            out.setdefault(cls, []).append(a.text)
    return out


def _partitions(ma: etree._Element) -> list[Partition]:
    out = []
    for p in ma.iterfind("ma-partition-data/partition"):
        custom = p.find("custom-data")
        dn = _text(custom, "ecma-partition-data/dn") or _text(p, "name")
        out.append(Partition(
            id=_text(p, "id"), name=_text(p, "name"), dn=dn,
            selected=_flag(_text(p, "selected"), default=True),
            parameters=_parameter_values(custom.find("parameter-values") if custom is not None
                                         else None),
        ))
    return out


def _run_profiles(ma: etree._Element) -> list[RunProfile]:
    out = []
    for rc in ma.iterfind("ma-run-data/run-configuration"):
        steps = []
        for st in rc.iterfind("configuration/step"):
            kind = st.find("step-type")
            custom = st.find("custom-data")
            data = custom.find("extensible2-step-data") if custom is not None else None
            steps.append(RunStep(
                type=kind.get("type", "") if kind is not None else "",
                partition=_text(st, "partition"),
                timeout=_text(data, "timeout"),
                batch_size=_text(data, "batch-size") or _text(st, "threshold/batch-size"),
                parameters=_parameter_values(custom.find("parameter-values") if custom is not None
                                             else None),
            ))
        out.append(RunProfile(_text(rc, "name"), steps))
    return out


# -- the whole file ----------------------------------------------------------------------------
def find_ma_data(root: etree._Element, source: str) -> tuple[str, etree._Element]:
    kind = local_name(root)
    if kind not in ROOTS or etree.QName(root).namespace:
        raise UserError(f"has the root element <{kind}>; a MIM management-agent export starts "
                        "with <export-ma>, <saved-ma-configuration> or <ma-data>",
                        path=source, line=root.sourceline)
    ma = root if kind == "ma-data" else root.find("ma-data")
    if ma is None:
        raise UserError(f"has no <ma-data> inside <{kind}>; it holds no management agent",
                        path=source, line=root.sourceline)
    return kind, ma


def read_agent(data: bytes, source: str = "<memory>") -> ManagementAgent:
    """Parse (hardened) and read one export; refuses agents the ECMA host cannot run."""
    root = parse_bytes(normalise_encoding(data, source), source)[0]
    kind, ma = find_ma_data(root, source)
    category = _text(ma, "category").strip()
    # A packaged agent file names itself in <ma-listname> and may leave <name> empty.
    name = _text(ma, "name").strip() or _text(ma, "ma-listname").strip()
    if category.lower() != ECMA2_CATEGORY.lower():
        what = f"a management agent of category '{category}'" if category else "a management agent with no category"
        raise UserError(f"is {what}{f' ({name})' if name else ''}; the ECMA host only runs ECMA2 "
                        f"connectors (category {ECMA2_CATEGORY}), so it cannot be imported",
                        path=source, line=ma.sourceline)
    config = ma.find("private-configuration/MAConfig")
    ext = config.find("extension-config") if config is not None else None
    agent = ManagementAgent(
        source=source, root=kind, name=name, category=category,
        subtype=_text(ma, "subtype").strip(), company=_text(ma, "ma-companyname").strip(),
        description=_text(ma, "description").strip(),
        dll_file=_text(ext, "filename").strip(),
        export_enabled=_flag(_text(ext, "export-enabled"), default=True),
        import_enabled=_flag(_text(ext, "import-enabled"), default=True),
    )
    _schema(ma, agent)
    agent.class_anchors = _anchors(config)
    agent.attribute_inclusion = [a.text.strip() for a in ma.iterfind("attribute-inclusion/attribute")
                                 if a.text and a.text.strip()]
    agent.definitions = _definitions(config)
    agent.values = _parameter_values(config.find("parameter-values") if config is not None else None)
    agent.partitions = _partitions(ma)
    agent.run_profiles = _run_profiles(ma)
    agent.dropped_sections = [label for tag, label in DROPPED_SECTIONS
                              if _has_content(ma.find(tag)) and not _is_default(ma.find(tag))]
    if _flag(_text(ma, "password-sync-allowed")):
        agent.dropped_sections.append("password synchronisation")
    agent.has_mv_data = _has_content(root.find("mv-data")) if kind != "ma-data" else False
    return agent


def _is_default(el: etree._Element) -> bool:
    """Sections MIM fills in for every agent, which carry no user decision."""
    tag = local_name(el)
    if tag == "controller-configuration":
        return (_text(el, "application-protection") in ("", "low")
                and _text(el, "application-architecture") in ("", "process"))
    return False
