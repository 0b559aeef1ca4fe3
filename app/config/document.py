"""Configuration.xml (or a connector export, the same format) as typed objects over the live tree.

The only module that reads Configuration.xml (docs/architecture.md §2, "One reader per file").
Reading goes through thin wrappers over lxml elements (never stale: they hold the element);
writing goes through `LosslessXml`, so an unchanged file saves byte-identical and a one-field
edit is a one-line diff. Values are kept as the strings found in the file: an enum value or a
flag spelled in a way we have never seen is read, shown and written back untouched
(docs/host-facts.md §2: the optional elements of a live file and several enums are [open]).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, TypeVar

from lxml import etree

from app.config.xmltext import LosslessXml, element, local_name, read_file
from app.errors import UserError

TRUE_WORDS = {"true", "1", "yes"}
PARTITION = "Connectors/Connector"  # a one-field edit indexes one connector's text, not the whole file


class Field:
    """A child element's text as a string property ('' when the element is missing)."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __get__(self, node: Node | None, owner: type) -> str:
        if node is None:
            return self  # type: ignore[return-value]
        return node.get_text(self.tag)

    def __set__(self, node: Node, value: str) -> None:
        node.set_text(self.tag, value)


class Flag(Field):
    """A boolean child element. Written in the style the element already has, else
    `true`/`false` (XmlSerializer), except the two the file spells `True`/`False` (docs/host-facts.md §2)."""

    CAPITALISED = {"ExportPasswordInFirstPass", "SupportPassword"}

    def __get__(self, node: Node | None, owner: type) -> bool:  # type: ignore[override]
        if node is None:
            return self  # type: ignore[return-value]
        return node.get_text(self.tag).strip().lower() in TRUE_WORDS

    def __set__(self, node: Node, value: bool) -> None:  # type: ignore[override]
        current = node.get_text(self.tag)
        if current.strip().lower() in TRUE_WORDS | {"false", "0", "no"} and bool(value) == (
            current.strip().lower() in TRUE_WORDS
        ):
            return  # same meaning: keep the spelling found in the file
        word = "true" if value else "false"
        if self.tag in self.CAPITALISED or current[:1].isupper():
            word = word.capitalize()
        node.set_text(self.tag, word)


class Node:
    """A wrapper over one element; ORDER lists its known children in Microsoft's order."""

    ORDER: tuple[str, ...] = ()  # per class; a lazily found child copies its owner's

    def __init__(self, doc: ConfigDocument, el: etree._Element) -> None:
        self.doc = doc
        self.el = el

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Node) and other.el is self.el

    def __hash__(self) -> int:
        return id(self.el)

    def child(self, tag: str) -> etree._Element | None:
        return self.el.find(tag)

    def get_text(self, tag: str) -> str:
        return self.el.findtext(tag, "")

    def has(self, tag: str) -> bool:
        return self.el.find(tag) is not None

    def set_text(self, tag: str, value: str) -> None:
        el = self.el.find(tag)
        if el is None:
            if not value and tag not in self.ORDER:
                return
            el = self.ensure(tag)
        self.doc.xml.set_text(el, value)

    def ensure(self, tag: str) -> etree._Element:
        """The child element `tag`, created in Microsoft's order when missing."""
        el = self.el.find(tag)
        if el is not None:
            return el
        known = self.ORDER.index(tag) if tag in self.ORDER else len(self.ORDER)
        index = 0
        for i, c in enumerate(c for c in self.el if isinstance(c.tag, str)):
            name = local_name(c)
            if name in self.ORDER and self.ORDER.index(name) < known:
                index = i + 1
        return self.doc.xml.insert(self.el, index, element(tag))

    def items(self, path: str, kind: type[_N]) -> list[_N]:
        return [kind(self.doc, e) for e in self.el.iterfind(path)]


_N = TypeVar("_N", bound=Node)


