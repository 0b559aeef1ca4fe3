"""Our own MIM "Export Management Agent" file of a PowerShell connector (docs/host-facts.md §9),
in the shape MIM writes: no XML declaration, single-quoted root attributes, the WARNING comment,
one-space indentation, DSML schema with two classes, parameter definitions and values of all five
uses, one partition, run profiles (one a MIM-only apply-rules step) and mv-data. Written by
tests/tools/make_microsoft_shapes.py; every name and value here is invented."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from tests.tools.make_microsoft_shapes import IMPORT_SCRIPT, SCHEMA_SCRIPT, common_module

PARTITION_ID = "{7C1D2E3F-4A5B-4C6D-8E9F-0A1B2C3D4E5F}"
STRING, BOOLEAN, BINARY, REFERENCE = ("1.3.6.1.4.1.1466.115.121.1.15", "1.3.6.1.4.1.1466.115.121.1.7",
                                      "1.3.6.1.4.1.1466.115.121.1.5", "1.3.6.1.4.1.1466.115.121.1.12")
# id: (syntax, single-valued)
ATTRIBUTE_TYPES = {"Guid": (BINARY, True), "Name": (STRING, True), "ObjectClass": (STRING, True),
                   "SamAccountName": (STRING, True), "DisplayName": (STRING, True), "Title": (STRING, True),
                   "Department": (STRING, True), "Mail": (STRING, True), "ProxyAddresses": (STRING, False),
                   "Enabled": (BOOLEAN, True), "BadgeNumber": (STRING, True), "export_password": (STRING, True)}
CLASSES = {"OrganizationalUnit": ["Guid", "Name", "ObjectClass"],
           "User": ["Guid", "SamAccountName", "DisplayName", "Title", "Department", "Mail", "ProxyAddresses",
                    "Enabled", "BadgeNumber", "ObjectClass", "export_password"]}
CAPABILITY_VALUES = [("Distinguished Name Style", "drop-down", "Ldap", "None,Generic,Ldap"),
                     ("Export Type", "drop-down", "AttributeUpdate", "AttributeUpdate,AttributeReplace,ObjectReplace"),
                     ("Data Normalization", "drop-down", "None", "None,Uppercase,RemoveAccents,Both"),
                     ("Object Confirmation", "drop-down", "NoDeleteConfirmation",
                      "Normal,NoDeleteConfirmation,NoAddAndDeleteConfirmation"),
                     ("Use DN As Anchor (Only LDAP style DN)", "checkbox", "0", ""),
                     ("Concurrent Operations Of Several Connectors", "checkbox", "1", ""),
                     ("Partitions (Only LDAP style DN)", "checkbox", "1", ""),
                     ("Hierarchy (Only LDAP style DN)", "checkbox", "0", ""),
                     ("Enable Import", "checkbox", "1", ""), ("Enable Delta Import", "checkbox", "1", ""),
                     ("Enable Export", "checkbox", "1", ""), ("Enable Full Export", "checkbox", "0", ""),
                     ("No Reference Values In First Export Pass", "checkbox", "0", ""),
                     ("Enable Object Rename", "checkbox", "0", ""), ("Delete-Add As Replace", "checkbox", "0", ""),
                     ("Enable Password operations", "checkbox", "0", ""),
                     ("Enable Export Password In First Pass", "checkbox", "0", "")]
CONNECTIVITY_VALUES = [("Server", "string", "https://badges.fabrikam.test/api"), ("Domain", "string", "FABRIKAM"),
                       ("User", "string", "svc_badges"), ("Password", "encrypted-string", ""),
                       ("Impersonate Connector Account", "checkbox", "0"),
                       ("Load User Profile When Impersonating", "checkbox", "0"),
                       ("Logon Type When Impersonating", "drop-down", "None"), ("Signed Scripts Only", "checkbox", "0"),
                       ("Common Module Script Name (with extension)", "string", "Fabrikam.Badges.psm1"),
                       ("Common Module Script", "text", "<#\n Fabrikam badge helpers\n#>\n" + common_module()),
                       ("Validation Script", "text", ""), ("Schema Script", "text", SCHEMA_SCRIPT),
                       ("Additional Config Parameter Names", "string", "BadgeSite,PageLimit"),
                       ("Additional Encrypted Config Parameter Names", "string", "")]
GLOBAL_VALUES = [("Partition Script", "text", "<# one partition #>\n@('DC=fabrikam,DC=test')"),
                 ("Hierarchy Script", "text", ""), ("Begin Import Script", "text", ""),
                 ("Import Script", "text", IMPORT_SCRIPT), ("End Import Script", "text", ""),
                 ("Begin Export Script", "text", ""), ("Export Script", "text", ""),
                 ("End Export Script", "text", ""), ("Begin Password Script", "text", ""),
                 ("Password Extension Script", "text", ""), ("End Password Script", "text", ""),
                 ("BadgeSite_Global", "string", "North"), ("PageLimit_Global", "string", "250")]
PARTITION_DEFS = [("Partition Server", "string"), ("Partition Password", "encrypted-string"),
                  ("BadgeSite_Partition", "string"), ("PageLimit_Partition", "string")]
RUN_STEP_DEFS = [("BadgeSite_RunStep", "string"), ("PageLimit_RunStep", "string")]
WARNING = """<!--WARNING>
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!
!! The contents of this file should not be edited.
!! Any such modifications to this file may result in errors during import.
!!
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
</WARNING-->"""


def _dsml() -> str:
    out = ['<dsml:dsml xmlns:ms-dsml="http://www.microsoft.com/MMS/DSML" xmlns:dsml="http://www.dsml.org/DSML">'
           '<dsml:directory-schema ms-dsml:no-objectclass-validation="true">']
    for cls, attrs in CLASSES.items():
        out.append(f'<dsml:class id="{cls}" type="structural" ms-dsml:locked="1"><dsml:name>{cls}</dsml:name>')
        for a in attrs:
            anchor = "true" if a == "Guid" else "false"
            extra = ' ms-dsml:allowedOperation="ImportOnly"' if a in ("Guid", "ObjectClass") else ""
            out.append(f'<dsml:attribute ref="#{a}" required="false" ms-dsml:isAnchor="{anchor}"{extra} />')
        out.append("</dsml:class>")
    for a, (syntax, single) in ATTRIBUTE_TYPES.items():
        sv = ' single-value="true"' if single else ""
        out.append(f'<dsml:attribute-type id="{a}"{sv}><dsml:name>{a}</dsml:name>'
                   f"<dsml:syntax>{syntax}</dsml:syntax></dsml:attribute-type>")
    return "".join(out) + "</dsml:directory-schema></dsml:dsml>"


def _definition(name: str, use: str, type_: str, validation: str = "", default: str = "") -> list[str]:
    return ["    <parameter>", f"     <name>{escape(name)}</name>", f"     <use>{use}</use>",
            f"     <type>{type_}</type>", f"     <validation>{escape(validation)}</validation>",
            "     <text></text>", f"     <default-value>{escape(default)}</default-value>", "    </parameter>"]


def _layout(use: str) -> list[str]:
    return [*_definition("", use, "label"), *_definition("", use, "divider")]


def _value(name: str, type_: str, use: str, value: str, indent: str = "    ") -> str:
    encrypted = " encrypted='1'" if type_ == "encrypted-string" else ""
    head = f"{indent}<parameter name={quoteattr(name)} type=\"{type_}\" use=\"{use}\"{encrypted}"
    return f"{head} />" if value == "" else f"{head}>{escape(value)}</parameter>"


def _step(kind: str, batch: str, sub: str = "") -> list[str]:
    subtype = f"<import-subtype>{sub}</import-subtype>" if sub else ""
    if kind == "apply-rules":
        subtype = "<apply-rules-subtype>apply-pending</apply-rules-subtype>"
    values = "".join(f'<parameter name="{n}" type="{t}" use="run-step" />' for n, t in RUN_STEP_DEFS)
    return ["    <step>", f'     <step-type type="{kind}">{subtype}</step-type>',
            f"     <threshold><batch-size>{batch}</batch-size></threshold>", f"     <partition>{PARTITION_ID}</partition>",
            f"     <custom-data><extensible2-step-data><timeout>0</timeout><batch-size>{batch}</batch-size>"
            f"</extensible2-step-data><parameter-values>{values}</parameter-values></custom-data>", "    </step>"]


def _run(id_: str, name: str, steps: list[str]) -> list[str]:
    return ["  <run-configuration>", f"   <id>{id_}</id>", f"   <name>{name}</name>",
            "   <creation-time>2025-11-03 09:41:12.207</creation-time>", "   <version>1</version>",
            "   <last-modification-time>2025-11-03 09:41:12.207</last-modification-time>", "   <configuration>",
            *steps, "   </configuration>", "  </run-configuration>"]


def mim_export() -> bytes:
    defs: list[str] = [*_layout("connectivity")]
    for name, type_, _ in CONNECTIVITY_VALUES:
        defs += _definition(name, "connectivity", type_, "None,LogOnInteractive,LogOnNetwork" if
                            type_ == "drop-down" else "", "None" if type_ == "drop-down" else "")
    defs += _layout("global")
    for name, type_, _ in GLOBAL_VALUES:
        defs += _definition(name, "global", type_)
    defs += _layout("capabilities")
    for name, type_, value, choices in CAPABILITY_VALUES:
        defs += _definition(name, "capabilities", type_, choices, value if type_ == "drop-down" else "0")
    defs += _layout("partition")
    for name, type_ in PARTITION_DEFS:
        defs += _definition(name, "partition", type_)
    defs += _layout("run-step")
    for name, type_ in RUN_STEP_DEFS:
        defs += _definition(name, "run-step", type_)
    values = [_value(n, t, "connectivity", v) for n, t, v in CONNECTIVITY_VALUES]
    values += [_value(n, t, "capabilities", v) for n, t, v, _ in CAPABILITY_VALUES]
    values += [_value(n, t, "global", v) for n, t, v in GLOBAL_VALUES]
    lines = ["<export-ma server='FABRIKAM-SYNC01' export-date='2025-11-03 09:44:51.310'>", WARNING, "<ma-data>",
             " <format-version>1</format-version>", " <id>{2B9E4C71-0D3A-4F8E-A6B5-C4D3E2F1A0B9}</id>",
             " <name>Badges</name>", " <category>Extensible2</category>",
             " <subtype>PowerShell (Microsoft)</subtype>", " <ma-listname>PowerShell (Microsoft)</ma-listname>",
             " <ma-companyname>Microsoft</ma-companyname>",
             " <creation-time>2025-11-03 09:40:58.113</creation-time>",
             " <last-modification-time>2025-11-03 09:41:12.207</last-modification-time>",
             " <version>3</version>", " <internal-version>3</internal-version>",
             " <password-sync-allowed>0</password-sync-allowed>", " <schema>", "  " + _dsml(), " </schema>",
             " <attribute-inclusion>",
             *(f"  <attribute>{a}</attribute>" for a in sorted(ATTRIBUTE_TYPES) if a != "export_password"),
             " </attribute-inclusion>", " <stay-disconnector />", " <join />", " <projection />",
             " <export-attribute-flow />", " <provisioning-cleanup type=\"declared\">",
             "  <action>make-normal-disconnector</action>", " </provisioning-cleanup>", " <extension />",
             " <controller-configuration>", "  <application-protection>low</application-protection>",
             "  <application-architecture>process</application-architecture>", " </controller-configuration>",
             " <description></description>", " <ma-ui-settings>", "  <account-joiner-queries>",
             "   <attributes />", "   <filters max_mv_search_results=\"\" />", "  </account-joiner-queries>",
             " </ma-ui-settings>", " <private-configuration>", "  <MAConfig>", "   <importing>",
             "    <per-class-settings>",
             *(f"     <class><name>{c}</name><anchor><attribute>Guid</attribute></anchor></class>" for c in CLASSES),
             "    </per-class-settings>", "   </importing>", "   <exporting />", "   <ldap-dn>1</ldap-dn>",
             "   <file-type>Extensible2</file-type>", "   <extension-config>",
             "    <filename data-owner=\"ISV\">Microsoft.IAM.Connector.PowerShell.dll</filename>",
             "    <import-default-page-size>500</import-default-page-size>",
             "    <export-default-page-size>250</export-default-page-size>",
             "    <export-mode data-owner=\"ISV\">call-based</export-mode>", "    <import-mode>call-based</import-mode>",
             "    <export-enabled data-owner=\"ISV\">1</export-enabled>",
             "    <import-enabled data-owner=\"ISV\">1</import-enabled>",
             "    <discovery-partition>extensibility</discovery-partition>",
             "    <discovery-schema>extensibility</discovery-schema>",
             "    <assembly-version>1.1.830.0</assembly-version>", "   </extension-config>",
             "   <parameter-definitions refreshSchema=\"0\" refreshPartition=\"0\">", *defs,
             "   </parameter-definitions>", "   <parameter-values>", *values, "   </parameter-values>",
             "  </MAConfig>", " </private-configuration>", " <SyncConfig-refresh-schema>0</SyncConfig-refresh-schema>",
             " <ma-partition-data>", "  <partition>", f"   <id>{PARTITION_ID}</id>",
             "   <name>DC=fabrikam,DC=test</name>", "   <version>2</version>", "   <selected>1</selected>",
             "   <filter><object-classes><object-class>OrganizationalUnit</object-class>"
             "<object-class>User</object-class></object-classes><containers><exclusions />"
             "<inclusions><inclusion>OU=Staff,DC=fabrikam,DC=test</inclusion></inclusions></containers></filter>",
             "   <custom-data>",
             "    <ecma-partition-data><dn>DC=fabrikam,DC=test</dn><name>DC=fabrikam,DC=test</name>"
             "<is-domain>1</is-domain></ecma-partition-data>",
             "    <parameter-values>", _value("Partition Server", "string", "partition", "badges-north.fabrikam.test",
                                              "     "),
             _value("BadgeSite_Partition", "string", "partition", "North", "     "), "    </parameter-values>",
             "    <water-mark>AAECAwQFBgcICQ==</water-mark>", "   </custom-data>",
             "   <allowed-operations>1073741854</allowed-operations>", "  </partition>", " </ma-partition-data>",
             " <ma-run-data>",
             *_run("{0A1B2C3D-0001-4E5F-8A9B-0C1D2E3F4A5B}", "Full Import", _step("full-import", "500", "to-cs")),
             *_run("{0A1B2C3D-0002-4E5F-8A9B-0C1D2E3F4A5B}", "Delta Import", _step("delta-import", "500", "to-cs")),
             *_run("{0A1B2C3D-0003-4E5F-8A9B-0C1D2E3F4A5B}", "Export", _step("export", "250")),
             *_run("{0A1B2C3D-0004-4E5F-8A9B-0C1D2E3F4A5B}", "Delta Synchronization", _step("apply-rules", "1")),
             " </ma-run-data>", " <capabilities-mask>a4079671</capabilities-mask>", " <export-type>1</export-type>",
             " <password-sync><maximum-retry-count>10</maximum-retry-count></password-sync>", "</ma-data>",
             "<mv-data>", " <import-attribute-flow>",
             "  <import-flow-set mv-object-type=\"person\"><import-flows mv-attribute=\"displayName\" type=\"ranked\">"
             "<import-flow src-ma=\"{9F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A}\" cd-object-type=\"user\" "
             "id=\"{1A2B3C4D-5E6F-4708-9A1B-2C3D4E5F6A7B}\"><direct-mapping><src-attribute>displayName</src-attribute>"
             "</direct-mapping></import-flow></import-flows></import-flow-set>",
             " </import-attribute-flow>", "</mv-data>", "</export-ma>", ""]
    return "\n".join(lines).encode("utf-8")
