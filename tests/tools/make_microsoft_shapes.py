"""Writes our own files in the shapes of three files Microsoft publishes without a licence we
could ship under (see tests/data/README.md):

- `powershell-csv-export.xml`: a connector export as Microsoft's wizard writes it (.NET
  XmlSerializer: bare `<?xml version="1.0"?>`, the xsd/xsi namespace pair, two-space indent, LF,
  `<Value />` and `<SecretToken></SecretToken>` empties, no newline at the end), one PowerShell
  connector named CSV with the connector's page parameters in the order it defines them (docs/host-facts.md §2)
  and scripts of our own, one of them 14 KB with `&lt;`/`&gt;` escapes;
- `powershell-schema.xml`: the Schema.xml a PowerShell connector's schema script reads (UTF-8
  with BOM, `encoding="utf-8" ?` declaration, 0/1 flags);
- `ma-export-powershell.xml`: a MIM "Export Management Agent" file of a PowerShell connector
  (docs/host-facts.md §9): two object classes, DSML schema, parameters of all five uses,
  a partition, three run profiles (one with a MIM-only apply-rules step), mv-data.

Every value, script and name of ours is invented; parameter names are the PowerShell
connector's own (a program reads them by name). Run `python -m tests.tools.make_microsoft_shapes`.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parents[1] / "data"

# -- scripts of our own ------------------------------------------------------------------------
def common_module() -> str:
    """About 14 KB of PowerShell helpers, each with a <# #> help block (XML escapes them)."""
    parts = ["", "Set-StrictMode -Version 2", ""]
    for i in range(32):
        parts += [f"function Get-BadgeValue{i:02d}", "{", "  <#", "    .Synopsis",
                  f"    Returns field {i} of a badge record, or $null when the record has none.",
                  "  #>", "  [CmdletBinding()]", "  param([Parameter(Mandatory)] $Record, [int] $Limit = 64)",
                  f"  $value = $Record.Fields[{i}]",
                  "  if ($null -eq $value -or $value.Length -gt $Limit) { return $null }",
                  "  if ($value -match '^<.*>$') { $value = $value.Trim('<', '>') }",
                  f"  Write-Verbose \"field {i}: $value (limit $Limit)\"", "  return $value", "}", ""]
    parts.append("Export-ModuleMember -Function Get-BadgeValue*")
    return "\n".join(parts)


IMPORT_SCRIPT = """param($ConfigParameters, $Schema, $OpenImportConnectionRunStep, $GetImportEntriesRunStep, $PSCredential)

<# Reads the badge file and returns one CSEntryChange per row. #>
$module = Join-Path ([Microsoft.MetadirectoryServices.MAUtils]::MAFolder) $ConfigParameters['Common Module Script Name (with extension)'].Value
Import-Module $module -ErrorAction Stop
$result = New-Object Microsoft.MetadirectoryServices.GetImportEntriesResults
$entries = New-Object 'System.Collections.Generic.List[Microsoft.MetadirectoryServices.CSEntryChange]'
$path = $ConfigParameters['FileName_Global'].Value
foreach ($row in Import-Csv -Path $path -Delimiter $ConfigParameters['Delimiter_Global'].Value)
{
  $change = [Microsoft.MetadirectoryServices.CSEntryChange]::Create()
  $change.ObjectType = 'Person'
  $change.ObjectModificationType = 'Add'
  foreach ($name in $Schema.Types[0].Attributes.Name)
  {
    if ($row.$name -and $row.$name.Length -gt 0) { $change.AttributeChanges.Add(
      [Microsoft.MetadirectoryServices.AttributeChange]::CreateAttributeAdd($name, $row.$name)) }
  }
  $entries.Add($change)
}
$result.CSEntries = $entries
$result.MoreToImport = $false
$result"""

