"""Where a connector's attribute list can be re-read from, and what changed against the stored one.

Replaces the users' trick ("change the path and change it back" to make Microsoft's wizard re-run
schema.ps1) with an explicit Refresh: read a source the app can read, show attributes added,
removed and changed in type, and apply the ones the user picks. Sources:
- the PowerShell connector's Schema.xml in Service\\ECMA (tests/data/powershell-schema.xml has the shape);
- the DSML schema of a MIM management-agent export (read by app.migrate.mim_export);
- a CSV or JSON attribute list (name, type, multivalued);
- on Windows, a Granfeldt PSMA schema script run through Windows PowerShell.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from app.config.xmltext import local_name, parse_bytes, read_file
from app.errors import UserError
from app.wizard.schema_edits import AttributeChoice

DATA_TYPES = {"string": "String", "integer": "Integer", "int": "Integer", "boolean": "Boolean",
              "bool": "Boolean", "binary": "Binary", "reference": "Reference"}
TRUE = {"1", "true", "yes", "y"}


@dataclass
class SourceSchema:
    """Attributes per object type, as a source describes them."""

    source: str
    types: dict[str, list[AttributeChoice]] = field(default_factory=dict)
    anchors: dict[str, list[str]] = field(default_factory=dict)

    def attributes(self, object_type: str | None = None) -> list[AttributeChoice]:
        """The attributes of `object_type`, or of the only/first type when it is not there."""
        if object_type and object_type in self.types:
            return self.types[object_type]
        return next(iter(self.types.values()), [])

    @property
    def object_types(self) -> list[str]:
        return list(self.types)


def _type(value: str, path: Path, line: int | None = None) -> str:
    cleaned = (value or "String").strip()
    known = DATA_TYPES.get(cleaned.lower())
    if known is None:
        raise UserError(f"gives the data type '{cleaned}', which is not one of String, Integer, "
                        "Boolean, Binary, Reference", path=path, line=line)
    return known


# -- Schema.xml of the PowerShell connector ----------------------------------------------------
def read_powershell_schema(path: Path) -> SourceSchema:
    path = Path(path)
    root = parse_bytes(read_file(path), str(path))[0]
    if local_name(root) != "Schema":
        raise UserError(f"has the root <{local_name(root)}>; expected the PowerShell connector's "
                        "<Schema> (Types/SchemaType/Attributes/SchemaAttribute)", path=path)
    out = SourceSchema(str(path))
    for st in root.iterfind("Types/SchemaType"):
        name = (st.findtext("Name") or "").strip()
        attrs, anchors = [], []
        for a in st.iterfind("Attributes/SchemaAttribute"):
            aname = (a.findtext("Name") or "").strip()
            if not aname:
                continue
            attrs.append(AttributeChoice(aname, _type(a.findtext("DataType") or "", path, a.sourceline),
                                         (a.findtext("IsMultiValued") or "").strip().lower() in TRUE,
                                         path.name))
            if (a.findtext("IsAnchor") or "").strip().lower() in TRUE:
                anchors.append(aname)
        out.types[name] = attrs
        out.anchors[name] = anchors
    if not out.types:
        raise UserError("lists no SchemaType with attributes", path=path)
    return out


# -- DSML of a MIM management-agent export ------------------------------------------------------
def read_mim_export(path: Path) -> SourceSchema:
    from app.migrate.mim_export import SYNTHETIC_ATTRIBUTES, read_agent
    from app.migrate.mim_mapping import data_type

    path = Path(path)
    agent = read_agent(read_file(path), str(path))
    out = SourceSchema(str(path))
    for cl in agent.classes:
        attrs = []
        for ref in cl.attributes:
            at = agent.attribute_types.get(ref.ref)
            name = at.name if at else ref.ref
            if name in SYNTHETIC_ATTRIBUTES:
                continue  # MIM adds export_password to every class (docs/host-facts.md §9)
            dtype = (data_type(at.syntax) if at else None) or "String"
            attrs.append(AttributeChoice(name, dtype, bool(at and not at.single_value), path.name))
        out.types[cl.name] = attrs
        out.anchors[cl.name] = [ref.ref for ref in cl.attributes if ref.is_anchor]
    if not out.types:
        raise UserError("has no DSML schema classes", path=path)
    return out


# -- CSV / JSON attribute lists -----------------------------------------------------------------
def read_attribute_list(path: Path) -> SourceSchema:
    """CSV (name[,type[,multivalued]], header optional) or JSON (list of names or of objects)."""
    path = Path(path)
    text = read_file(path).decode("utf-8-sig", errors="replace")
    rows: list[AttributeChoice] = []
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"is not valid JSON: {exc.msg}", path=path, line=exc.lineno,
                            column=exc.colno) from None
        if isinstance(data, dict):
            data = data.get("attributes", data)
        if not isinstance(data, list):
            raise UserError("should hold a list of attributes (names or {name, type, multivalued})",
                            path=path)
        for item in data:
            if isinstance(item, str):
                rows.append(AttributeChoice(item, "String", False, path.name))
            elif isinstance(item, dict) and item.get("name"):
                rows.append(AttributeChoice(
                    str(item["name"]), _type(str(item.get("type") or item.get("dataType") or ""), path),
                    str(item.get("multivalued", "")).lower() in TRUE, path.name))
            else:
                raise UserError(f"has an entry that is neither a name nor an object with 'name': {item!r}",
                                path=path)
    else:
        reader = csv.reader(io.StringIO(text), _dialect(text))
        try:
            for n, rec in enumerate(reader, 1):
                if not rec or not rec[0].strip():
                    continue
                if n == 1 and rec[0].strip().lower() in ("name", "attribute", "attributename"):
                    continue
                dtype = _type(rec[1] if len(rec) > 1 and rec[1].strip() else "String", path, n)
                multi = len(rec) > 2 and rec[2].strip().lower() in TRUE
                rows.append(AttributeChoice(rec[0].strip(), dtype, multi, path.name))
        except csv.Error as exc:  # a stray carriage return, a NUL, an unclosed quote...
            raise UserError(f"is not a readable CSV file ({exc})", path=path,
                            line=reader.line_num or None) from None
    if not rows:
        raise UserError("lists no attributes", path=path)
    return SourceSchema(str(path), {"": rows}, {})


def _dialect(text: str) -> type[csv.Dialect]:
    try:
        return csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        return csv.excel


# -- Granfeldt PSMA schema script (Windows only) --------------------------------------------------
# Runs the user's schema.ps1 and prints each object's property names ("Name|Type", "Anchor-Id|String",
# "Multi|String[]") as JSON; the names ARE the schema in Granfeldt's convention.
WRAPPER = r"""param([Parameter(Mandatory=$true)][string]$SchemaScript)
$ErrorActionPreference = 'Stop'
$objects = @(& $SchemaScript)
$out = foreach ($o in $objects) {
  [pscustomobject]@{ objectClass = [string]$o.objectClass;
                     properties = @($o.PSObject.Properties | ForEach-Object { $_.Name }) }
}
ConvertTo-Json -InputObject @($out) -Depth 4 -Compress
"""


class SchemaScriptRunner(Protocol):
    def available(self) -> bool: ...

    @property
    def unavailable_reason(self) -> str | None: ...

    def run(self, script: Path) -> SourceSchema: ...


def powershell_command(wrapper: Path, script: Path) -> list[str]:
    """Windows PowerShell 5.1, as ECMA2Host runs connector scripts (never pwsh 7)."""
    return ["powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
            "-File", str(wrapper), "-SchemaScript", str(script)]


def parse_granfeldt_output(text: str, source: str) -> SourceSchema:
    """Granfeldt's convention: 'Anchor-Name|Type' marks the anchor, 'Type[]' multivalued;
    objectClass names the object type and is not an attribute."""
    try:
        data = json.loads(text.strip() or "[]")
    except json.JSONDecodeError:
        raise UserError("did not print a schema (its output is not the expected list of objects)",
                        path=source) from None
    if isinstance(data, dict):
        data = [data]
    out = SourceSchema(source)
    for obj in data:
        kind = str(obj.get("objectClass") or "")
        attrs, anchors = [], []
        for prop in obj.get("properties") or []:
            name, _, dtype = str(prop).partition("|")
            if name.lower() == "objectclass":
                continue
            multi = dtype.endswith("[]")
            dtype = dtype[:-2] if multi else dtype
            if name.startswith("Anchor-"):
                name = name[len("Anchor-"):]
                anchors.append(name)
            attrs.append(AttributeChoice(name, _type(dtype or "String", Path(source)), multi,
                                         Path(source).name))
        out.types[kind] = attrs
        out.anchors[kind] = anchors
    if not out.types:
        raise UserError("returned no objects: a Granfeldt schema script outputs one object per "
                        "object type", path=source)
    return out


class WindowsSchemaScriptRunner:
    def __init__(self, timeout: float = 120.0,
                 run: Callable[..., subprocess.CompletedProcess[bytes]] = subprocess.run) -> None:
        self.timeout = timeout
        self._run = run

    def available(self) -> bool:
        return True

    @property
    def unavailable_reason(self) -> None:
        return None

    def run(self, script: Path) -> SourceSchema:
        script = Path(script)
        if not script.is_file():
            raise UserError("is not a file", path=script)
        with tempfile.TemporaryDirectory(prefix="ecma-wizard-schema-") as tmp:
            wrapper = Path(tmp) / "read-schema.ps1"
            wrapper.write_bytes(WRAPPER.encode("utf-8-sig"))  # our temp file, not a user's file
            try:
                done = self._run(powershell_command(wrapper, script), capture_output=True,
                                 timeout=self.timeout, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise UserError(f"could not be run through Windows PowerShell ({exc.__class__.__name__})",
                                path=script) from None
        if done.returncode != 0:
            err = (done.stderr or b"").decode("utf-8", "replace").strip().splitlines()
            raise UserError(f"failed in Windows PowerShell: {err[0] if err else 'exit ' + str(done.returncode)}",
                            path=script)
        return parse_granfeldt_output((done.stdout or b"").decode("utf-8-sig", "replace"), str(script))


class UnavailableSchemaScriptRunner:
    unavailable_reason = ("Running a PowerShell schema script needs Windows PowerShell, which exists "
                          "only on Windows: run the script on the host and load its output, or "
                          "use a Schema.xml, MIM export or attribute list instead.")

    def available(self) -> bool:
        return False

    def run(self, script: Path) -> SourceSchema:
        raise UserError(self.unavailable_reason, path=script)


def schema_script_runner() -> SchemaScriptRunner:
    return WindowsSchemaScriptRunner() if sys.platform == "win32" else UnavailableSchemaScriptRunner()


# -- picking the reader ------------------------------------------------------------------------
def read_source(path: Path) -> SourceSchema:
    """Any supported file, by its extension and root element."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".json"):
        return read_attribute_list(path)
    if suffix == ".ps1":
        return schema_script_runner().run(path)
    head = read_file(path)[:4096].decode("utf-8", "ignore").lstrip("\ufeff")
    if "<Schema" in head and "dsml" not in head:
        return read_powershell_schema(path)
    return read_mim_export(path)


def default_source(ecma_dir: Path | None, library: str) -> Path | None:
    """The source a connector already has on the host: the PowerShell connector's Schema.xml."""
    if ecma_dir is None or "PowerShell" not in library:
        return None
    candidate = Path(ecma_dir) / "Schema.xml"
    return candidate if candidate.is_file() else None


# -- the diff ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AttributeChange:
    name: str
    kind: str  # added, removed, type-changed
    old_type: str = ""
    new_type: str = ""
    multivalued: bool = False


def schema_diff(stored: dict[str, str], source: list[AttributeChoice]) -> list[AttributeChange]:
    """`stored`: name -> data type of the connector's attributes; `source`: the re-read list."""
    out = []
    seen = set()
    for c in source:
        seen.add(c.name)
        if c.name not in stored:
            out.append(AttributeChange(c.name, "added", "", c.data_type, c.multivalued))
        elif stored[c.name] != c.data_type:
            out.append(AttributeChange(c.name, "type-changed", stored[c.name], c.data_type, c.multivalued))
    out += [AttributeChange(n, "removed", t) for n, t in stored.items() if n not in seen]
    return out
