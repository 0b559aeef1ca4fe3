"""New elements in the order and spelling Microsoft's wizard writes (docs/host-facts.md §2, "Observed
conventions"), so that a connector created here opens in Microsoft's wizard."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from app.config.xmltext import element  # also re-exported for callers

MICROSOFT_LIBRARIES = (
    "Microsoft.IAM.Connector.GenericSql",
    "Microsoft.IAM.Connector.GenericLdap",
    "Microsoft.IAM.Connector.PowerShell",
    "Microsoft.IdentityManagement.MA.WebServices",
)
RUN_PROFILES = ("Export", "FullImport", "DeltaImport")  # DeltaImport's stored name is [open]


def dotnet_long_datetime(when: datetime | None = None) -> str:
    """.NET's long date-time as ECMAConfig stores it: 'Thursday, April 27, 2023 9:09:03 PM'."""
    when = when or datetime.now()
    hour = when.hour % 12 or 12
    return (f"{when:%A}, {when:%B} {when.day}, {when.year} "
            f"{hour}:{when:%M}:{when:%S} {'AM' if when.hour < 12 else 'PM'}")


def dotnet_roundtrip(when: datetime | None = None) -> str:
    """.NET's round-trip 'o' format with local offset: 2023-04-27T21:33:46.7386769-07:00."""
    when = (when or datetime.now()).astimezone()
    offset = when.strftime("%z")
    return f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond:06d}0{offset[:3]}:{offset[3:]}"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def parameter(name: str, type_: str, use: str, value: str = "", *, encrypted: bool = False,
              schema_number: str | None = None) -> etree._Element:
    """SchemaNumber is 1 for every page but RunStep (0), as observed; its meaning is [open]."""
    if schema_number is None:
        schema_number = "0" if use == "RunStep" else "1"
    return element("Parameter", children=[
        element("Name", name), element("Type", type_), element("Use", use),
        element("SchemaNumber", schema_number),
        element("Encrypted", _bool(encrypted or type_ == "EncryptedString")),
        element("Value", value),
    ])


@dataclass
class StepSpec:
    name: str
    partition: str = "default"
    parameters: list[etree._Element] = field(default_factory=list)
    type_: str = "None"
    batch_size: str = "0"
    timeout: str = "0"


def run_step(spec: StepSpec) -> etree._Element:
    return element("RunStep", children=[
        element("Name", spec.name), element("Type", spec.type_),
        element("Partition", spec.partition), element("BatchSize", spec.batch_size),
        element("Timeout", spec.timeout), element("Parameters", children=spec.parameters),
    ])


def run_configuration(name: str, steps: list[StepSpec], when: datetime | None = None) -> etree._Element:
    stamp = dotnet_roundtrip(when)
    return element("RunConfiguration", children=[
        element("Id", str(uuid.uuid4())), element("Name", name), element("VersionNumber", "0"),
        element("CreationTime", stamp), element("LastModificationTime", stamp),
        element("RunSteps", children=[run_step(s) for s in steps]),
    ])


def attribute_schema(name: str, data_type: str = "String", *, anchor: bool = False,
                     dn: bool = False, multivalued: bool = False,
                     treat_as_single_value: bool = False) -> etree._Element:
    return element("AttributeSchema", children=[
        element("Name", name), element("IsAnchor", _bool(anchor)), element("IsDN", _bool(dn)),
        element("IsQueryAttribute", _bool(anchor)), element("IsDeprovisioningAttribute", "false"),
        element("Multivalued", _bool(multivalued)),
        element("TreatAsSingleValue", _bool(treat_as_single_value)),
        element("DataType", data_type),
    ])


def partition(name: str = "default", dn: str = "default", id_: str = "") -> etree._Element:
    """`id_`: the partition's GUID as the connector DLL gives it; a new one when empty."""
    return element("Partition", children=[element("Id", id_ or str(uuid.uuid4())),
                                          element("Name", name), element("DN", dn)])


# Microsoft's export of its own CSV connector (docs/host-facts.md §2) has <ExternalName>User</...>
# (Entra's object: ECMA2Host provisions users) and <ObjectType>Person</...> (the type the connector's
# Schema.xml defines). Every writer of a new connector (`connector add`, `import-ma`) names the
# connector's type through `set_object_type`, so the two elements cannot be swapped again.
ENTRA_OBJECT = "User"