class HostSetting(Node):
    ORDER = ("Port", "Certificate")
    port = Field("Port")
    certificate = Field("Certificate")


class Parameter(Node):
    ORDER = ("Name", "Type", "Use", "SchemaNumber", "Encrypted", "Value")
    name = Field("Name")
    type = Field("Type")
    use = Field("Use")
    schema_number = Field("SchemaNumber")
    encrypted = Flag("Encrypted")
    value = Field("Value")

    @property
    def is_secret(self) -> bool:
        return self.type == "EncryptedString" or self.encrypted


class RunStep(Node):
    ORDER = ("Name", "Type", "Partition", "BatchSize", "Timeout", "Parameters")
    name = Field("Name")
    type = Field("Type")
    partition = Field("Partition")
    batch_size = Field("BatchSize")
    timeout = Field("Timeout")

    @property
    def parameters(self) -> list[Parameter]:
        return self.items("Parameters/Parameter", Parameter)


class RunConfiguration(Node):
    ORDER = ("Id", "Name", "VersionNumber", "CreationTime", "LastModificationTime", "RunSteps")
    id = Field("Id")
    name = Field("Name")
    version_number = Field("VersionNumber")
    creation_time = Field("CreationTime")
    last_modification_time = Field("LastModificationTime")

    @property
    def run_steps(self) -> list[RunStep]:
        return self.items("RunSteps/RunStep", RunStep)


# A superset of Parameter.is_secret, cheap to test: Type mentions EncryptedString, or Encrypted
# is not one of the usual spellings of false (is_secret then decides exactly).
_MAYBE_SECRET = etree.XPath("Parameters/Parameter[contains(Type, 'EncryptedString')"
                            " or Encrypted[. != 'false' and . != 'False' and . != '0']]")


def is_true(text: str | None) -> bool:
    return (text or "").strip().lower() in TRUE_WORDS


class AttributeInfo(NamedTuple):
    """An attribute's values read in one pass (for rules and tables over thousands of rows). A
    named tuple: validation makes one per attribute, and a frozen dataclass took 3x as long."""

    name: str
    data_type: str
    is_anchor: bool
    is_dn: bool
    multivalued: bool
    treat_as_single_value: bool
    is_deprovisioning_attribute: bool


class AttributeSchema(Node):
    ORDER = ("Name", "IsAnchor", "IsDN", "IsQueryAttribute", "IsDeprovisioningAttribute",
             "Multivalued", "TreatAsSingleValue", "DataType")
    name = Field("Name")
    is_anchor = Flag("IsAnchor")
    is_dn = Flag("IsDN")
    is_query_attribute = Flag("IsQueryAttribute")
    is_deprovisioning_attribute = Flag("IsDeprovisioningAttribute")
    multivalued = Flag("Multivalued")
    treat_as_single_value = Flag("TreatAsSingleValue")
    data_type = Field("DataType")

    def snapshot(self) -> AttributeInfo:
        return attribute_info(self.el)


def attribute_info(el: etree._Element) -> AttributeInfo:
    """The values of one <AttributeSchema>, its children read once (a comment's tag is a function,
    never one of the names looked up, so it needs no filtering)."""
    v = {c.tag: c.text for c in el}
    return AttributeInfo(v.get("Name") or "", v.get("DataType") or "", is_true(v.get("IsAnchor")),
                         is_true(v.get("IsDN")), is_true(v.get("Multivalued")),
                         is_true(v.get("TreatAsSingleValue")),
                         is_true(v.get("IsDeprovisioningAttribute")))


class DeprovisioningModel(Node):
    ORDER = ("HardDeleteStatusAttribute", "SoftDeleteStatusAttribute", "HardDelete", "SoftDelete")
    hard_delete_status_attribute = Field("HardDeleteStatusAttribute")
    soft_delete_status_attribute = Field("SoftDeleteStatusAttribute")
    hard_delete = Field("HardDelete")
    soft_delete = Field("SoftDelete")


