"""Parameter definitions a new connector starts from, per connector DLL.

Microsoft's wizard asks the DLL for its parameters; where the DLL cannot be asked, a new connector
starts from a template. The PowerShell list comes from a real file (Microsoft's export); the
Generic SQL, LDAP and web-services lists follow the pages of Microsoft's tutorials for each, and
the UI says they are templates (docs/host-facts.md §3, "Templates").
For an existing connector the stored `<Parameter>` elements are the truth and no template is used,
except to offer the known choices of a DropDown (the file keeps only the chosen value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from app.config import builders

POWERSHELL = "Microsoft.IAM.Connector.PowerShell"
GENERIC_SQL = "Microsoft.IAM.Connector.GenericSql"
GENERIC_LDAP = "Microsoft.IAM.Connector.GenericLdap"
WEB_SERVICES = "Microsoft.IdentityManagement.MA.WebServices"


@dataclass(frozen=True)
class ParameterDefinition:
    name: str
    type: str  # CheckBox, DropDown, String, Text, EncryptedString, File, Label, Divider
    use: str  # Capabilities, Connectivity, Global, Partition, Schema, RunStep
    default: str = ""
    choices: tuple[str, ...] = ()
    schema_number: str | None = None  # None: builders' rule (1, RunStep 0)
    profiles: tuple[str, ...] = ()  # RunStep only: which run profiles carry it

    def element(self) -> etree._Element:
        return builders.parameter(self.name, self.type, self.use, self.default,
                                  schema_number=self.schema_number)


@dataclass(frozen=True)
class ParameterTemplate:
    library: str
    origin: str  # shown to the user: where this list comes from
    is_guess: bool
    definitions: tuple[ParameterDefinition, ...] = field(default_factory=tuple)

    def page_parameters(self) -> list[etree._Element]:
        return [d.element() for d in self.definitions if d.use != "RunStep"]

    def run_step_parameters(self, profile: str) -> list[etree._Element]:
        return [d.element() for d in self.definitions if d.use == "RunStep" and profile in d.profiles]

    def choices(self, name: str) -> tuple[str, ...]:
        return next((d.choices for d in self.definitions if d.name == name), ())


def _d(name: str, type_: str, use: str, default: str = "", choices: tuple[str, ...] = (),
       **kw: Any) -> ParameterDefinition:
    return ParameterDefinition(name, type_, use, default, choices, **kw)


_CB, _DD, _S, _T, _E, _F = "CheckBox", "DropDown", "String", "Text", "EncryptedString", "File"
ALL_RUNS = ("Export", "FullImport", "DeltaImport")

# Names, types, order and defaults as Microsoft's wizard wrote them in the CSV sample export
# (the shape of tests/data/powershell-csv-export.xml); DropDown choices are those of the PowerShell connector's UI.
_POWERSHELL = (
    _d("Distinguished Name Style", _DD, "Capabilities", "None", ("None", "Generic", "Ldap")),
    _d("Export Type", _DD, "Capabilities", "ObjectReplace",
       ("AttributeUpdate", "AttributeReplace", "ObjectReplace", "MultivaluedReferenceAttributeUpdate")),
    _d("Data Normalization", _DD, "Capabilities", "None", ("None", "ToUpper", "DeleteAddAsReplace")),
    _d("Object Confirmation", _DD, "Capabilities", "Normal",
       ("Normal", "NoDeleteConfirmation", "NoAddAndDeleteConfirmation")),
    _d("Use DN As Anchor (Only LDAP style DN)", _CB, "Capabilities", "0"),
    _d("Concurrent Operations Of Several Connectors", _CB, "Capabilities", "1"),
    _d("Partitions (Only LDAP style DN)", _CB, "Capabilities", "0"),
    _d("Hierarchy (Only LDAP style DN)", _CB, "Capabilities", "0"),
    _d("Enable Import", _CB, "Capabilities", "1"),
    _d("Enable Delta Import", _CB, "Capabilities", "0"),
    _d("Enable Export", _CB, "Capabilities", "1"),
    _d("Enable Full Export", _CB, "Capabilities", "0"),
    _d("No Reference Values In First Export Pass", _CB, "Capabilities", "0"),
    _d("Enable Object Rename", _CB, "Capabilities", "0"),
    _d("Delete-Add As Replace", _CB, "Capabilities", "0"),
    _d("Enable Password operations", _CB, "Capabilities", "0"),
    _d("Enable Export Password In First Pass", _CB, "Capabilities", "0"),
    *(_d(n, _T, "Global") for n in (
        "Partition Script", "Hierarchy Script", "Begin Import Script", "Import Script",
        "End Import Script", "Begin Export Script", "Export Script", "End Export Script",
        "Begin Password Script", "Password Extension Script", "End Password Script")),
    _d("PowerShell script execution timeout in minutes (0 – disabled)", _S, "Global", "0"),
    _d("Server", _S, "Connectivity"),
    _d("Domain", _S, "Connectivity"),
    _d("User", _S, "Connectivity"),
    _d("Password", _E, "Connectivity"),
    _d("Impersonate Connector Account", _CB, "Connectivity", "0"),
    _d("Load User Profile When Impersonating", _CB, "Connectivity", "0"),
    _d("Logon Type When Impersonating", _DD, "Connectivity", "None",
       ("None", "Interactive", "Network", "Batch", "Service", "NetworkCleartext", "NewCredentials")),
    _d("Signed Scripts Only", _CB, "Connectivity", "0"),
    _d("Common Module Script Name (with extension)", _S, "Connectivity"),
    _d("Common Module Script", _T, "Connectivity"),
    _d("Validation Script", _T, "Connectivity"),
    _d("Schema Script", _T, "Connectivity"),
    _d("Additional Config Parameter Names", _S, "Connectivity"),
    _d("Additional Encrypted Config Parameter Names", _S, "Connectivity"),
    _d("PageSizeExport", _T, "RunStep", "5000", profiles=("Export",)),
    _d("PageSizeFullImport", _T, "RunStep", "5000", profiles=("FullImport",)),
    _d("PageSizeDeltaImport", _T, "RunStep", "5000", profiles=("DeltaImport",)),
)

# The templates below follow the pages of Microsoft's own tutorials for each connector (names as
# the tutorials' tables and screenshots give them); the DLL defines the real list, so each says it
# is a template (docs/host-facts.md §3, "Templates").
#
# Generic SQL: "Provisioning users into SQL based applications" (entra-docs). Connectivity holds
# the DSN file, the account, and the "DN is Anchor" and "Export Type:Object Replace" boxes (both
# left unticked unless needed); Schema 1-4 as its steps; Global holds Delta Strategy (None for
# IBM DB2; the MIM Generic SQL guide's step-by-step picks Watermark), the water mark query and the
# date/time format (yyyy-MM-dd HH:mm:ss for SQL Server); each run step the operation method and table.
_SQL_METHODS = ("Table", "View", "Stored Procedure", "SQL Query")
_GENERIC_SQL = (
    _d("DSN File", _F, "Connectivity"),
    _d("User Name", _S, "Connectivity"),
    _d("Password", _E, "Connectivity"),
    _d("Authentication", _DD, "Connectivity", "SQL Authentication",
       ("SQL Authentication", "Windows Authentication")),
    _d("DN is Anchor", _CB, "Connectivity", "0"),
    _d("Export Type:Object Replace", _CB, "Connectivity", "0"),
    _d("Object type detection", _S, "Schema", "Fixed Value", schema_number="1"),
    _d("Fixed value list/Table/View/SP", _S, "Schema", "User", schema_number="1"),
    _d("User:Attribute Detection", _DD, "Schema", "Table", _SQL_METHODS, schema_number="2"),
    _d("User:Table/View/SP", _S, "Schema", "", schema_number="2"),
    _d("Select Anchor for :User", _S, "Schema", "", schema_number="3"),
    _d("Select DN attribute for User", _S, "Schema", "", schema_number="3"),
    _d("DataType of the Attribute", _S, "Schema", "", schema_number="4"),
    _d("Delta Strategy", _DD, "Global", "None", ("None", "Watermark")),
    _d("Water Mark Query", _T, "Global"),
    _d("Data Source Date Time Format", _T, "Global", "yyyy-MM-dd HH:mm:ss"),
    _d("Operation Method", _DD, "RunStep", "Table", _SQL_METHODS, profiles=ALL_RUNS),
    _d("Table/View/SP", _S, "RunStep", "", profiles=ALL_RUNS),
)

# Generic LDAP: "Configuring Microsoft Entra ID to provision users into an LDAP directory"
# (entra-docs). Connectivity as its table (port 636 for LDAP over SSL, 389 for Start TLS; timeout
# 180; realm/domain only for Kerberos; the three schema boxes unticked); Global: the change log DN
# for delta import, a password attribute and extra partition names. The certificate section (SSL
# and TLS client certificates) is left to the DLL.
_GENERIC_LDAP = (
    _d("Host", _S, "Connectivity"),
    _d("Port", _S, "Connectivity", "636"),
    _d("Connection Timeout", _S, "Connectivity", "180"),
    _d("Binding", _DD, "Connectivity", "SSL", ("SSL", "TLS", "Basic", "Negotiate", "Kerberos")),
    _d("User Name", _S, "Connectivity"),
    _d("Password", _E, "Connectivity"),
    _d("Realm/Domain", _S, "Connectivity"),
    _d("Attribute Aliases", _T, "Connectivity"),
    _d("Include operational attributes in schema", _CB, "Connectivity", "0"),
    _d("Include extensible attributes in schema", _CB, "Connectivity", "0"),
    _d("Allow manual anchor selection", _CB, "Connectivity", "0"),
    _d("Change Log DN", _S, "Global"),
    _d("Password Attribute", _S, "Global"),
    _d("Partition Names", _T, "Global"),
)

# Web services: "Provisioning with the web services connector" (entra-docs). Connectivity: the
# .wsconfig project (copied into Service\ECMA first), host and port; Capabilities with the values
# its table gives (names spelt as the PowerShell connector's page, which shows the same options).
_WEB_SERVICES = (
    _d("Web Service Project", _S, "Connectivity"),
    _d("Host", _S, "Connectivity"),
    _d("Port", _S, "Connectivity"),
    _d("Distinguished Name Style", _DD, "Capabilities", "Generic", ("None", "Generic", "Ldap")),
    _d("Export Type", _DD, "Capabilities", "ObjectReplace",
       ("AttributeUpdate", "AttributeReplace", "ObjectReplace", "MultivaluedReferenceAttributeUpdate")),
    _d("Data Normalization", _DD, "Capabilities", "None", ("None", "ToUpper", "DeleteAddAsReplace")),
    _d("Object Confirmation", _DD, "Capabilities", "Normal",
       ("Normal", "NoDeleteConfirmation", "NoAddAndDeleteConfirmation")),
    _d("Enable Import", _CB, "Capabilities", "1"),
    _d("Enable Delta Import", _CB, "Capabilities", "0"),
    _d("Enable Export", _CB, "Capabilities", "1"),
    _d("Enable Full Export", _CB, "Capabilities", "0"),
    _d("Enable Export Password In First Pass", _CB, "Capabilities", "1"),
    _d("No Reference Values In First Export Pass", _CB, "Capabilities", "0"),
    _d("Enable Object Rename", _CB, "Capabilities", "0"),
    _d("Delete-Add As Replace", _CB, "Capabilities", "0"),
)

_REAL = "; the DLL defines the real list."
TEMPLATES: dict[str, ParameterTemplate] = {
    POWERSHELL: ParameterTemplate(
        POWERSHELL, "Parameter list of Microsoft's CSV sample export (PowerShell connector).",
        False, _POWERSHELL),
    GENERIC_SQL: ParameterTemplate(
        GENERIC_SQL, "Template: the pages of Microsoft's Generic SQL tutorial (DN is Anchor and Export "
        "Type on Connectivity, Delta Strategy on Global)" + _REAL, True, _GENERIC_SQL),
    GENERIC_LDAP: ParameterTemplate(
        GENERIC_LDAP, "Template: the Connectivity and Global pages of Microsoft's Generic LDAP tutorial"
        + _REAL, True, _GENERIC_LDAP),
    WEB_SERVICES: ParameterTemplate(
        WEB_SERVICES, "Template: the Connectivity and Capabilities pages of Microsoft's web services "
        "connector tutorial" + _REAL, True, _WEB_SERVICES),
}

CUSTOM = ParameterTemplate("", "Custom connector: add the parameters its DLL defines (names are "
                           "case sensitive and must match the DLL exactly).", True, ())


def template_for(library: str) -> ParameterTemplate:
    """The template for a DLL name (with or without '.dll'); custom DLLs get an empty, editable list."""
    name = library[:-4] if library.lower().endswith(".dll") else library
    return TEMPLATES.get(name, CUSTOM)


def known_choices(library: str, parameter_name: str) -> tuple[str, ...]:
    return template_for(library).choices(parameter_name)