EXPORT_SCRIPT = """param($ConfigParameters, $Schema, $OpenExportConnectionRunStep, $CSEntries, $PSCredential)

<# Writes each change back to the badge file; one result per change. #>
$results = New-Object 'System.Collections.Generic.List[Microsoft.MetadirectoryServices.CSEntryChangeResult]'
$path = $ConfigParameters['FileName_Global'].Value
$rows = @(Import-Csv -Path $path -Delimiter $ConfigParameters['Delimiter_Global'].Value)
foreach ($change in $CSEntries)
{
  $id = $change.AnchorAttributes[0].Value
  $rows = @($rows | Where-Object { $_.BadgeOwnerId -ne $id })
  if ($change.ObjectModificationType -ne 'Delete')
  {
    $row = [ordered]@{ BadgeOwnerId = $id }
    foreach ($a in $change.AttributeChanges) { $row[$a.Name] = $a.ValueChanges[0].Value }
    $rows += [pscustomobject]$row
  }
  $results.Add([Microsoft.MetadirectoryServices.CSEntryChangeResult]::Create($change.Identifier, $null, 'Success'))
}
$rows | Export-Csv -Path $path -Delimiter $ConfigParameters['Delimiter_Global'].Value -NoTypeInformation
$result = New-Object Microsoft.MetadirectoryServices.PutExportEntriesResults
$result.CSEntryChangeResults = $results
$result"""

SCHEMA_SCRIPT = """[CmdletBinding()]
param($ConfigParameters, $Credential, $ScriptDir)

<# The schema comes from Schema.xml beside the connector. #>
$xml = [xml](Get-Content -Path (Join-Path $ScriptDir 'Schema.xml') -Raw)
$schema = [Microsoft.MetadirectoryServices.Schema]::Create()
foreach ($type in $xml.Schema.Types.SchemaType)
{
  $st = [Microsoft.MetadirectoryServices.SchemaType]::Create($type.Name, $type.LockAnchorDefinition -eq '1')
  foreach ($a in $type.Attributes.SchemaAttribute)
  {
    if ($a.IsAnchor -eq '1') { $st.Attributes.Add([Microsoft.MetadirectoryServices.SchemaAttribute]::CreateAnchorAttribute($a.Name, $a.DataType)) }
    else { $st.Attributes.Add([Microsoft.MetadirectoryServices.SchemaAttribute]::CreateSingleValuedAttribute($a.Name, $a.DataType)) }
  }
  $schema.Types.Add($st)
}
$schema"""

# -- the connector export ----------------------------------------------------------------------
# (name, Type, Use, value): the PowerShell connector's page parameters in the order it defines them
CAPABILITIES = [
    ("Distinguished Name Style", "DropDown", "None"), ("Export Type", "DropDown", "ObjectReplace"),
    ("Data Normalization", "DropDown", "None"), ("Object Confirmation", "DropDown", "Normal"),
    ("Use DN As Anchor (Only LDAP style DN)", "CheckBox", "0"),
    ("Concurrent Operations Of Several Connectors", "CheckBox", "1"),
    ("Partitions (Only LDAP style DN)", "CheckBox", "0"), ("Hierarchy (Only LDAP style DN)", "CheckBox", "0"),
    ("Enable Import", "CheckBox", "1"), ("Enable Delta Import", "CheckBox", "0"),
    ("Enable Export", "CheckBox", "1"), ("Enable Full Export", "CheckBox", "0"),
    ("No Reference Values In First Export Pass", "CheckBox", "0"), ("Enable Object Rename", "CheckBox", "0"),
    ("Delete-Add As Replace", "CheckBox", "0"), ("Enable Password operations", "CheckBox", "0"),
    ("Enable Export Password In First Pass", "CheckBox", "0")]
GLOBAL = [("Partition Script", "Text", ""), ("Hierarchy Script", "Text", ""),
          ("Begin Import Script", "Text", ""), ("Import Script", "Text", IMPORT_SCRIPT),
          ("End Import Script", "Text", ""), ("Begin Export Script", "Text", ""),
          ("Export Script", "Text", EXPORT_SCRIPT), ("End Export Script", "Text", ""),
          ("Begin Password Script", "Text", ""), ("Password Extension Script", "Text", ""),
          ("End Password Script", "Text", ""),
          ("PowerShell script execution timeout in minutes (0 \u2013 disabled)", "String", "0"),
          ("FileName_Global", "String", "InputFile.txt"), ("Delimiter_Global", "String", ";"),
          ("Encoding_Global", "String", "")]
STEP_EXTRAS = [("FileName_RunStep", "String", "InputFile.txt"), ("Delimiter_RunStep", "String", ";"),
               ("Encoding_RunStep", "String", "")]
