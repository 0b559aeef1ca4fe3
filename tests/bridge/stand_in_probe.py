"""Run in a child process: load the stand-in interface DLL with pythonnet and print, as JSON, what
a configuration-time caller observes of it (the facts docs/connector-dll.md records for Microsoft's
own DLL). A child, so the test process never loads a .NET runtime."""

from __future__ import annotations

import json
import sys


def main(dll: str) -> None:
    import pythonnet

    pythonnet.load("netfx" if sys.platform == "win32" else "mono")
    import clr  # noqa: F401
    from System import Guid
    from System.Reflection import Assembly

    asm = Assembly.LoadFrom(dll)
    import Microsoft.MetadirectoryServices as ms

    d = ms.ConfigParameterDefinition
    out: dict = {}

    def props(x) -> dict:
        return {"Name": x.Name, "Text": x.Text, "Validation": x.Validation, "DefaultValue": x.DefaultValue}

    out["label"] = props(d.CreateLabelParameter("Hello"))
    out["divider"] = props(d.CreateDividerParameter())
    out["dropdown"] = props(d.CreateDropDownParameter("Choice", "a,b", False))
    out["checkbox"] = props(d.CreateCheckBoxParameter("Tick"))
    out["string_null_validation"] = props(d.CreateStringParameter("S", None))
    out["encrypted"] = props(d.CreateEncryptedStringParameter("E", ""))
    out["text"] = props(d.CreateTextParameter("T"))
    out["file"] = props(d.CreateFileParameter("F"))
    new = ms.ConfigParameterDefinition()
    out["new_definition"] = {"Name": new.Name, "Type": str(new.Type)}
    caps = ms.MACapabilities()
    out["capabilities"] = {n: (v if isinstance(v, bool) else str(v)) for n in (
        "ConcurrentOperation", "DeleteAddAsReplace", "DeltaImport", "ObjectRename", "SupportPartitions",
        "SupportHierarchy", "SupportPassword", "SupportImport", "SupportExport", "DistinguishedNameStyle",
        "ExportType", "ExportPasswordInFirstPass", "FullExport", "IsDNAsAnchor",
        "NoReferenceValuesInFirstExport", "Normalizations", "ObjectConfirmation") for v in [getattr(caps, n)]}
    out["partition_name"] = ms.Partition.Create(Guid.NewGuid(), "dc=x").Name
    t = ms.SchemaType.Create("person", False)
    t.Attributes.Add(ms.SchemaAttribute.CreateAnchorAttribute("id", ms.AttributeType.String))
    anchors = t.AnchorAttributes
    out["anchor_collection"] = anchors.GetType().Name
    try:
        anchors.Add(ms.SchemaAttribute.CreateSingleValuedAttribute("x", ms.AttributeType.String))
        out["anchor_add"] = "allowed"
    except Exception as exc:
        out["anchor_add"] = exc.GetType().FullName
    out["anchors"] = [a.Name for a in anchors]
    schema_type = asm.GetType("Microsoft.MetadirectoryServices.Schema")
    out["schema_constructors"] = sorted(len(c.GetParameters()) for c in schema_type.GetConstructors())
    out["set_read_only"] = [asm.GetType(f"Microsoft.MetadirectoryServices.{n}").GetMethod("SetReadOnly") is not None
                            for n in ("Schema", "SchemaType")]
    messages = []
    for p, prop in ((ms.ConfigParameter("P", "v", True), "Value"), (ms.ConfigParameter("P", "v"), "SecureValue")):
        try:
            getattr(p, prop)
        except Exception as exc:
            messages.append(f"{exc.GetType().FullName}: {exc.Message}")
    out["messages"] = messages
    out["runtime_types"] = [n for n in ("CSEntryChange", "AttributeChange", "ValueChange",
                                        "OpenImportConnectionRunStep", "GetImportEntriesResults",
                                        "PutExportEntriesResults", "IMAExtensible2CallImport",
                                        "IMAExtensible2CallExport", "IMAExtensible2Password")
                            if asm.GetType(f"Microsoft.MetadirectoryServices.{n}") is not None]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
