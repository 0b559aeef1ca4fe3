"""Update a connector DLL on a host, the way Microsoft's custom-connector guide says it must be done.

The service runs a connector from copies: `Service\\ECMA\\<dll>` and, for every connector using it,
`Service\\ECMA\\Cache\\<connector>\\<dll>` and `...\\Cache\\<connector>\\AutosyncService\\<dll>`
(docs/host-facts.md §1). A new DLL copied to one place only leaves the others running the old code.
So: show the plan (which files, old and new SHA-256 and file version), stop the service, back up
every file about to be replaced, copy, check, start the service again; on any failure put every
file back as it was and start the service again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app.config.document import ConfigDocument
from app.errors import UserError
from app.filestore import atomic_write
from app.host.dlls import DllFacts, read_dll
from app.host.layout import HostLayout
from app.host.service import ServiceControl, ServiceState
from app.paths import backups_dir

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Target:
    """One file the new DLL goes to; `old` is None when there is no file there yet."""

    path: Path
    connector: str | None
    old: DllFacts | None

    def unchanged(self, new: DllFacts) -> bool:
        return self.old is not None and self.old.sha256 == new.sha256


@dataclass
class DeployPlan:
    dll: DllFacts
    connectors: list[str]
    targets: list[Target]
    skipped: list[str] = field(default_factory=list)  # sentences: folders that are not there

    @property
    def to_copy(self) -> list[Target]:
        return [t for t in self.targets if not t.unchanged(self.dll)]

    def lines(self, root: Path) -> list[str]:
        out = [f"New DLL: {self.dll.path} ({self.dll.describe()})"]
        users = ", ".join(self.connectors) or "no connector uses it yet"
        out.append(f"Connectors using {self.dll.path.name}: {users}")
        for t in self.targets:
            where = t.path.relative_to(root) if t.path.is_relative_to(root) else t.path
            if t.old is None:
                state = "new file"
            elif t.unchanged(self.dll):
                state = "already this DLL, left alone"
            else:
                state = f"replaces {t.old.describe()}"
            out.append(f"  {where}: {state}")
        out.extend(f"  {s}" for s in self.skipped)
        return out

    def to_dict(self) -> dict:
        def facts(f: DllFacts | None) -> dict | None:
            return None if f is None else {"sha256": f.sha256, "file_version": f.file_version,
                                           "size": f.size}
        return {"dll": str(self.dll.path), "new": facts(self.dll), "connectors": self.connectors,
                "targets": [{"path": str(t.path), "connector": t.connector, "old": facts(t.old),
                             "copy": not t.unchanged(self.dll)} for t in self.targets],
                "skipped": self.skipped}


@dataclass(frozen=True)
class DeployResult:
    copied: list[Path]
    backup_folder: Path | None
    service: str  # one sentence: what happened to the service


def _uses(library_name: str, dll_name: str) -> bool:
    # Microsoft writes LibraryName without ".dll"; tolerate it with one
    name = library_name.strip().lower()
    stem = dll_name.lower().removesuffix(".dll")
    return name == stem or name == dll_name.lower()


def make_plan(layout: HostLayout, document: ConfigDocument, dll_path: Path,
              connectors: list[str] | None = None) -> DeployPlan:
    """Which files the DLL goes to; refuses (one sentence) what cannot be right."""
    if layout.root is None or layout.ecma_dir is None:
        raise UserError("Updating a connector DLL needs the host's install folder (--host-dir), "
                        "not a single Configuration.xml.")
    dll = read_dll(dll_path)
    by_name = {c.name: c for c in document.connectors}
    users = [c.name for c in document.connectors if _uses(c.library_name, dll_path.name)]
    if connectors:
        for name in connectors:
            if name not in by_name:
                raise UserError(f"There is no connector '{name}' in {layout.config_path} "
                                f"(connectors: {', '.join(by_name) or 'none'}).")
            if name not in users:
                library = by_name[name].library_name or "no DLL"
                raise UserError(f"Connector '{name}' uses {library}, not {dll_path.name}: "
                                "it would not load the new DLL.")
        users = [n for n in users if n in connectors]
    ecma = layout.ecma_dir
    places: list[tuple[Path, str | None]] = [(ecma / dll_path.name, None)]
    skipped = []
    for name in users:
        cache = ecma / "Cache" / name
        if not cache.is_dir():
            # the service makes a connector's cache folder when it first runs it
            skipped.append(f"Cache\\{name} is not there yet: the service copies the DLL there when it "
                           "first runs the connector.")
            continue
        places += [(cache / dll_path.name, name), (cache / "AutosyncService" / dll_path.name, name)]
    targets = []
    for path, owner in places:
        if path.resolve() == dll.path.resolve():
            targets.append(Target(path, owner, dll))  # the new DLL already stands there
            continue
        targets.append(Target(path, owner, read_dll(path, require_pe=False) if path.exists() else None))
    return DeployPlan(dll, users, targets, skipped)


def _backup(plan: DeployPlan, data: dict[Path, bytes]) -> Path | None:
    """Copies of every file about to be replaced, with a manifest saying where each came from."""
    if not data:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = backups_dir() / "connector-dlls" / f"{stamp}-{plan.dll.path.stem}"
    folder.mkdir(parents=True, exist_ok=True)
    manifest = []
    for number, (path, content) in enumerate(data.items(), 1):
        copy = folder / f"{number:02d}-{path.name}"
        atomic_write(copy, content)
        manifest.append({"original": str(path), "copy": copy.name})
    atomic_write(folder / "manifest.json", json.dumps(manifest, indent=2).encode())
    return folder


def _holds(path: Path, data: bytes | None) -> bool:
    """The file is exactly `data` (None: there is no file)."""
    try:
        return path.read_bytes() == data if data is not None else not path.exists()
    except OSError:
        return False


def _restore(originals: dict[Path, bytes | None], written: list[Path]) -> list[str]:
    """Put every written file back; returns sentences for files that could not be restored."""
    problems = []
    for path in reversed(written):
        try:
            before = originals[path]
            if _holds(path, before):
                continue  # never changed (the write that failed was atomic): nothing to put back
            if before is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write(path, before)
        except (OSError, UserError) as exc:
            problems.append(f"{path} could not be put back ({exc})")
    return problems


def execute(plan: DeployPlan, service: ServiceControl, *, without_service: bool = False,
            progress: Progress | None = None) -> DeployResult:
    """Stop, back up, copy, check, start; on any failure restore every file and restart."""
    say = progress or (lambda _text: None)
    copies = plan.to_copy
    if not copies:
        return DeployResult([], None, "Every copy is already this DLL: nothing was changed.")
    was_running = False
    status = service.status() if service.available() else None
    if status is not None and status.state is ServiceState.NOT_INSTALLED and not without_service:
        # no service here, so this folder's service runs elsewhere (a share, a copied tree): it
        # cannot be stopped from here, and "it was not running" would be a guess
        raise UserError(f"The service cannot be stopped here: {status.sentence().rstrip('.')}, so the "
                        "service of this host folder cannot be controlled. A running service holds the "
                        "DLL open; to copy anyway into a host folder whose service is not running, add "
                        "--without-service.")
    if status is not None:
        was_running = status.state in (ServiceState.RUNNING, ServiceState.START_PENDING)
        if was_running:
            say("Stopping the ECMA2Host service")
            service.stop(lambda status: say(status.sentence()))
    elif not without_service:
        raise UserError(f"The service cannot be stopped here: {(service.unavailable_reason or '').rstrip('.')}. "
                        "A running service holds the DLL open; to copy anyway into a host folder whose "
                        "service is not running, add --without-service.")
    originals: dict[Path, bytes | None] = {}
    written: list[Path] = []
    try:
        for t in copies:
            originals[t.path] = t.path.read_bytes() if t.path.exists() else None
        say("Backing up the files about to be replaced")
        folder = _backup(plan, {p: b for p, b in originals.items() if b is not None})
        new = plan.dll.path.read_bytes()
        for t in copies:
            say(f"Copying to {t.path}")
            t.path.parent.mkdir(parents=True, exist_ok=True)
            written.append(t.path)
            atomic_write(t.path, new)
            if read_dll(t.path).sha256 != plan.dll.sha256:
                raise UserError(f"{t.path} does not hold the new DLL after copying.")
        if was_running:
            say("Starting the ECMA2Host service")
            status = service.start(lambda status: say(status.sentence()))
            if status.state is not ServiceState.RUNNING:
                raise UserError(f"the service did not start again ({status.sentence()})")
    except Exception as exc:  # any failure, ours too: the files go back before anything else
        why = exc.sentence() if isinstance(exc, UserError) else (
            exc.strerror or str(exc) if isinstance(exc, OSError) else "an internal error")
        problems = _restore(originals, written)
        restarted = ""
        if was_running:
            try:
                service.start(lambda status: say(status.sentence()))
                restarted = " The service was started again with the old DLL."
            except UserError as start_error:
                restarted = f" The service did not start again: {start_error.sentence()}"
        if problems:
            failure = UserError(f"The DLL update failed ({why}) and NOT every file could be put back: "
                                + "; ".join(problems) + f". The backups are in {backups_dir()}."
                                + restarted)
        else:
            failure = UserError(f"The DLL update failed and every file was put back as it was: {why.rstrip('.')}."
                                + restarted)
        if not isinstance(exc, (OSError, UserError)):
            raise failure from exc  # a bug of ours: the traceback goes to the crash log
        raise failure from None
    if was_running:
        note = "The service was stopped for the copy and is running again."
    elif status is not None and status.state is not ServiceState.NOT_INSTALLED:
        note = "The service was not running; it was left stopped."
    else:
        note = "The service was not touched (--without-service)."
    return DeployResult(written, folder, note)
