"""Validation: findings (severity, where, message, what to do), never exceptions.

Structure is checked by `resources/schema/configuration.xsd`; the rules below check values,
each citing the reference section it comes from. Where a rule rests on a guess ([open] in the
reference) its message says so.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Protocol

from lxml import etree

from app.config.document import AttributeInfo, ConfigDocument, Connector, EntrySchema, Parameter
from app.config.secretvalues import UNREADABLE, read_secret
from app.paths import resources_dir
from app.severity import Severity

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
MAX_TIMER_MINUTES = 2**31 - 1  # the host reads AutosyncTimer into a 32-bit .NET int

MICROSOFT_TIMER_FLOOR = 120  # minutes: Microsoft's wizard refuses less (docs/host-facts.md §3)
TIMER_UPPER_BOUND = 7 * 24 * 60  # a week: beyond it the import cache is effectively never fresh
MIN_TOKEN_LENGTH = 12  # docs/host-facts.md §3, current docs
# A DPAPI blob wrapped by .NET BinaryFormatter, base64 (docs/host-facts.md §2 [3rd]): its fixed header.
ENCRYPTED_PREFIX = "AAEAAAD/////"
# the wizard page each parameter Use is shown on
PARAMETER_PAGES = {"Connectivity": "connectivity", "Capabilities": "capabilities", "Schema": "schema",
                   "Global": "global", "Partition": "partitions", "RunStep": "run-profiles"}
URL_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
THUMBPRINT = re.compile(r"^[0-9A-Fa-f]{40}$")
KNOWN_DATA_TYPES = {"String", "Integer", "Boolean", "Binary", "Reference"}
KNOWN_DEPROVISIONING = {"None", "TreatAsHard"}  # the only values seen in a file (docs/host-facts.md §3)


@dataclass(frozen=True)
class Finding:
    severity: Severity  # ERROR, WARNING or INFO
    message: str
    fix: str = ""
    connector: str | None = None
    page: str | None = None  # wizard page id: properties, connectivity, ..., settings
    field: str | None = None  # element, parameter or attribute name the finding is about
    code: str = ""
    line: int | None = None

    def where(self) -> str:
        parts = [p for p in (self.connector and f"connector '{self.connector}'", self.page,
                             self.field) if p]
        return " / ".join(parts) or "host"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# The parameters whose Value may claim to be an encrypted value: the only secret parameters the
# check below reads. Value's XPath string holds the element's text (is_encrypted_blob's input),
# so this picks a superset; Parameter.is_secret and is_encrypted_blob then decide exactly. One
# string read per parameter: picking the secret ones first by Type and Encrypted read two, and
# was a fifth of validation at 200 connectors x 50 parameters.
_VALUE_MAY_CLAIM_ENCRYPTED = etree.XPath(f"Parameters/Parameter[contains(Value, '{ENCRYPTED_PREFIX}')]")


def is_encrypted_blob(value: str) -> bool:
    """A secret as a live host stores it: DPAPI inside a BinaryFormatter object, base64."""
    return value.strip().startswith(ENCRYPTED_PREFIX)


# -- structure ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _schema() -> tuple[etree.XMLSchema, frozenset[str]]:
    """The XSD and every element name it knows."""
    tree = etree.parse(str(resources_dir() / "schema" / "configuration.xsd"))
    names = frozenset(tree.xpath("//xs:element/@name",
                                 namespaces={"xs": "http://www.w3.org/2001/XMLSchema"}))
    return etree.XMLSchema(tree), names


def structure_findings(doc: ConfigDocument) -> list[Finding]:
    schema, known = _schema()
    if schema.validate(doc.root):
        return []
    findings = []
    for err in schema.error_log:
        name = re.search(r"Element '([^']+)'", err.message)
        # an element the XSD has never heard of is kept as is; a known one out of place is wrong
        unexpected = ("This element is not expected" in err.message and name is not None
                      and name.group(1) not in known)
        message = err.message.split("Expected is")[0].rstrip(". ")
        if unexpected:
            findings.append(Finding(
                WARNING, f"line {err.line}: {message}: an element this tool does not know",
                "It is kept exactly as it is; check it was not added by mistake.",
                field=name.group(1) if name else None, code="unknown-element", line=err.line))
        else:
            findings.append(Finding(ERROR, f"line {err.line}: {err.message}",
                                    "Fix the structure; ECMA2Host may not load this file.",
                                    field=name.group(1) if name else None, code="structure",
                                    line=err.line))
    return findings


# -- host settings (docs/host-facts.md §4) --------------------------------------------------------------
def host_findings(doc: ConfigDocument) -> list[Finding]:
    out = []
    if doc.root.find("Setting") is None:
        return [Finding(ERROR, "The file has no <Setting> (port and certificate).",
                        "Set the port and generate a certificate on the Settings tab.",
                        page="settings", code="no-setting")]
    setting = doc.setting
    port = setting.port.strip()
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        out.append(Finding(ERROR, f"Port '{port}' is not a port number (1-65535).",
                           "ECMA2Host listens on 8585 by default.", page="settings",
                           field="Port", code="port"))
    thumb = setting.certificate.strip()
    if not thumb:
        out.append(Finding(WARNING, "No certificate thumbprint is set.",
                           "Generate or choose a certificate on the Settings tab.",
                           page="settings", field="Certificate", code="no-certificate"))
    elif not THUMBPRINT.match(thumb):
        out.append(Finding(ERROR, f"The certificate thumbprint '{thumb}' is not 40 hex digits.",
                           "Pick the certificate again or regenerate it.", page="settings",
                           field="Certificate", code="thumbprint"))
    return out


class _Add(Protocol):
    """How a connector's rules report: one finding about this page and field of the connector."""

    def __call__(self, sev: Severity, page: str, fld: str | None, code: str, msg: str,
                 fix: str = "") -> None: ...


