"""Writes resources/sample-host: a realistic ECMA2Host install tree authored for this project.

Run once when the sample needs to change: `python tests/tools/make_sample_host.py`. The output
is committed; this script documents how it was made. Everything in it is invented for the
sample: the secrets are stand-ins shaped like a live host's DPAPI blobs (docs/host-facts.md §2), not real
ciphertext, and the DLLs are text stand-ins, not connectors.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from pathlib import Path

from app.config import builders as b
from app.config.document import ConfigDocument

ROOT = Path(__file__).resolve().parents[2] / "resources" / "sample-host"
WHEN = datetime(2026, 10, 14, 16, 42, 7)


def fake_blob(label: str) -> str:
    """A stand-in of a live host's secret: the object our guess says the host writes
    (app/hostsecrets/hostlayout.py) around bytes shaped like a DPAPI blob, base64. Not ciphertext."""
    from app.config.nrbf import write
    from app.hostsecrets.build import build_object
    from app.hostsecrets.hostlayout import GUESSED_LIBRARY, GUESSED_MEMBERS, HOST_CLASS
    from tests.hostsecrets.fake_dpapi import FakeDpapi

    body = b"".join(hashlib.sha256(f"{label}{i}".encode()).digest() for i in range(6))
    stream = build_object(HOST_CLASS, GUESSED_LIBRARY, [(GUESSED_MEMBERS[0][0], FakeDpapi.OPENING + body)])
    return base64.b64encode(write(stream)).decode()


POWERSHELL_CAPABILITIES = [
    ("Distinguished Name Style", "DropDown", "None"), ("Export Type", "DropDown", "ObjectReplace"),
    ("Data Normalization", "DropDown", "None"), ("Object Confirmation", "DropDown", "Normal"),
    ("Use DN As Anchor (Only LDAP style DN)", "CheckBox", "0"),
    ("Concurrent Operations Of Several Connectors", "CheckBox", "1"),
    ("Partitions (Only LDAP style DN)", "CheckBox", "0"),
    ("Hierarchy (Only LDAP style DN)", "CheckBox", "0"), ("Enable Import", "CheckBox", "1"),
    ("Enable Delta Import", "CheckBox", "0"), ("Enable Export", "CheckBox", "1"),
    ("Enable Full Export", "CheckBox", "1"),
    ("No Reference Values In First Export Pass", "CheckBox", "0"),
    ("Enable Object Rename", "CheckBox", "0"), ("Delete-Add As Replace", "CheckBox", "1"),
    ("Enable Password operations", "CheckBox", "0"),
    ("Enable Export Password In First Pass", "CheckBox", "0"),
]

IMPORT_SCRIPT = """param (
  [System.Collections.ObjectModel.KeyedCollection[string, Microsoft.MetadirectoryServices.ConfigParameter]]
  $ConfigParameters,
  [Microsoft.MetadirectoryServices.Schema] $Schema,
  [Microsoft.MetadirectoryServices.OpenImportConnectionRunStep] $OpenImportConnectionRunStep,
  [Microsoft.MetadirectoryServices.ImportRunStep] $GetImportEntriesRunStep,
  [pscredential] $PSCredential
)
Set-PSDebug -Strict
$path = Join-Path (Get-xADSyncPSConnectorFolder -Folder ManagementAgent) 'people.csv'
$result = New-Object Microsoft.MetadirectoryServices.GetImportEntriesResults
$entries = New-Object 'System.Collections.Generic.List[Microsoft.MetadirectoryServices.CSEntryChange]'
foreach ($row in Import-Csv -Path $path -Delimiter ';') {
  $entry = New-xADSyncPSConnectorCSEntryChange -ObjectType 'Person' -ModificationType Add
  $entry.AnchorAttributes.Add([Microsoft.MetadirectoryServices.AnchorAttribute]::Create('EmployeeId', $row.EmployeeId))
  foreach ($name in 'DisplayName','Email','Title','IsActive') {
    if ($row.$name) { $entry | Add-xADSyncPSConnectorCSAttribute -ModificationType Add -Name $name -Value @($row.$name) }
  }
  if ($entries.Count -lt 5000 -and $row.EmployeeId -ne '') { $entries.Add($entry) }
}
$result.CSEntries = $entries
$result.MoreToImport = $false
$result
"""

EXPORT_SCRIPT = """param ($ConfigParameters, $Schema, $OpenExportConnectionRunStep, $CSEntries, $PSCredential)
Set-PSDebug -Strict
$results = New-Object Microsoft.MetadirectoryServices.PutExportEntriesResults
foreach ($entry in $CSEntries) {
  Write-Verbose "Exporting $($entry.DN) ($($entry.ObjectModificationType))"
  $results.CSEntryChangeResults.Add(
    [Microsoft.MetadirectoryServices.CSEntryChangeResult]::Create($entry.Identifier, $null, 'Success'))
}
$results
"""

SCHEMA_SCRIPT = """param ([pscredential] $PSCredential, $ConfigParameters)
$schemaXml = [xml](Get-Content (Join-Path (Get-xADSyncPSConnectorFolder -Folder ManagementAgent) 'Schema.xml'))
$schema = [Microsoft.MetadirectoryServices.Schema]::Create()
foreach ($type in $schemaXml.Schema.Types.SchemaType) {
  $t = [Microsoft.MetadirectoryServices.SchemaType]::Create($type.Name, $type.LockAnchorDefinition -eq '1')
  foreach ($a in $type.Attributes.SchemaAttribute) {
    if ($a.IsAnchor -eq '1') { $t.Attributes.Add([Microsoft.MetadirectoryServices.SchemaAttribute]::CreateAnchorAttribute($a.Name, $a.DataType)) }
    else { $t.Attributes.Add([Microsoft.MetadirectoryServices.SchemaAttribute]::CreateSingleValuedAttribute($a.Name, $a.DataType)) }
  }
  $schema.Types.Add($t)
}
$schema
"""


def powershell_connector() -> b.ConnectorSpec:
    p = [b.parameter(n, t, "Capabilities", v) for n, t, v in POWERSHELL_CAPABILITIES]
    for name, script in (("Partition Script", ""), ("Hierarchy Script", ""),
                         ("Begin Import Script", ""), ("Import Script", IMPORT_SCRIPT),
                         ("End Import Script", ""), ("Begin Export Script", ""),
                         ("Export Script", EXPORT_SCRIPT), ("End Export Script", ""),
                         ("Begin Password Script", ""), ("Password Extension Script", ""),
                         ("End Password Script", "")):
        p.append(b.parameter(name, "Text", "Global", script))
    p += [b.parameter("PowerShell script execution timeout in minutes (0 – disabled)", "String", "Global", "0"),
          b.parameter("FileName_Global", "String", "Global", "people.csv"),
          b.parameter("Delimiter_Global", "String", "Global", ";")]
    p += [b.parameter("Server", "String", "Connectivity", ""),
          b.parameter("Domain", "String", "Connectivity", "CONTOSO"),
          b.parameter("User", "String", "Connectivity", "svc-ecma"),
          b.parameter("Password", "EncryptedString", "Connectivity", fake_blob("ps-password")),
          b.parameter("Impersonate Connector Account", "CheckBox", "Connectivity", "0"),
          b.parameter("Load User Profile When Impersonating", "CheckBox", "Connectivity", "0"),
          b.parameter("Logon Type When Impersonating", "DropDown", "Connectivity", "None"),
          b.parameter("Signed Scripts Only", "CheckBox", "Connectivity", "0"),
          b.parameter("Common Module Script Name (with extension)", "String", "Connectivity", "CSVCommon.psm1"),
          b.parameter("Common Module Script", "Text", "Connectivity", ""),
          b.parameter("Validation Script", "Text", "Connectivity", ""),
          b.parameter("Schema Script", "Text", "Connectivity", SCHEMA_SCRIPT),
          b.parameter("Additional Config Parameter Names", "String", "Connectivity", "FileName,Delimiter"),
          b.parameter("Additional Encrypted Config Parameter Names", "String", "Connectivity", "")]
    attrs = [b.attribute_schema("EmployeeId", anchor=True),
             b.attribute_schema("DisplayName"), b.attribute_schema("Email"),
             b.attribute_schema("Title"), b.attribute_schema("Manager")]
    export_step = b.StepSpec("Export", parameters=[
        b.parameter("FileName_RunStep", "String", "RunStep", "people.csv"),
        b.parameter("PageSizeExport", "Text", "RunStep", "5000")])
    import_step = b.StepSpec("Import", parameters=[
        b.parameter("FileName_RunStep", "String", "RunStep", "people.csv"),
        b.parameter("PageSizeFullImport", "Text", "RunStep", "5000")])
    return b.ConnectorSpec(
        name="CSV", library_name="Microsoft.IAM.Connector.PowerShell", autosync_timer=120,
        secret_token=fake_blob("csv-token"),
        description="People from the HR CSV drop, PowerShell connector", parameters=p,
        run_profiles={"Export": [export_step], "FullImport": [import_step]},
        attributes=attrs)


def sql_connector() -> b.ConnectorSpec:
    # Generic SQL keeps its four schema pages as Use=Schema with SchemaNumber 1-4 (a guess from
    # MIM's use="schema" parameters; docs/host-facts.md §2 marks SchemaNumber's meaning [open]).
    p = [b.parameter("Export Type", "DropDown", "Capabilities", "AttributeReplace")]
    p += [b.parameter(n, "Text", "Global", v) for n, v in (
        ("Water Mark Query", "SELECT GETUTCDATE()"),
        ("Data Source Date Time Format", "yyyy-MM-dd HH:mm:ss"))]
    p += [b.parameter("DSN File", "File", "Connectivity", r"C:\ECMA2Host\HR.dsn"),
          b.parameter("User Name", "String", "Connectivity", "ecma_hr"),
          b.parameter("Password", "EncryptedString", "Connectivity", fake_blob("sql-password")),
          b.parameter("Authentication", "DropDown", "Connectivity", "SQL Authentication")]
    for number, name, value in ((1, "Object type detection", "Fixed Value"),
                                (1, "Fixed value list/Table/View/SP", "User"),
                                (2, "User:Table/View/SP", "Employees"),
                                (3, "Select Anchor for :User", "AzureID"),
                                (3, "Select DN attribute for User", "AzureID"),
                                (4, "DataType of the Attribute", "")):
        p.append(b.parameter(name, "String", "Schema", value, schema_number=str(number)))
    step = [b.parameter("Operation Method", "DropDown", "RunStep", "Table"),
            b.parameter("Table/View/SP", "String", "RunStep", "Employees")]
    attrs = [b.attribute_schema("AzureID", anchor=True, dn=True)]
    attrs += [b.attribute_schema(n, t) for n, t in (
        ("FirstName", "String"), ("LastName", "String"), ("Email", "String"),
        ("EmployeeNumber", "Integer"), ("Department", "String"), ("Enabled", "Boolean"))]
    return b.ConnectorSpec(
        name="HRDatabase", library_name="Microsoft.IAM.Connector.GenericSql", autosync_timer=30,
        secret_token=fake_blob("hr-token"), parameters=p,
        run_profiles={"Export": [b.StepSpec("Export", parameters=list(step))],
                      "FullImport": [b.StepSpec("Import", parameters=[
                          b.parameter("Operation Method", "DropDown", "RunStep", "Table"),
                          b.parameter("Table/View/SP", "String", "RunStep", "Employees")])]},
        attributes=attrs, dn_autogenerated=True)


SERVICE_CONFIG = """<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <startup>
    <supportedRuntime version="v4.0" sku=".NETFramework,Version=v4.7.2" />
  </startup>
  <appSettings>
    <!-- The SCIM endpoint; the port must match <Setting><Port> in Configuration.xml. -->
    <add key="UrlHost" value="http://*:8585/ecma2host" />
    <add key="Debug" value="false" />
    <add key="WriteVerboseLog" value="false" />
  </appSettings>
  <system.diagnostics>
    <sources>
      <source name="ConnectorsLog" switchValue="Verbose">
        <listeners>
          <add initializeData="ConnectorsLog" type="System.Diagnostics.EventLogTraceListener, System, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089" name="ConnectorsLog" traceOutputOptions="DateTime">
            <filter type="" />
          </add>
          <remove name="Default" />
        </listeners>
      </source>
      <source name="ECMA2Host" switchValue="Information">
        <listeners>
          <add initializeData="ECMA2Host" type="System.Diagnostics.EventLogTraceListener, System, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089" name="ECMA2HostListener" traceOutputOptions="DateTime">
            <filter type="" />
          </add>
          <remove name="Default" />
        </listeners>
      </source>
    </sources>
  </system.diagnostics>
