"""Parameter definitions a new connector starts from, per connector DLL.

Microsoft's wizard asks the DLL for its parameters; we cannot load a .NET DLL, so a new connector
starts from a template. Where the list comes from a real file it says so; the LDAP and web-service
lists are our own minimal guesses and the UI labels them "template" (docs/host-facts.md §3 "(C)").
For an existing connector the stored `<Parameter>` elements are the truth and no template is used,
except to offer the known choices of a DropDown (the file keeps only the chosen value).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def _d(name: str, type_: str, use: str, default: str = "", choices: tuple[str, ...] = (), **kw):
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

# Names and pages as the bundled sample host's Generic SQL connector (HRDatabase) stores them;
# the Schema 1-4 pages are Generic SQL's own (docs/host-facts.md §3, item 4).
_SQL_METHODS = ("Table", "View", "Stored Procedure", "SQL Query")
_GENERIC_SQL = (
    _d("Export Type", _DD, "Capabilities", "AttributeReplace", ("AttributeReplace", "ObjectReplace")),
    _d("Water Mark Query", _T, "Global"),
    _d("Data Source Date Time Format", _T, "Global", "yyyy-MM-dd HH:mm:ss"),
    _d("DSN File", _F, "Connectivity"),
    _d("User Name", _S, "Connectivity"),
    _d("Password", _E, "Connectivity"),
    _d("Authentication", _DD, "Connectivity", "SQL Authentication",
       ("SQL Authentication", "Windows Authentication")),
    _d("Object type detection", _S, "Schema", "Fixed Value", schema_number="1"),
    _d("Fixed value list/Table/View/SP", _S, "Schema", "User", schema_number="1"),
    _d("User:Table/View/SP", _S, "Schema", "", schema_number="2"),
    _d("Select Anchor for :User", _S, "Schema", "", schema_number="3"),
    _d("Select DN attribute for User", _S, "Schema", "", schema_number="3"),
    _d("DataType of the Attribute", _S, "Schema", "", schema_number="4"),
    _d("Operation Method", _DD, "RunStep", "Table", _SQL_METHODS, profiles=ALL_RUNS),
    _d("Table/View/SP", _S, "RunStep", "", profiles=ALL_RUNS),
)

# Our own minimal lists: the real ones come from the DLLs, which we cannot load here.
_GENERIC_LDAP = (
    _d("Host", _S, "Connectivity"),
    _d("Port", _S, "Connectivity", "636"),
    _d("Connection Timeout", _S, "Connectivity", "180"),
    _d("Binding", _DD, "Connectivity", "SSL", ("SSL", "TLS", "Basic", "Negotiate", "Kerberos")),
    _d("User Name", _S, "Connectivity"),
    _d("Password", _E, "Connectivity"),
    _d("Domain", _S, "Connectivity"),
    _d("Certificate Validation Disabled", _CB, "Connectivity", "0"),
    _d("Attributes To Include", _T, "Global"),
)
_WEB_SERVICES = (
    _d("Web Service Project", _F, "Connectivity"),
    _d("Host", _S, "Connectivity"),
    _d("Port", _S, "Connectivity", "443"),
    _d("Username", _S, "Connectivity"),
    _d("Password", _E, "Connectivity"),
)

TEMPLATES: dict[str, ParameterTemplate] = {
    POWERSHELL: ParameterTemplate(
        POWERSHELL, "Parameter list of Microsoft's CSV sample export (PowerShell connector).",
        False, _POWERSHELL),
    GENERIC_SQL: ParameterTemplate(
        GENERIC_SQL, "Parameter list of the sample host's Generic SQL connector.", False, _GENERIC_SQL),
    GENERIC_LDAP: ParameterTemplate(
        GENERIC_LDAP, "Template: a minimal guess; the LDAP connector DLL defines the real list.",
        True, _GENERIC_LDAP),
    WEB_SERVICES: ParameterTemplate(
        WEB_SERVICES, "Template: a minimal guess; the web-services connector defines the real list.",
        True, _WEB_SERVICES),
}

CUSTOM = ParameterTemplate("", "Custom connector: add the parameters its DLL defines (names are "
                           "case sensitive and must match the DLL exactly).", True, ())


def template_for(library: str) -> ParameterTemplate:
    """The template for a DLL name (with or without '.dll'); custom DLLs get an empty, editable list."""
    name = library[:-4] if library.lower().endswith(".dll") else library
    return TEMPLATES.get(name, CUSTOM)


def known_choices(library: str, parameter_name: str) -> tuple[str, ...]:
    return template_for(library).choices(parameter_name)