# -- one connector (docs/host-facts.md §3) --------------------------------------------------------------
def connector_findings(c: Connector) -> list[Finding]:
    name = c.name
    out: list[Finding] = []

    def add(sev: Severity, page: str, fld: str | None, code: str, msg: str, fix: str = "") -> None:
        out.append(Finding(sev, msg, fix, name, page, fld, code, c.el.sourceline))

    if name and not URL_SAFE_NAME.match(name):
        add(ERROR, "properties", "Name", "name-url",
            f"The name '{name}' has characters that are not safe in a URL path.",
            "Use letters, digits, '-' and '_' only: the name is part of the Tenant URL.")
    if not c.library_name:
        add(ERROR, "properties", "LibraryName", "no-library", "No extension DLL is set.",
            "Choose the connector's DLL on the Properties page.")
    _timer(c, add)
    _token(c, add)
    _schema_rules(c, add)
    _run_profiles(c, add)
    return out


def _timer(c: Connector, add: _Add) -> None:
    minutes = c.autosync_minutes
    if minutes is None or minutes < 1:
        add(ERROR, "properties", "AutosyncTimer", "timer-invalid",
            f"The autosync timer '{c.autosync_timer}' is not a positive whole number of minutes.",
            "Enter the minutes between import cache refreshes, e.g. 120.")
    elif minutes > MAX_TIMER_MINUTES:
        add(ERROR, "properties", "AutosyncTimer", "timer-invalid",
            f"The autosync timer {minutes} is larger than the host can read (at most {MAX_TIMER_MINUTES}).",
            "Enter the minutes between import cache refreshes, e.g. 120.")
    elif minutes < MICROSOFT_TIMER_FLOOR:
        add(WARNING, "properties", "AutosyncTimer", "timer-below-120",
            f"The autosync timer is {minutes} minutes, below the 120 Microsoft's wizard accepts.",
            "The service honours it; Microsoft's wizard will complain when it next opens the "
            "file. Fine while developing; consider 120 or more in production.")
    elif minutes > TIMER_UPPER_BOUND:
        add(WARNING, "properties", "AutosyncTimer", "timer-high",
            f"The autosync timer is {minutes} minutes (over a week).",
            "The import cache would rarely refresh; check this is intended.")