CONNECTIVITY = [("Server", "String", ""), ("Domain", "String", ""), ("User", "String", ""),
                ("Password", "EncryptedString", ""), ("Impersonate Connector Account", "CheckBox", "0"),
                ("Load User Profile When Impersonating", "CheckBox", "0"),
                ("Logon Type When Impersonating", "DropDown", "None"), ("Signed Scripts Only", "CheckBox", "0"),
                ("Common Module Script Name (with extension)", "String", "ContosoBadges.psm1"),
                ("Common Module Script", "Text", common_module()), ("Validation Script", "Text", ""),
                ("Schema Script", "Text", SCHEMA_SCRIPT),
                ("Additional Config Parameter Names", "String", "FileName,Delimiter,Encoding"),
                ("Additional Encrypted Config Parameter Names", "String", "")]
ATTRIBUTES = [("BadgeOwnerId", "String"), ("DisplayName", "String"), ("Floor", "String"),
              ("IsActive", "Boolean"), ("Mail", "String"), ("Site", "String"), ("Title", "String")]


def _element(name: str, value: str, indent: str) -> str:
    return f"{indent}<{name} />" if value == "" else f"{indent}<{name}>{escape(value)}</{name}>"


def _parameter(name: str, type_: str, use: str, value: str, indent: str) -> list[str]:
    inner = indent + "  "
    return [f"{indent}<Parameter>", f"{inner}<Name>{escape(name)}</Name>", f"{inner}<Type>{type_}</Type>",
            f"{inner}<Use>{use}</Use>", f"{inner}<SchemaNumber>{0 if use == 'RunStep' else 1}</SchemaNumber>",
            f"{inner}<Encrypted>{'true' if type_ == 'EncryptedString' else 'false'}</Encrypted>",
            _element("Value", value, inner), f"{indent}</Parameter>"]


def _run_configuration(id_: str, name: str, step: str, page_size: str, when: str) -> list[str]:
    i = " " * 10
    lines = [f"{i}<RunConfiguration>", f"{i}  <Id>{id_}</Id>", f"{i}  <Name>{name}</Name>",
             f"{i}  <VersionNumber>0</VersionNumber>", f"{i}  <CreationTime>{when}</CreationTime>",
             f"{i}  <LastModificationTime>{when}</LastModificationTime>", f"{i}  <RunSteps>",
             f"{i}    <RunStep>", f"{i}      <Name>{step}</Name>", f"{i}      <Type>None</Type>",
             f"{i}      <Partition>default</Partition>", f"{i}      <BatchSize>0</BatchSize>",
             f"{i}      <Timeout>0</Timeout>", f"{i}      <Parameters>"]
    for p in STEP_EXTRAS + [(page_size, "Text", "5000")]:
        lines += _parameter(*p[:2], "RunStep", p[2], " " * 18)
    return lines + [f"{i}      </Parameters>", f"{i}    </RunStep>", f"{i}  </RunSteps>", f"{i}</RunConfiguration>"]


