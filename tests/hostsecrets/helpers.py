"""Documents with secrets for the host-secrets tests: blobs in the guessed host layout around
FakeDpapi payloads (a machine-bound stand-in), plain and empty values."""

from __future__ import annotations

import base64

from app.config import builders as b
from app.config.document import ConfigDocument
from app.config.nrbf import write
from app.hostsecrets.build import build_object
from app.hostsecrets.hostlayout import GUESSED_LIBRARY, GUESSED_MEMBERS, HOST_CLASS
from tests.hostsecrets.fake_dpapi import FakeDpapi


def host_blob(value: str, machine: str = "HOST-A", encoding: str = "utf-16-le") -> str:
    payload = FakeDpapi(machine).protect(value.encode(encoding))
    stream = build_object(HOST_CLASS, GUESSED_LIBRARY, [(GUESSED_MEMBERS[0][0], payload)])
    return base64.b64encode(write(stream)).decode()


def spec(name: str, token: str, password: str | None = None) -> b.ConnectorSpec:
    params = [b.parameter("Server", "String", "Connectivity", "sql01")]
    if password is not None:
        params.append(b.parameter("Password", "EncryptedString", "Connectivity", password))
    return b.ConnectorSpec(name=name, library_name="Microsoft.IAM.Connector.GenericSql",
                           secret_token=token, parameters=params,
                           run_profiles={"Export": [b.StepSpec("Export")]},
                           attributes=[b.attribute_schema("EmployeeId", anchor=True)])


def document(*specs: b.ConnectorSpec) -> ConfigDocument:
    doc = ConfigDocument.from_bytes(b.EMPTY_CONFIGURATION, "test.xml")
    for s in specs:
        doc.add_connector(b.connector(s))
    return ConfigDocument.from_bytes(doc.to_bytes(), "test.xml")
