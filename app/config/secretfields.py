"""Where a connector keeps its secrets: the SecretToken, every EncryptedString (or Encrypted=true)
parameter, and run-step parameters, in file order (docs/host-facts.md §2, "Secrets").

This is knowledge about the document, so it lives with the document: the host's secret store
(app/hostsecrets), exports and bundles (app/migrate) and the wizard's secret choice all ask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from app.config.document import TRUE_WORDS


@dataclass(frozen=True)
class SecretField:
    """Where one secret sits in a connector: a stable key, words for people, the element."""

    key: str  # SecretToken | Parameter/<Use>/<Name> | RunStep/<Profile>/<n>/<Name>
    label: str
    el: etree._Element  # the element holding the value (may not exist yet: see `value`)

    @property
    def value(self) -> str:
        return self.el.text or ""


def _is_secret_parameter(p: etree._Element) -> bool:
    return ((p.findtext("Type") or "") == "EncryptedString"
            or (p.findtext("Encrypted") or "").strip().lower() in TRUE_WORDS)


def _value_element(p: etree._Element) -> etree._Element:
    found = p.find("Value")
    return found if found is not None else etree.SubElement(p, "Value")


def secret_fields(connector_el: etree._Element, *, create: bool = False) -> list[SecretField]:
    """Every secret of a `<Connector>` element, in file order. With `create`, a missing value
    element is added (only ever on copies: never on a live document)."""
    out = []
    # A name that is a secret anywhere in the connector is one everywhere (the host keeps one value
    # per name): a String copy of an EncryptedString parameter holds the same secret.
    named = {p.findtext("Name") or "" for p in connector_el.iterfind(".//Parameter") if _is_secret_parameter(p)} - {""}
    token = connector_el.find("ECMAConfig/SecretToken")
    if token is not None:
        out.append(SecretField("SecretToken", "Secret Token", token))
    for p in connector_el.iterfind("ConnectorConfig/Parameters/Parameter"):
        if (_is_secret_parameter(p) or (p.findtext("Name") or "") in named) and \
                (create or p.find("Value") is not None):
            name, use = p.findtext("Name") or "", p.findtext("Use") or ""
            out.append(SecretField(f"Parameter/{use}/{name}", f"{name} ({use} page)",
                                   _value_element(p) if create else p.find("Value")))
    for run in connector_el.iterfind("ConnectorConfig/RunConfigurations/RunConfiguration"):
        profile = run.findtext("Name") or ""
        for i, step in enumerate(run.iterfind("RunSteps/RunStep")):
            for p in step.iterfind("Parameters/Parameter"):
                if (_is_secret_parameter(p) or (p.findtext("Name") or "") in named) and \
                        (create or p.find("Value") is not None):
                    name = p.findtext("Name") or ""
                    out.append(SecretField(f"RunStep/{profile}/{i}/{name}",
                                           f"{name} ({profile} run step)",
                                           _value_element(p) if create else p.find("Value")))
    return out
