"""The connector DLL as seen from inside the worker process: .NET runtime, assemblies, calls.

Runs only in the child started by app/bridge/worker.py (a connector is code we do not own; a
FailFast or a stack overflow in it ends this process, never the wizard's). Every answer is turned
into plain JSON-ready values here, so nothing .NET-typed crosses the pipe. Facts behind the code
are in docs/connector-dll.md.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.host import zone

INTERFACE_ASSEMBLY = "Microsoft.MetadirectoryServicesEx"
# The GAC name of the host's interface DLL (Windows only; version as on a current host).
INTERFACE_FULL_NAME = ("Microsoft.MetadirectoryServicesEx, Version=4.1.4.0, Culture=neutral, "
                       "PublicKeyToken=31bf3856ad364e35")
NS = "Microsoft.MetadirectoryServices"
INTERFACES = ("IMAExtensible2GetParameters", "IMAExtensible2GetParametersEx",
              "IMAExtensible2GetCapabilities", "IMAExtensible2GetCapabilitiesEx",
              "IMAExtensible2GetSchema", "IMAExtensible2GetPartitions", "IMAExtensible2GetHierarchy")
CAPABILITIES = ("DistinguishedNameStyle", "ObjectRename", "NoReferenceValuesInFirstExport",
                "DeltaImport", "ConcurrentOperation", "DeleteAddAsReplace",
                "ExportPasswordInFirstPass", "FullExport", "ObjectConfirmation", "ExportType",
                "Normalizations", "IsDNAsAnchor", "SupportImport", "SupportExport",
                "SupportPartitions", "SupportPassword", "SupportHierarchy")


class ConnectorFault(Exception):
    """A .NET exception from the connector (or from loading it), told as type and messages."""

    def __init__(self, type_name: str, message: str, inner: list[str] | None = None) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.message = message
        self.inner = inner or []

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type_name, "message": self.message, "inner": self.inner}


def own_dotnet_dlls() -> list[Path]:
    """The .NET DLLs this program brings: pythonnet's Python.Runtime.dll and clr_loader's
    ClrLoader.dll (in a one-folder build they sit under _internal, unzipped with everything)."""
    import clr_loader
    import pythonnet

    folders = [Path(pythonnet.__file__).parent / "runtime", Path(clr_loader.__file__).parent / "ffi" / "dlls"]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.dll"))


def start_runtime(load: Callable[[str], None] | None = None) -> None:
    """The .NET Framework on Windows (what ECMA2Host uses), Mono elsewhere; once per process.

    On Windows our own DLLs lose the downloaded-file mark first: unzipped by Explorer from a
    downloaded zip they carry it, and the .NET Framework loads Python.Runtime.dll with LoadFrom,
    which refuses a marked file (docs/connector-dll.md, "Files from elsewhere").
    """
    import pythonnet

    warnings.filterwarnings("ignore", module="clr_loader")  # Mono 6.8 warning: we run it on purpose
    stuck = zone.clear_marks(own_dotnet_dlls()) if sys.platform == "win32" else []
    try:
        (load or pythonnet.load)("netfx" if sys.platform == "win32" else "mono")
    except Exception as exc:
        if not stuck:
            raise
        names = ", ".join(p.name for p in stuck)
        raise ConnectorFault("BlockedByDownloadMark", f"{names} in {stuck[0].parent} carry Windows' mark "
                             "of a downloaded file, which the .NET Framework refuses, and the mark "
                             "could not be removed there; unblock the zip (Properties > Unblock) "
                             f"before unzipping it, or run Unblock-File on the folder ({exc})") from None
    import clr  # noqa: F401  (makes .NET namespaces importable)
    from System import Console

    # Console.Out goes to stderr on every platform (on Windows the fd swap alone does not reach it).
    Console.SetOut(Console.Error)


def fault_from(error: BaseException) -> ConnectorFault:
    """A .NET exception (reflection wrappers unwrapped) as type, message, inner messages."""
    if getattr(error, "GetType", None) is None:
        return ConnectorFault(type(error).__name__, str(error))
    exc: Any = error
    while exc.GetType().FullName in ("System.Reflection.TargetInvocationException",
                                     "System.AggregateException") and exc.InnerException is not None:
        exc = exc.InnerException
    inner: list[str] = []
    cur = exc.InnerException
    while cur is not None and len(inner) < 5:
        inner.append(f"{cur.GetType().FullName}: {cur.Message}")
        cur = cur.InnerException
    return ConnectorFault(exc.GetType().FullName, str(exc.Message), inner)


def load_from(assembly_type: Any, path: Path | str) -> Any:
    """Load a DLL by path with UnsafeLoadFrom, deliberately: LoadFrom under .NET Framework 4
    refuses a DLL on a share or one carrying the downloaded-file mark unless the process enables
    loadFromRemoteSources (Microsoft: "Assembly.UnsafeLoadFrom"). The user picked this DLL, or
    the host's configuration names it in the host's own folder; the wizard says when it carries
    the mark (zone.load_warning). Mono has the same method."""
    return assembly_type.UnsafeLoadFrom(str(path))


class LoadedConnector:
    """One connector DLL loaded with the interface DLL; the connector object is created once."""

    def __init__(self, dll: str, interface_dll: str | None) -> None:
        from System import Activator, AppDomain, ResolveEventHandler
        from System.Reflection import Assembly

        self.dll = Path(dll)
        self.folders = [self.dll.parent] + ([Path(interface_dll).parent] if interface_dll else [])
        self._assembly = Assembly
        # Kept on self: the runtime holds only a weak link to a Python delegate.
        self._resolver = ResolveEventHandler(self._resolve)
        AppDomain.CurrentDomain.AssemblyResolve += self._resolver
        try:
            self.interface_assembly = (load_from(Assembly, interface_dll) if interface_dll
                                       else Assembly.Load(INTERFACE_FULL_NAME))
            import Microsoft.MetadirectoryServices as ms

            self.ms = ms
            self.assembly = load_from(Assembly, self.dll)
            self.type = self._connector_type()
            self.obj = Activator.CreateInstance(self.type)
        except ConnectorFault:  # our own verdict (no connector class, two interface copies): as is
            raise
        except Exception as exc:  # .NET load failures arrive as .NET exceptions
            raise fault_from(exc) from None
        self.implements = set(self._interfaces_of(self.type))

    def _resolve(self, _sender: Any, args: Any) -> Any:
        """A dependency beside the connector (or beside the interface DLL), by simple name."""
        simple = str(args.Name).split(",")[0].strip()
        for loaded in self._domain_assemblies():
            if str(loaded.GetName().Name) == simple:
                return loaded
        for folder in self.folders:
            candidate = folder / f"{simple}.dll"
            if candidate.is_file():
                return load_from(self._assembly, candidate)
        return None

    @staticmethod
    def _domain_assemblies() -> list[Any]:
        from System import AppDomain

        return list(AppDomain.CurrentDomain.GetAssemblies())

    @staticmethod
    def _interfaces_of(t: Any) -> dict[str, Any]:
        """The ECMA2 configuration interfaces a type implements, by name (whichever copy of the
        interface DLL it was bound to)."""
        out = {}
        for i in t.GetInterfaces():
            full = str(i.FullName)
            if full.startswith(NS + ".") and full[len(NS) + 1:] in INTERFACES:
                out[full[len(NS) + 1:]] = i
        return out

    def _connector_type(self) -> Any:
        """The public class implementing the most configuration interfaces (how the host picks
        among several is [open]; connectors have one)."""
        candidates = []
        for t in self.assembly.GetExportedTypes():
            if t.IsClass and not t.IsAbstract and self._interfaces_of(t):
                candidates.append((-len(self._interfaces_of(t)), str(t.FullName), t))
        if not candidates:
            raise ConnectorFault("NoConnectorClass", f"{self.dll.name} is a dependency, not a connector: "
                                 "no public class in it implements the ECMA2 configuration interfaces")
        chosen = sorted(candidates, key=lambda c: (c[0], c[1]))[0][2]
        for iface in self._interfaces_of(chosen).values():
            bound = iface.Assembly
            if not bound.Equals(self.interface_assembly):  # two copies: calls would not match
                raise ConnectorFault(
                    "InterfaceMismatch",
                    f"{self.dll.name} is bound to {bound.GetName().Name} {bound.GetName().Version} at "
                    f"{bound.Location or 'the GAC'}, not to the host's copy at "
                    f"{self.interface_assembly.Location} ({self.interface_assembly.GetName().Version})")
        return chosen

    # -- values in ---------------------------------------------------------------------------
    def values(self, items: list[dict[str, Any]]) -> Any:
        from System.Security import SecureString

        collection = self.ms.ConfigParameterKeyedCollection()
        for item in items:
            if item.get("secret"):
                secure = SecureString()
                for ch in item.get("value") or "":
                    secure.AppendChar(ch)
                secure.MakeReadOnly()
                collection.Add(self.ms.ConfigParameter(item["name"], secure))
            else:
                collection.Add(self.ms.ConfigParameter(item["name"], item.get("value") or ""))
        return collection

    def _page(self, name: str) -> Any:
        return getattr(self.ms.ConfigParameterPage, name)

    def _as(self, interface: str) -> Any:
        return getattr(self.ms, interface)(self.obj)  # through the interface: explicit ones too

    # -- calls ---------------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        return {"type": str(self.type.FullName), "implements": sorted(self.implements),
                "assembly": str(self.assembly.GetName().Name),
                "interface_version": str(self.interface_assembly.GetName().Version)}

    def _which(self, page: str, number: int) -> str:
        """"ex", "plain" or "" (nothing to ask). Schema pages go through the Ex interface; other
        pages through the plain one where implemented (public connectors answer the plain call
        exactly as Ex with page 1; which one the host prefers is [open]). A connector without Ex
        has one Schema page at most, from the plain call."""
        has_ex = "IMAExtensible2GetParametersEx" in self.implements
        has_plain = "IMAExtensible2GetParameters" in self.implements
        if (page == "Schema" or number > 1) and has_ex:
            return "ex"
        if number == 1 and has_plain:
            return "plain"
        return "ex" if has_ex and number == 1 else ""
    def interface_enums(self) -> dict[str, dict[str, int | str]]:
        """Each public enum of the interface DLL, name -> value (a host report compares the host's
        real DLL with the stand-in the tests are built against)."""
        from System import Convert, Enum

        out: dict[str, dict[str, int | str]] = {}
        for t in self.interface_assembly.GetExportedTypes():
            if t.IsEnum:
                values: dict[str, int | str] = {}
                for name, value in zip(Enum.GetNames(t), Enum.GetValues(t), strict=False):
                    try:
                        values[str(name)] = int(Convert.ToInt64(value))
                    except Exception:  # an unsigned 64-bit flag above Int64: keep its text
                        values[str(name)] = str(value)
                out[str(t.FullName)] = values
        return out

    def get_parameters(self, page: str, number: int,
                       values: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        which = self._which(page, number)
        if not which:
            return None
        col = self.values(values)
        if which == "ex":
            found = self._as("IMAExtensible2GetParametersEx").GetConfigParametersEx(col, self._page(page), number)
        else:
            found = self._as("IMAExtensible2GetParameters").GetConfigParameters(col, self._page(page))
        return None if found is None else [definition(d) for d in entries(found, "parameter definitions")]

    def validate(self, page: str, number: int, values: list[dict[str, Any]]) -> dict[str, Any]:
        which = self._which(page, number)
        if not which:
            return {"ok": True, "message": "", "parameter": ""}
        col = self.values(values)
        if which == "ex":
            result = self._as("IMAExtensible2GetParametersEx").ValidateConfigParametersEx(
                col, self._page(page), number)
        else:
            result = self._as("IMAExtensible2GetParameters").ValidateConfigParameters(col, self._page(page))
        if result is None:  # some connectors answer null for "nothing to check"
            return {"ok": True, "message": "", "parameter": ""}
        return {"ok": str(result.Code) == "Success", "message": str(result.ErrorMessage or ""),
                "parameter": str(result.ErrorParameter or "")}

    def capabilities(self, values: list[dict[str, Any]]) -> dict[str, Any] | None:
        if "IMAExtensible2GetCapabilitiesEx" in self.implements:
            caps = self._as("IMAExtensible2GetCapabilitiesEx").GetCapabilitiesEx(self.values(values))
        elif "IMAExtensible2GetCapabilities" in self.implements:
            caps = self._as("IMAExtensible2GetCapabilities").Capabilities
        else:
            return None
        return None if caps is None else {name: plain(getattr(caps, name)) for name in CAPABILITIES}

    def partitions(self, values: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        if "IMAExtensible2GetPartitions" not in self.implements:
            return None
        found = self._as("IMAExtensible2GetPartitions").GetPartitions(self.values(values))
        return [{"id": str(p.Identifier), "dn": str(p.DN or ""), "name": str(p.Name or "")}
                for p in entries(found, "partitions")]

    def hierarchy(self, values: list[dict[str, Any]],
                  parent: dict[str, Any] | None) -> list[dict[str, Any]] | None:
        if "IMAExtensible2GetHierarchy" not in self.implements:
            return None
        node = self.ms.HierarchyNode.Create(parent["dn"], parent.get("name", "")) if parent else None
        found = self._as("IMAExtensible2GetHierarchy").GetHierarchy(self.values(values), node)
        return [{"dn": str(n.DN or ""), "name": str(n.DisplayName or "")}
                for n in entries(found, "hierarchy nodes")]

    def schema(self, values: list[dict[str, Any]]) -> dict[str, Any] | None:
        if "IMAExtensible2GetSchema" not in self.implements:
            return None
        found = self._as("IMAExtensible2GetSchema").GetSchema(self.values(values))
        if found is None:
            return {"types": []}
        types = []
        for t in entries(found.Types, "object types"):
            attrs = [{"name": str(a.Name), "type": str(a.DataType), "multivalued": bool(a.IsMultiValued),
                      "anchor": bool(a.IsAnchor), "operation": str(a.AllowedAttributeOperation)}
                     for a in entries(t.Attributes, f"attributes of {t.Name}")]
            anchors = [str(a.Name) for a in entries(t.AnchorAttributes, f"anchor attributes of {t.Name}")]
            types.append({"name": str(t.Name), "locked": bool(t.Locked), "anchors": anchors,
                          "attributes": attrs})
        return {"types": types}


def entries(found: Any, what: str) -> list[Any]:
    """A list the connector answered, refused in one sentence when an entry is null (reading
    it would fail with "'NoneType' object has no attribute ...", which tells the user nothing)."""
    items = list(found or [])
    for position, item in enumerate(items, 1):
        if item is None:
            raise ConnectorFault("NullEntry", f"its list of {what} has an empty (null) entry at "
                                 f"position {position} of {len(items)}")
    return items


def plain(value: Any) -> Any:
    """A .NET property value as JSON: bools stay bools, enums become their names."""
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def definition(d: Any) -> dict[str, Any]:
    """A ConfigParameterDefinition as the bridge reports it (raw: the session normalises)."""
    return {"name": str(d.Name or ""), "type": str(d.Type), "text": str(d.Text or ""),
            "validation": str(d.Validation or ""), "default": None if d.DefaultValue is None else str(d.DefaultValue),
            "checkbox_default": bool(d.CheckBoxDefault), "extensible": bool(d.DropDownExtensible)}