def _token(c: Connector, add: _Add) -> None:
    token = c.secret_token
    if not token:
        add(WARNING, "properties", "SecretToken", "token-empty", "No secret token is set.",
            "Generate one; Entra needs the same token in the application's provisioning settings. "
            "(Exports leave it blank on purpose.)")
    elif not is_encrypted_blob(token) and len(token) < MIN_TOKEN_LENGTH:
        add(ERROR, "properties", "SecretToken", "token-short",
            f"The secret token has {len(token)} characters; at least {MIN_TOKEN_LENGTH} are required.",
            "Generate a new token (a GUID is a good choice for HA pairs).")
    secrets = [("properties", "SecretToken", token)] + [
        (PARAMETER_PAGES.get(p.use, "connectivity"), p.name, p.value)
        for p in (Parameter(c.doc, e) for e in _VALUE_MAY_CLAIM_ENCRYPTED(c.config.el)) if p.is_secret]
    for page, fld, value in secrets:
        if is_encrypted_blob(value):  # what claims to be an encrypted value must read as one
            reading = read_secret(value)
            if reading.state == UNREADABLE:
                add(WARNING, page, fld, "secret-unreadable", f"{fld} is not a readable encrypted value "
                    f"({reading.reason}).", "Enter it again on the host (Microsoft's wizard, or this one "
                    "on Windows): the host cannot use it as it is.")


def _schema_rules(c: Connector, add: _Add) -> None:
    schemas = c.entry_schemas
    if len(schemas) != 1:
        add(ERROR, "object-types", None, "object-types",
            f"The connector has {len(schemas)} object types; ECMA2Host supports exactly one.",
            "Keep one object type (e.g. User).")
    partitions = c.partitions
    if len(partitions) != 1:
        add(ERROR, "partitions", None, "partitions",
            f"The connector has {len(partitions)} partitions; ECMA2Host supports exactly one.",
            "Keep one partition.")
    if not schemas:
        return
    entry = schemas[0]
    attrs = entry.attribute_infos()
    anchors = [a for a in attrs if a.is_anchor]
    if len(anchors) != 1:
        add(ERROR, "object-types", "Anchor", "anchor-count",
            f"The object type has {len(anchors)} anchor attributes; exactly one is required.",
            "Choose the anchor on the Object Types page.")
    for a in anchors:
        if a.multivalued:
            add(ERROR, "object-types", a.name, "anchor-multivalued",
                f"The anchor '{a.name}' is multivalued.", "Choose a single-valued anchor.")
    if entry.is_dn_autogenerated is False and any(a.is_dn and a.is_anchor for a in attrs):
        add(INFO, "object-types", "DN", "dn-is-anchor",
            "The DN attribute is also the anchor and DN is not autogenerated.",
            "If exports fail with 'Invalid LDAP style of object's DN', set Autogenerated DN.")
    for a in attrs:
        if "." in a.name or "[" in a.name:
            add(ERROR, "attributes", a.name, "attribute-name",
                f"The attribute '{a.name}' has '.' or '[' in its name, which ECMA2Host rejects.",
                "Rename it in the connected system's schema, or leave it out.")
        if a.multivalued and not a.treat_as_single_value and not _expected_multivalued(c, a.name):
            add(WARNING, "attributes", a.name, "attribute-multivalued",
                f"The attribute '{a.name}' is multivalued: Entra must send it a list of values.",
                "Fill it in the Entra mapping with an expression that gives several values (for "
                "example Split(...)), or tick 'Treat as single value' if one value is enough.")
        if a.data_type in ("Reference", "Binary"):
            add(ERROR, "attributes", a.name, "attribute-type",
                f"The attribute '{a.name}' is of type {a.data_type}, which ECMA2Host does not support.",
                "Leave it out.")
        elif a.data_type and a.data_type not in KNOWN_DATA_TYPES:
            add(INFO, "attributes", a.name, "attribute-type-unknown",
                f"The attribute '{a.name}' has data type '{a.data_type}', unknown to this tool.",
                "It is kept as found.")
    _deprovisioning(entry, attrs, add)