class EntrySchema(Node):
    ORDER = ("ExternalName", "ObjectType", "SchemaAttributes", "IsDNAutogenerated",
             "DeprovisioningModel")
    external_name = Field("ExternalName")
    object_type = Field("ObjectType")
    is_dn_autogenerated = Flag("IsDNAutogenerated")

    @property
    def attributes(self) -> list[AttributeSchema]:
        return self.items("SchemaAttributes/AttributeSchema", AttributeSchema)

    def attribute_infos(self) -> list[AttributeInfo]:
        """Every attribute's values (AttributeSchema.snapshot) without a wrapper per attribute."""
        return [attribute_info(e) for e in self.el.iterfind("SchemaAttributes/AttributeSchema")]

    def attribute(self, name: str) -> AttributeSchema | None:
        return next((a for a in self.attributes if a.name == name), None)

    @property
    def anchor(self) -> AttributeSchema | None:
        return next((a for a in self.attributes if a.is_anchor), None)

    @property
    def deprovisioning(self) -> DeprovisioningModel | None:
        el = self.child("DeprovisioningModel")
        return DeprovisioningModel(self.doc, el) if el is not None else None

    def add_attribute(self, attribute: etree._Element) -> AttributeSchema:
        """Append an element made by `builders.attribute_schema`."""
        container = self.ensure("SchemaAttributes")
        return AttributeSchema(self.doc, self.doc.xml.append(container, attribute))

    def remove_attribute(self, name: str) -> None:
        attr = self.attribute(name)
        if attr is not None:
            self.doc.xml.remove(attr.el)


class Partition(Node):
    ORDER = ("Id", "Name", "DN")
    id = Field("Id")
    name = Field("Name")
    dn = Field("DN")