def connector_export() -> bytes:
    lines = ['<?xml version="1.0"?>',
             '<Configuration xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
             "  <Connectors>", "    <Connector>", "      <ConnectorConfig>", "        <Parameters>"]
    p10 = " " * 10
    for use, params in (("Capabilities", CAPABILITIES), ("Global", GLOBAL)):
        for name, type_, value in params:
            lines += _parameter(name, type_, use, value, p10)
    for name, type_, value in STEP_EXTRAS + [("PageSizeFullImport", "Text", "5000")]:
        lines += _parameter(name, type_, "RunStep", value, p10)
    for name, type_, value in CONNECTIVITY:
        lines += _parameter(name, type_, "Connectivity", value, p10)
    lines += ["        </Parameters>", "        <RunConfigurations>"]
    lines += _run_configuration("5b0f1d6e-2c4a-4e7b-9a53-0d1c2e3f4a5b", "Export", "Export", "PageSizeExport",
                                "2026-02-11T10:15:42.1234567+01:00")
    lines += _run_configuration("c8e2a7d1-93f4-4b6e-8d20-6f5e4d3c2b1a", "FullImport", "Import",
                                "PageSizeFullImport", "2026-02-11T10:16:05.7654321+01:00")
    lines += ["        </RunConfigurations>", "        <IsExportSupported>true</IsExportSupported>",
              "        <IsFullImportSupported>true</IsFullImportSupported>",
              "        <IsDeltaImportSupported>false</IsDeltaImportSupported>",
              "        <IsExportOnly>false</IsExportOnly>", "      </ConnectorConfig>", "      <Schema>",
              "        <EntriesSchema>", "          <EntrySchema>", "            <ExternalName>User</ExternalName>",
              "            <ObjectType>Person</ObjectType>", "            <SchemaAttributes>"]
    for name, data_type in ATTRIBUTES:
        anchor = "true" if name == "BadgeOwnerId" else "false"
        a = " " * 16
        lines += ["              <AttributeSchema>", f"{a}<Name>{name}</Name>", f"{a}<IsAnchor>{anchor}</IsAnchor>",
                  f"{a}<IsDN>{anchor}</IsDN>", f"{a}<IsQueryAttribute>{anchor}</IsQueryAttribute>",
                  f"{a}<IsDeprovisioningAttribute>false</IsDeprovisioningAttribute>",
                  f"{a}<Multivalued>false</Multivalued>", f"{a}<TreatAsSingleValue>false</TreatAsSingleValue>",
                  f"{a}<DataType>{data_type}</DataType>", "              </AttributeSchema>"]
    lines += ["            </SchemaAttributes>", "            <IsDNAutogenerated>false</IsDNAutogenerated>",
              "            <DeprovisioningModel>", "              <HardDeleteStatusAttribute />",
              "              <SoftDeleteStatusAttribute />", "              <HardDelete>TreatAsHard</HardDelete>",
              "              <SoftDelete>None</SoftDelete>", "            </DeprovisioningModel>",
              "          </EntrySchema>", "        </EntriesSchema>", "        <Partitions>", "          <Partition>",
              "            <Id>0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a</Id>", "            <Name>default</Name>",
              "            <DN>default</DN>", "          </Partition>", "        </Partitions>",
              "        <ExportPasswordInFirstPass>False</ExportPasswordInFirstPass>",
              "        <SupportPassword>False</SupportPassword>", "      </Schema>", "      <ECMAConfig>",
              "        <ECMAFolderPath />", "        <LibraryName>Microsoft.IAM.Connector.PowerShell</LibraryName>",
              "        <AutosyncTimer>120</AutosyncTimer>", "        <SecretToken></SecretToken>",
              "        <ProfileName>CSV</ProfileName>",
              "        <CreationDateTime>Wednesday, February 11, 2026 10:02:17 AM</CreationDateTime>",
              "        <ModificationDateTime>Wednesday, February 11, 2026 10:18:40 AM</ModificationDateTime>",
              "        <Validated>true</Validated>", "      </ECMAConfig>", "    </Connector>", "  </Connectors>",
              "  <Setting>", "    <Port>8585</Port>",
              "    <Certificate>3F2A9C51D07B84E6A1C2D3E4F5061728394A5B6C</Certificate>", "  </Setting>",
              "</Configuration>"]
    return "\n".join(lines).encode("utf-8")  # XmlSerializer ends without a newline


# -- Schema.xml --------------------------------------------------------------------------------
SCHEMA_ATTRIBUTES = [("BadgeOwnerId", "String", 1), ("DisplayName", "String", 0), ("Floor", "String", 0),
                     ("Mail", "String", 0), ("Site", "String", 0), ("Title", "String", 0),
                     ("IsActive", "Boolean", 0)]


def schema_xml() -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8" ?>', "<Schema>", "  <Types>", "    <SchemaType>",
             "      <Name>Person</Name>", "      <LockAnchorDefinition>1</LockAnchorDefinition>",
             "      <Attributes>"]
    for name, data_type, anchor in SCHEMA_ATTRIBUTES:
        lines += ["        <SchemaAttribute>", f"          <Name>{name}</Name>",
                  f"          <DataType>{data_type}</DataType>", f"          <IsAnchor>{anchor}</IsAnchor>",
                  "          <IsMultiValued>0</IsMultiValued>",
                  "          <AllowedAttributeOperation>ImportExport</AllowedAttributeOperation>",
                  "        </SchemaAttribute>"]
    lines += ["      </Attributes>", "    </SchemaType>", "  </Types>", "</Schema>", ""]
    return codecs.BOM_UTF8 + "\n".join(lines).encode("utf-8")


if __name__ == "__main__":
    from tests.tools.make_mim_export import mim_export

    for name, data in (("powershell-csv-export.xml", connector_export()), ("powershell-schema.xml", schema_xml()),
                       ("ma-export-powershell.xml", mim_export())):
        (OUT / name).write_bytes(data)
        print(name, len(data))