@dataclass
class ConnectorSpec:
    """Everything a new connector needs; the wizard fills it page by page."""

    name: str
    library_name: str
    autosync_timer: int = 120
    secret_token: str = ""
    description: str = ""
    parameters: list[etree._Element] = field(default_factory=list)  # Capabilities..Connectivity
    run_profiles: dict[str, list[StepSpec]] = field(default_factory=dict)
    external_name: str = ENTRA_OBJECT
    object_type: str = "Person"  # set through set_object_type
    attributes: list[etree._Element] = field(default_factory=list)
    dn_autogenerated: bool = False
    hard_delete: str = "TreatAsHard"
    soft_delete: str = "None"
    hard_delete_status_attribute: str = ""
    soft_delete_status_attribute: str = ""
    partition_name: str = "default"
    partition_dn: str = "default"
    partition_id: str = ""
    export_password_in_first_pass: bool = False  # from the DLL's capabilities, when asked
    support_password: bool = False


def set_object_type(spec: ConnectorSpec, connector_type: str) -> None:
    """The connector's own object type (the DLL's schema type, a MIM agent's object class) into
    ObjectType, and Entra's object into ExternalName: the one rule for both (see ENTRA_OBJECT)."""
    spec.object_type, spec.external_name = connector_type, ENTRA_OBJECT


def connector(spec: ConnectorSpec, when: datetime | None = None) -> etree._Element:
    """A whole `<Connector>` in Microsoft's element order."""
    runs = [run_configuration(n, spec.run_profiles[n], when) for n in RUN_PROFILES
            if n in spec.run_profiles]
    runs += [run_configuration(n, s, when) for n, s in spec.run_profiles.items()
             if n not in RUN_PROFILES]
    stamp = dotnet_long_datetime(when)
    ecma = [
        element("ECMAFolderPath"), element("LibraryName", spec.library_name),
        element("AutosyncTimer", str(spec.autosync_timer)),
        element("SecretToken", spec.secret_token), element("ProfileName", spec.name),
    ]
    if spec.description:  # seen only in live files [3rd]; left out when empty, as exports do
        ecma.append(element("ProfileDescription", spec.description))
    ecma += [element("CreationDateTime", stamp), element("ModificationDateTime", stamp),
             element("Validated", "true")]
    return element("Connector", children=[
        element("ConnectorConfig", children=[
            element("Parameters", children=spec.parameters),
            element("RunConfigurations", children=runs),
            element("IsExportSupported", _bool("Export" in spec.run_profiles)),
            element("IsFullImportSupported", _bool("FullImport" in spec.run_profiles)),
            element("IsDeltaImportSupported", _bool("DeltaImport" in spec.run_profiles)),
            element("IsExportOnly", _bool(set(spec.run_profiles) <= {"Export"})),
        ]),
        element("Schema", children=[
            element("EntriesSchema", children=[element("EntrySchema", children=[
                element("ExternalName", spec.external_name),
                element("ObjectType", spec.object_type),
                element("SchemaAttributes", children=spec.attributes),
                element("IsDNAutogenerated", _bool(spec.dn_autogenerated)),
                element("DeprovisioningModel", children=[
                    element("HardDeleteStatusAttribute", spec.hard_delete_status_attribute),
                    element("SoftDeleteStatusAttribute", spec.soft_delete_status_attribute),
                    element("HardDelete", spec.hard_delete),
                    element("SoftDelete", spec.soft_delete),
                ]),
            ])]),
            element("Partitions", children=[partition(spec.partition_name, spec.partition_dn,
                                                      spec.partition_id)]),
            # .NET's bool.ToString() spelling here, unlike the rest of the file (as observed)
            element("ExportPasswordInFirstPass", str(spec.export_password_in_first_pass)),
            element("SupportPassword", str(spec.support_password)),
        ]),
        element("ECMAConfig", children=ecma),
    ])


EMPTY_CONFIGURATION = (
    b'<?xml version="1.0"?>\n'
    b'<Configuration xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    b"  <Connectors />\n"
    b"  <Setting>\n    <Port>8585</Port>\n    <Certificate />\n  </Setting>\n"
    b"</Configuration>\n"
)