class Connector(Node):
    """One `<Connector>`: ConnectorConfig, Schema, ECMAConfig (docs/host-facts.md §2)."""

    ECMA_ORDER = ("ECMAFolderPath", "LibraryName", "AutosyncTimer", "SecretToken", "ProfileName",
                  "ProfileDescription", "CreationDateTime", "ModificationDateTime", "Validated")
    PARAMETER_USE_ORDER = ("Capabilities", "Global", "RunStep", "Connectivity", "Partition")

    ORDER = ("ConnectorConfig", "Schema", "ECMAConfig")

    def __init__(self, doc: ConfigDocument, el: etree._Element) -> None:
        super().__init__(doc, el)
        self.config = _Section(self, "ConnectorConfig",
                               ("Parameters", "RunConfigurations", "IsExportSupported",
                                "IsFullImportSupported", "IsDeltaImportSupported", "IsExportOnly"))
        self.schema = _Section(self, "Schema", ("EntriesSchema", "Partitions",
                                                "ExportPasswordInFirstPass", "SupportPassword"))
        self.ecma = _Section(self, "ECMAConfig", self.ECMA_ORDER)

    # ECMAConfig ------------------------------------------------------------------------
    name = property(lambda s: s.ecma.get_text("ProfileName"),
                    lambda s, v: s.ecma.set_text("ProfileName", v))
    library_name = property(lambda s: s.ecma.get_text("LibraryName"),
                            lambda s, v: s.ecma.set_text("LibraryName", v))
    autosync_timer = property(lambda s: s.ecma.get_text("AutosyncTimer"),
                              lambda s, v: s.ecma.set_text("AutosyncTimer", str(v)))
    secret_token = property(lambda s: s.ecma.get_text("SecretToken"),
                            lambda s, v: s.ecma.set_text("SecretToken", v))
    description = property(lambda s: s.ecma.get_text("ProfileDescription"),
                           lambda s, v: s.ecma.set_text("ProfileDescription", v))
    ecma_folder_path = property(lambda s: s.ecma.get_text("ECMAFolderPath"))
    creation_datetime = property(lambda s: s.ecma.get_text("CreationDateTime"))
    modification_datetime = property(lambda s: s.ecma.get_text("ModificationDateTime"),
                                     lambda s, v: s.ecma.set_text("ModificationDateTime", v))
    validated = property(lambda s: s.ecma.get_text("Validated").lower() == "true")

    @property
    def autosync_minutes(self) -> int | None:
        try:
            return int(self.autosync_timer.strip())
        except ValueError:
            return None

    # ConnectorConfig -------------------------------------------------------------------
    @property
    def parameters(self) -> list[Parameter]:
        return self.config.items("Parameters/Parameter", Parameter)

    def secret_parameters(self) -> list[Parameter]:
        """The parameters that hold secrets (Parameter.is_secret), in file order. One XPath pass
        picks the few that may be (validation asks every connector: reading Type and Encrypted of
        each parameter in Python was half its time at 200 connectors x 50 parameters)."""
        return [p for p in (Parameter(self.doc, e) for e in _MAYBE_SECRET(self.config.el)) if p.is_secret]

    def parameters_by_use(self, use: str) -> list[Parameter]:
        return [p for p in self.parameters if p.use == use]

    def parameter(self, name: str, use: str | None = None) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name and use in (None, p.use)), None)

    def add_parameter(self, parameter: etree._Element) -> Parameter:
        """Insert a `builders.parameter` element at the end of its Use group (docs/host-facts.md §2)."""
        container = self.config.ensure("Parameters")
        use = parameter.findtext("Use") or ""
        rank = self._use_rank(use)
        existing = self.parameters
        index = len(existing)
        for i, p in enumerate(existing):
            if self._use_rank(p.use) > rank:
                index = i
                break
        return Parameter(self.doc, self.doc.xml.insert(container, index, parameter))

    def add_parameters(self, parameters: list[etree._Element]) -> list[Parameter]:
        """Several parameters of one Use, in order, at the end of their group: one walk over the
        stored parameters for all of them (add_parameter walks once per parameter)."""
        if not parameters:
            return []
        added = [self.add_parameter(parameters[0])]
        for el in parameters[1:]:
            added.append(Parameter(self.doc, self.doc.xml.insert_after(added[-1].el, el)))
        return added

    def _use_rank(self, use: str) -> int:
        order = self.PARAMETER_USE_ORDER
        return order.index(use) if use in order else len(order)

    @property
    def run_configurations(self) -> list[RunConfiguration]:
        return self.config.items("RunConfigurations/RunConfiguration", RunConfiguration)

    def run_configuration(self, name: str) -> RunConfiguration | None:
        return next((r for r in self.run_configurations if r.name == name), None)

    is_export_supported = property(lambda s: s.config.flag("IsExportSupported"),
                                   lambda s, v: s.config.set_flag("IsExportSupported", v))
    is_full_import_supported = property(lambda s: s.config.flag("IsFullImportSupported"),
                                        lambda s, v: s.config.set_flag("IsFullImportSupported", v))
    is_delta_import_supported = property(lambda s: s.config.flag("IsDeltaImportSupported"),
                                         lambda s, v: s.config.set_flag("IsDeltaImportSupported", v))
    is_export_only = property(lambda s: s.config.flag("IsExportOnly"),
                              lambda s, v: s.config.set_flag("IsExportOnly", v))

    # Schema ----------------------------------------------------------------------------
    @property
    def entry_schemas(self) -> list[EntrySchema]:
        return self.schema.items("EntriesSchema/EntrySchema", EntrySchema)

    @property
    def entry_schema(self) -> EntrySchema | None:
        schemas = self.entry_schemas
        return schemas[0] if schemas else None

    @property
    def partitions(self) -> list[Partition]:
        return self.schema.items("Partitions/Partition", Partition)


_EMPTY = etree.Element("_")  # read in place of a missing section; never written to


