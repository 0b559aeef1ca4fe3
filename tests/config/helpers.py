"""Small documents for the config tests."""

from __future__ import annotations

import difflib

from app.config import builders as b
from app.config.document import ConfigDocument


def changed_lines(before: bytes, after: bytes) -> list[str]:
    a = before.decode("utf-8-sig").splitlines()
    z = after.decode("utf-8-sig").splitlines()
    return [line for line in difflib.unified_diff(a, z, lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def minimal_spec(name: str = "HR", **overrides) -> b.ConnectorSpec:
    spec = b.ConnectorSpec(
        name=name, library_name="Microsoft.IAM.Connector.GenericSql",
        secret_token="0123456789abcdef0123456789abcdef",
        parameters=[b.parameter("Server", "String", "Connectivity", "sql01")],
        run_profiles={"Export": [b.StepSpec("Export")], "FullImport": [b.StepSpec("Import")]},
        attributes=[b.attribute_schema("EmployeeId", anchor=True),
                    b.attribute_schema("Enabled", "Boolean")],
    )
    for key, value in overrides.items():
        setattr(spec, key, value)
    return spec


def document_with(*specs: b.ConnectorSpec, thumbprint: str = "AB" * 20) -> ConfigDocument:
    doc = ConfigDocument.from_bytes(b.EMPTY_CONFIGURATION, "test.xml")
    for spec in specs:
        doc.add_connector(b.connector(spec))
    doc.setting.certificate = thumbprint
    return ConfigDocument.from_bytes(doc.to_bytes(), "test.xml")
