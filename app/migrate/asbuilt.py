"""The "as-built" report of a host, for change control: HTML and Markdown from one outline.

Everything a change board asks about: host settings, certificate, .exe.config values, connector
DLLs with SHA-256, and per connector every page's values, schema, run profiles,
deprovisioning, then the validation findings. Secrets are never shown, only "set" or "empty".
Long values (scripts) are summarised by size and SHA-256, so two reports can be compared; the
HTML report can unfold them.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from app import __version__
from app.config.document import ConfigDocument, Connector, Parameter
from app.config.rules import validate
from app.masking import NOT_SECRET_VALUES, secret_name
from app.migrate.hostdiff import HostSnapshot, app_settings

LONG = 120  # characters; longer values (scripts) are summarised


@dataclass
class Value:
    """A cell value: `text` is what the table shows; `full` the unfolded text when long."""

    text: str
    full: str = ""


def value(raw: str, secret: bool = False) -> Value:
    if secret:
        return Value("(set, not shown)" if raw else "(empty)")
    if len(raw) <= LONG and "\n" not in raw:
        return Value(raw)
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]
    lines = raw.count("\n") + 1
    return Value(f"({lines:,} lines, {len(raw):,} characters, SHA-256 {digest}…)", raw)


def _secret(p: Parameter) -> bool:
    """By type, or by a name that says secret whatever the type (an "API Key" String)."""
    return p.is_secret or (secret_name(p.name) and p.value.strip().lower() not in NOT_SECRET_VALUES)


# The outline both renderers walk: a heading, a paragraph, or a table whose cells are shown as
# text (a Value folds long text; anything else is shown as str() of it).
Heading = tuple[Literal["h"], int, str]
Paragraph = tuple[Literal["p"], str]
Table = tuple[Literal["table"], list[str], Sequence[Sequence[object]]]
Block = Heading | Paragraph | Table


def outline(snap: HostSnapshot, *, now: datetime | None = None) -> list[Block]:
    doc = snap.document
    now = now or datetime.now(UTC)
    out: list[Block] = [("h", 1, f"As-built report: {snap.label}"),
                        ("p", f"Generated {now:%Y-%m-%d %H:%M} UTC by ecma-wizard {__version__} "
                              f"from a {snap.kind}. Secrets are never shown.")]
    has_setting = doc.root.find("Setting") is not None
    out += [("h", 2, "Host"), ("table", ["Setting", "Value"], [
        ["Port", value(doc.setting.port if has_setting else "")],
        ["Certificate thumbprint", value(doc.setting.certificate if has_setting else "")],
        ["Connectors", value(", ".join(c.name for c in doc.connectors) or "none")]])]
    if snap.certificate is not None:
        cert = snap.certificate
        out += [("h", 3, "Certificate"), ("table", ["Field", "Value"], [
            ["Subject", value(cert.subject)], ["Issuer", value(cert.issuer)],
            ["Names", value(", ".join(cert.sans))],
            ["Valid", value(f"{cert.not_before:%Y-%m-%d} to {cert.not_after:%Y-%m-%d}")],
            ["Key", value(cert.key_description)]])]
    for role, config in (snap.app_configs or {}).items():
        if config is not None:
            rows = [[k, value(v, secret=secret_name(k))] for k, v in app_settings(config).items()]
            out += [("h", 3, f"{role.capitalize()} .exe.config"), ("table", ["Key", "Value"], rows)]
    if snap.dlls:
        out += [("h", 3, "Connector DLLs"),
                ("table", ["File", "SHA-256"], [[p, value(h)] for p, h in sorted(snap.dlls.items())])]
    findings = validate(doc)
    out.append(("h", 2, "Findings"))
    if findings:
        out.append(("table", ["Severity", "Where", "Finding", "What to do"],
                    # prose is shown whole: only values (scripts) are folded into a size and hash
                    [[f.severity, f.where(), f.message, f.fix] for f in findings]))
    else:
        out.append(("p", "No findings."))
    out += _secrets(doc)
    for c in doc.connectors:
        out += _connector(c)
    return out


def _secrets(doc: ConfigDocument) -> list[Block]:
    """The shape of each secret as the host stores it (what docs/host-secrets.md leaves [open]
    until a real host is read): state, class, library, members; never a value."""
    from app.hostsecrets.dpapi import default_dpapi
    from app.hostsecrets.inspect import inspect_document

    statuses = inspect_document(doc, default_dpapi())
    if not statuses:
        return []
    decrypt = {True: "yes", False: "no", None: ""}
    rows = [[s.connector, s.parameter, s.state, value(s.class_name or ""), value(s.library or ""),
             value("; ".join(f"{m.name} {m.type}" + (f" ({m.length})" if m.length is not None else "")
                             for m in s.members)), decrypt[s.decryptable]] for s in statuses]
    return [("h", 2, "Secrets"),
            ("p", "How each secret is stored: empty, plain text, an encrypted value (its class, "
                  "library and members as the host wrote them) or unreadable. Values are never shown."),
            ("table", ["Connector", "Secret", "State", "Class", "Library", "Members",
                       "This machine can decrypt"], rows)]


def _connector(c: Connector) -> list[Block]:
    token = c.ecma.child("SecretToken")
    out: list[Block] = [("h", 2, f"Connector {c.name}"), ("table", ["Property", "Value"], [
        ["Extension DLL", value(c.library_name)], ["Autosync timer (minutes)", value(c.autosync_timer)],
        ["Secret token", value(token.text or "" if token is not None else "", secret=True)],
        ["Description", value(c.description)], ["Created", value(c.creation_datetime)],
        ["Modified", value(c.modification_datetime)], ["Validated", value(str(c.validated).lower())]])]
    uses = []
    for p in c.parameters:
        if p.use not in uses:
            uses.append(p.use)
    for use in uses:
        rows = [[p.name, p.type, value(p.value, secret=_secret(p))] for p in c.parameters_by_use(use)]
        out += [("h", 3, f"{use} parameters"), ("table", ["Name", "Type", "Value"], rows)]
    for run in c.run_configurations:
        for step in run.run_steps:
            rows = [["Step", "", value(step.name)], ["Partition", "", value(step.partition)],
                    ["BatchSize", "", value(step.batch_size)], ["Timeout", "", value(step.timeout)]]
            rows += [[p.name, p.type, value(p.value, secret=_secret(p))] for p in step.parameters]
            out += [("h", 3, f"Run profile {run.name}"), ("table", ["Name", "Type", "Value"], rows)]
    for entry in c.entry_schemas:
        out += [("h", 3, f"Object type {entry.external_name} -> {entry.object_type}"),
                ("p", f"Autogenerated DN: {str(entry.is_dn_autogenerated).lower()}."),
                ("table", ["Attribute", "Type", "Anchor", "DN", "Multivalued", "Treat as single",
                           "Deprovisioning"],
                 [[a.name, a.data_type] + ["yes" if f else "" for f in (
                     a.is_anchor, a.is_dn, a.multivalued, a.treat_as_single_value,
                     a.is_deprovisioning_attribute)] for a in entry.attributes])]
        model = entry.deprovisioning
        if model is not None:
            out += [("h", 3, "Deprovisioning"), ("table", ["Flow", "Action", "Attribute"], [
                ["Disable flow", value(model.soft_delete), value(model.soft_delete_status_attribute)],
                ["Delete flow", value(model.hard_delete), value(model.hard_delete_status_attribute)]])]
    out += [("h", 3, "Partitions"), ("table", ["Name", "DN"],
                                     [[value(p.name), value(p.dn)] for p in c.partitions])]
    return out


# -- renderers ---------------------------------------------------------------------------------
def _cell(v: object) -> Value:
    return v if isinstance(v, Value) else Value(str(v))


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def to_markdown(blocks: list[Block]) -> str:
    out = []
    for block in blocks:
        if block[0] == "h":
            out.append(f"{'#' * block[1]} {_md_escape(block[2])}\n")
        elif block[0] == "p":
            out.append(f"{_md_escape(block[1])}\n")
        else:
            headers, rows = block[1], block[2]
            out.append("| " + " | ".join(headers) + " |")
            out.append("|" + "---|" * len(headers))
            out += ["| " + " | ".join(_md_escape(_cell(c).text) for c in row) + " |" for row in rows]
            out.append("")
    return "\n".join(out)


CSS = """body{font-family:Segoe UI,Arial,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:left;vertical-align:top}th{background:#f0f0f0}pre{max-height:30em;overflow:auto;
background:#f8f8f8;padding:6px}h2{border-bottom:2px solid #0078d4;padding-bottom:2px}"""


def _html_cell(v: object) -> str:
    v = _cell(v)
    text = html.escape(v.text)
    if not v.full:
        return text
    return f"<details><summary>{text}</summary><pre>{html.escape(v.full)}</pre></details>"


def to_html(blocks: list[Block]) -> str:
    title = next((b[2] for b in blocks if b[0] == "h"), "As-built report")
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"]
    for block in blocks:
        if block[0] == "h":
            out.append(f"<h{block[1]}>{html.escape(block[2])}</h{block[1]}>")
        elif block[0] == "p":
            out.append(f"<p>{html.escape(block[1])}</p>")
        else:
            out.append("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in block[1]) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{_html_cell(c)}</td>" for c in row) + "</tr>"
                    for row in block[2]]
            out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


def render(snap: HostSnapshot, fmt: str, *, now: datetime | None = None) -> str:
    blocks = outline(snap, now=now)
    return to_html(blocks) if fmt == "html" else to_markdown(blocks)