class _Section(Node):
    """ConnectorConfig, Schema or ECMAConfig of a connector; created on first write if missing.

    Holds its connector's element, not the Connector object: no reference cycle, so an old
    document is freed as soon as it is dropped, not at some later garbage collection."""

    def __init__(self, owner: Node, tag: str, order: tuple[str, ...]) -> None:
        self.doc = owner.doc
        self.owner = Node(owner.doc, owner.el)
        self.owner.ORDER = owner.ORDER
        self.tag = tag
        self.ORDER = order
        self._el: etree._Element | None = None

    @property
    def el(self) -> etree._Element:
        if self._el is None:
            self._el = self.owner.el.find(self.tag)
        return self._el if self._el is not None else _EMPTY

    def ensure(self, tag: str) -> etree._Element:
        self._el = self.owner.ensure(self.tag)
        return super().ensure(tag)

    def flag(self, tag: str) -> bool:
        return self.get_text(tag).strip().lower() in TRUE_WORDS

    def set_flag(self, tag: str, value: bool) -> None:
        Flag(tag).__set__(self, value)


class ConfigDocument:
    """A Configuration.xml, or a connector export in the same format."""

    def __init__(self, xml: LosslessXml, path: Path | None = None) -> None:
        if local_name(xml.root) != "Configuration" or etree.QName(xml.root).namespace:
            raise UserError(f"has the root element <{xml.root.tag}>; expected <Configuration> "
                            "(an ECMA2Host Configuration.xml or a connector export)",
                            path=xml.source, line=xml.root.sourceline)
        self.xml = xml
        self.path = path

    @classmethod
    def load(cls, path: str | Path) -> ConfigDocument:
        p = Path(path)
        return cls(LosslessXml(read_file(p), str(p), PARTITION), p)

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<memory>",
                   parsed: etree._Element | None = None) -> ConfigDocument:
        return cls(LosslessXml(data, source, PARTITION, parsed))

    def saved_copy(self, data: bytes) -> ConfigDocument:
        """A fresh document over bytes `to_bytes()` just produced, reusing its verification parse."""
        parsed = self.xml.verified_root if data is not self.xml.original else None
        copy = ConfigDocument.from_bytes(data, self.source, parsed)
        copy.path = self.path
        return copy

    @property
    def root(self) -> etree._Element:
        return self.xml.root

    @property
    def source(self) -> str:
        return self.xml.source

    @property
    def modified(self) -> bool:
        return self.xml.modified

    def to_bytes(self) -> bytes:
        return self.xml.to_bytes()

    @property
    def connectors(self) -> list[Connector]:
        return [Connector(self, e) for e in self.root.iterfind("Connectors/Connector")]

    def connector(self, name: str) -> Connector | None:
        return next((c for c in self.connectors if c.name == name), None)

    def find_connector(self, name: str) -> Connector:
        """The connector by exact name, or a UserError that lists the names there are."""
        found = self.connector(name)
        if found is not None:
            return found
        names = [c.name for c in self.connectors]
        near = [n for n in names if n.lower() == name.lower()]
        hint = f" (names are case sensitive: did you mean '{near[0]}'?)" if near else ""
        listing = ", ".join(names) or "none"
        raise UserError(f"has no connector named '{name}'{hint}; connectors: {listing}",
                        path=self.source)

    @property
    def setting(self) -> HostSetting:
        el = self.root.find("Setting")
        if el is None:
            el = self.xml.append(self.root, element("Setting"))
        return HostSetting(self, el)

    def add_connector(self, connector: etree._Element) -> Connector:
        """Append a `<Connector>` element (builders.connector) after the existing ones."""
        container = self.root.find("Connectors")
        if container is None:
            container = self.xml.insert(self.root, 0, element("Connectors"))
        return Connector(self, self.xml.append(container, connector))

    def remove_connector(self, name: str) -> None:
        self.xml.remove(self.find_connector(name).el)
