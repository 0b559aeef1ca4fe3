"""Where a document keeps secrets: each connector's SecretToken and every EncryptedString (or
Encrypted=true) parameter, run-step parameters included. The positions come from the one function
that knows them (app.config.secretfields.secret_fields); this adds the words people see."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from app.config.document import ConfigDocument
from app.config.secretfields import secret_fields


@dataclass(frozen=True)
class SecretPlace:
    connector: str
    parameter: str  # "SecretToken" or the parameter's name
    key: str  # SecretToken | Parameter/<Use>/<Name> | RunStep/<Profile>/<n>/<Name>
    el: etree._Element

    @property
    def value(self) -> str:
        return self.el.text or ""

    @property
    def where(self) -> str:
        """Words for messages: "connector 'X' / SecretToken", "... / Password (Connectivity page)"."""
        if self.key == "SecretToken":
            detail = "SecretToken"
        elif self.key.startswith("Parameter/"):
            detail = f"{self.parameter} ({self.key.split('/', 2)[1]} page)"
        else:
            detail = f"{self.parameter} ({self.key.split('/', 2)[1]} run step)"
        return f"connector '{self.connector}' / {detail}"


def parameter_name(key: str) -> str:
    if key.startswith("Parameter/"):
        return key.split("/", 2)[2]
    if key.startswith("RunStep/"):
        return key.split("/", 3)[3]
    return key


def secret_places(document: ConfigDocument, connector: str | None = None) -> list[SecretPlace]:
    """Every secret of every connector (or of the one named), in file order."""
    out = []
    for c in document.connectors:
        if connector is not None and c.name != connector:
            continue
        for f in secret_fields(c.el):
            out.append(SecretPlace(c.name, parameter_name(f.key), f.key, f.el))
    return out