def _deprovisioning(entry: EntrySchema, attrs: list[AttributeInfo], add: _Add) -> None:
    model = entry.deprovisioning
    if model is None:
        return
    for label, value in (("Delete flow", model.hard_delete), ("Disable flow", model.soft_delete)):
        if value and value not in KNOWN_DEPROVISIONING:
            add(INFO, "deprovisioning", label, "deprovisioning-unknown",
                f"{label} has the value '{value}', unknown to this tool.",
                "It is kept exactly as found.")
    by_name = {a.name: a for a in attrs}
    for label, status in (("Delete flow", model.hard_delete_status_attribute),
                          ("Disable flow", model.soft_delete_status_attribute)):
        if not status:
            continue
        attr = by_name.get(status)
        if attr is None:
            continue
        if attr.data_type and attr.data_type != "Boolean":
            add(ERROR, "deprovisioning", status, "status-not-boolean",
                f"{label} sets '{status}', which is {attr.data_type}; only Boolean attributes can be set.",
                "Choose a Boolean attribute.")
        if not attr.is_deprovisioning_attribute:
            add(ERROR, "deprovisioning", status, "status-selected",
                f"{label} sets '{status}', which is also selected on the Select Attributes page.",
                "Remove it from the selected attributes or choose another one "
                "(how the host marks status attributes is a guess from IsDeprovisioningAttribute).")


def _run_profiles(c: Connector, add: _Add) -> None:
    names = {r.name for r in c.run_configurations}
    if "Export" not in names:
        add(ERROR, "run-profiles", "Export", "no-export",
            "There is no Export run profile; ECMA2Host requires one.",
            "Enable Export on the Run Profiles page.")
    if not names & {"FullImport", "DeltaImport"}:
        add(WARNING, "run-profiles", "FullImport", "no-import",
            "Neither Full nor Delta import is enabled: the host cannot tell whether an object "
            "exists before export, and duplicates follow.",
            "Enable Full import.")


# -- across connectors -------------------------------------------------------------------------
def cross_findings(doc: ConfigDocument) -> list[Finding]:
    out = []
    connectors = doc.connectors
    names = [c.name for c in connectors]  # read once: each read is a lookup in the tree
    for c, name in zip(connectors, names, strict=True):
        if not name.strip():
            out.append(Finding(ERROR, "A connector has no name.", "Name it on the Properties page.",
                               page="properties", field="Name", code="name-empty",
                               line=c.el.sourceline))
    for name, n in Counter(names).items():
        if name and n > 1:
            out.append(Finding(ERROR, f"{n} connectors are named '{name}'.",
                               "Names must be unique: rename all but one.", name, "properties",
                               "Name", "name-duplicate"))
    lowered = Counter(n.lower() for n in set(names) if n)
    for name in sorted(set(names)):
        if name and lowered[name.lower()] > 1:
            out.append(Finding(WARNING, f"'{name}' differs from another connector's name only in case.",
                               "Names are case sensitive and part of the URL; Entra's 'invalid "
                               "resource' often means the case is wrong. Prefer distinct names.",
                               name, "properties", "Name", "name-case"))
    secret_tokens = [c.secret_token for c in connectors]
    tokens = Counter(t for t in secret_tokens if t)
    for name, token in zip(names, secret_tokens, strict=True):
        if token and tokens[token] > 1:
            out.append(Finding(WARNING, "This secret token is used by another connector too.",
                               "Each application should have its own token.", name,
                               "properties", "SecretToken", "token-duplicate"))
    return out


def _expected_multivalued(c: Connector, attribute: str) -> bool:
    """Microsoft's Generic LDAP guide keeps objectClass multivalued, "Treat as single value"
    unticked, filled in Entra with Split(...): the documented setup, not a problem."""
    return attribute.lower() == "objectclass" and "genericldap" in (c.library_name or "").lower()


def validate(doc: ConfigDocument) -> list[Finding]:
    findings = structure_findings(doc) + host_findings(doc) + cross_findings(doc)
    for c in doc.connectors:
        findings += connector_findings(c)
    return sorted(findings, key=lambda f: (f.severity.rank, f.connector or ""))


def counts(findings: list[Finding]) -> dict[Severity, int]:
    tally = Counter(f.severity for f in findings)
    return {ERROR: tally[ERROR], WARNING: tally[WARNING], INFO: tally[INFO]}