</configuration>
"""


def main() -> None:
    doc = ConfigDocument.from_bytes(b.EMPTY_CONFIGURATION, "sample")
    doc.add_connector(b.connector(powershell_connector(), WHEN))
    doc.add_connector(b.connector(sql_connector(), WHEN))
    doc.setting.certificate = "3F6D1C0A9B8E7D6C5B4A39281706F5E4D3C2B1A0"
    config = ROOT / "Service" / "Configuration" / "Configuration.xml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_bytes(doc.to_bytes())
    (ROOT / "Service" / "Microsoft.ECMA2Host.Service.exe.config").write_text(SERVICE_CONFIG, encoding="utf-8")
    wizard = ROOT / "Wizard" / "Microsoft.ECMA2Host.ConfigWizard.exe.config"
    wizard.parent.mkdir(parents=True, exist_ok=True)
    wizard.write_text(SERVICE_CONFIG.replace('switchValue="Verbose"', 'switchValue="Error"')
                      .replace('switchValue="Information"', 'switchValue="Error"'), encoding="utf-8")
    ecma = ROOT / "Service" / "ECMA"
    dlls = ["Microsoft.IAM.Connector.PowerShell.dll", "Microsoft.IAM.Connector.GenericSql.dll",
            "Contoso.Badges.Connector.dll"]
    for dll in dlls:
        stand_in = f"Sample stand-in for {dll}: not a real connector.\n".encode()
        (ecma / dll).parent.mkdir(parents=True, exist_ok=True)
        (ecma / dll).write_bytes(stand_in)
    for connector, dll in (("CSV", dlls[0]), ("HRDatabase", dlls[1])):
        for sub in ("", "AutosyncService"):
            folder = ecma / "Cache" / connector / sub
            folder.mkdir(parents=True, exist_ok=True)
            (folder / dll).write_bytes((ecma / dll).read_bytes())
    (ecma / "Schema.xml").write_text(SCHEMA_XML, encoding="utf-8-sig")


SCHEMA_XML = """<?xml version="1.0" encoding="utf-8" ?>
<Schema>
  <Types>
    <SchemaType>
      <Name>Person</Name>
      <LockAnchorDefinition>1</LockAnchorDefinition>
      <Attributes>
""" + "".join(f"""        <SchemaAttribute>
          <Name>{n}</Name>
          <DataType>{t}</DataType>
          <IsAnchor>{1 if n == 'EmployeeId' else 0}</IsAnchor>
          <IsMultiValued>0</IsMultiValued>
          <AllowedAttributeOperation>ImportExport</AllowedAttributeOperation>
        </SchemaAttribute>
""" for n, t in (("EmployeeId", "String"), ("DisplayName", "String"), ("Email", "String"),
                 ("Title", "String"), ("Manager", "String"), ("Department", "String"),
                 ("IsActive", "Boolean"), ("CostCenter", "String"))) + """      </Attributes>
    </SchemaType>
  </Types>
</Schema>
"""

if __name__ == "__main__":
    main()
