"""Update a connector DLL on a host, the way Microsoft's custom-connector guide says it must be done.

The service runs a connector from copies: `Service\\ECMA\\<dll>` and, for every connector using it,
a cache folder `Service\\ECMA\\Cache\\<folder>\\<dll>` and its `AutosyncService\\<dll>`
(docs/host-facts.md §1). Microsoft's update guide names that folder after the connector; its
troubleshooting page shows a GUID instead. So the folder is the one the connector's
ECMAFolderPath names when set, else every folder under Cache\\ holding a copy of the DLL
(docs/host-facts.md §1a). A new DLL copied to one place only leaves the others running the old code.
So: refuse while Microsoft's wizard runs, show the plan (which files, old and new SHA-256 and file
version), stop the service, back up every file about to be replaced, write the deploy record
(deployrecord.py), copy, check, start the service again; on any failure put every file back as it
was and start the service again. A process killed in the middle leaves the record and the
journal's unfinished entry: `deploy-dll --finish` or `--roll-back` repairs it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import journal
from app.config.document import ConfigDocument
from app.errors import UserError
from app.filestore import atomic_write
from app.host import deployrecord
from app.host.dlls import DllFacts, read_dll
from app.host.layout import HostLayout
from app.host.processes import microsoft_wizard_running
from app.host.service import ServiceControl, ServiceState, ServiceStatus
from app.paths import backups_dir

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
WizardCheck = Callable[[], "bool | None"]
WIZARD_RUNNING = ("Microsoft's ECMA Host Configuration Wizard is running on this host: close it first "
                  "(Microsoft's update guide, step 1), then update the DLL; nothing was changed.")


@dataclass(frozen=True)
class Target:
    """One file a new DLL goes to; `old` is None when there is no file there yet.
    `connector`: whose cache copy it is (None: Service\\ECMA itself, or a cache folder no
    connector names); `new`: the DLL that goes there (the connector DLL or a prerequisite)."""

    path: Path
    connector: str | None
    old: DllFacts | None
    new: DllFacts | None = None

    def unchanged(self, new: DllFacts | None = None) -> bool:
        wanted = self.new or new
        return self.old is not None and wanted is not None and self.old.sha256 == wanted.sha256


@dataclass
class DeployPlan:
    dll: DllFacts
    connectors: list[str]
    targets: list[Target]
    skipped: list[str] = field(default_factory=list)  # sentences: folders that are not there
    dependencies: list[DllFacts] = field(default_factory=list)  # prerequisite DLLs copied with it
    beside: list[str] = field(default_factory=list)  # other DLLs beside the new one, not chosen
    root: Path | None = None

    def __post_init__(self) -> None:
        self.targets = [t if t.new is not None else Target(t.path, t.connector, t.old, self.dll)
                        for t in self.targets]

    @property
    def to_copy(self) -> list[Target]:
        return [t for t in self.targets if not t.unchanged()]

    def folders_by_connector(self, targets: list[Target] | None = None) -> dict[str, list[str]]:
        """Connector (or '(no connector names it)') -> the folders of its copies, as shown."""
        out: dict[str, list[str]] = {}
        for t in targets if targets is not None else self.targets:
            if t.new is not self.dll or t.connector is None and t.path.parent == (self.root_ecma or t.path.parent):
                continue
            who = t.connector or "(no connector names it)"
            where = self._short(t.path.parent)
            if where not in out.setdefault(who, []):
                out[who].append(where)
        return out

    @property
    def root_ecma(self) -> Path | None:
        return self.root / "Service" / "ECMA" if self.root else None

    def _short(self, path: Path) -> str:
        if self.root is not None and path.is_relative_to(self.root):
            return str(path.relative_to(self.root))
        return str(path)

    def lines(self, root: Path) -> list[str]:
        out = [f"New DLL: {self.dll.path} ({self.dll.describe()})"]
        for dep in self.dependencies:
            out.append(f"Prerequisite DLL copied with it: {dep.path.name} ({dep.describe()})")
        users = ", ".join(self.connectors) or "no connector uses it yet"
        out.append(f"Connectors using {self.dll.path.name}: {users}")
        for t in self.targets:
            where = t.path.relative_to(root) if t.path.is_relative_to(root) else t.path
            if t.old is None:
                state = "new file"
            elif t.unchanged():
                state = "already this DLL, left alone"
            else:
                state = f"replaces {t.old.describe()}"
            owner = f" [{t.connector}]" if t.connector else ""
            out.append(f"  {where}{owner}: {state}")
        out.extend(f"  {s}" for s in self.skipped)
        if self.beside and not self.dependencies:
            out.append(f"  Beside the new DLL: {', '.join(self.beside)}. Microsoft's guide copies "
                       "\"the DLL and any of its prerequisite DLLs\": add --with-dependencies to copy them too.")
        return out

    def to_dict(self) -> dict[str, Any]:
        def facts(f: DllFacts | None) -> dict[str, Any] | None:
            return None if f is None else {"sha256": f.sha256, "file_version": f.file_version,
                                           "size": f.size}
        return {"dll": str(self.dll.path), "new": facts(self.dll), "connectors": self.connectors,
                "dependencies": [{"dll": str(d.path), **(facts(d) or {})} for d in self.dependencies],
                "targets": [{"path": str(t.path), "connector": t.connector, "old": facts(t.old),
                             "new": facts(t.new), "copy": not t.unchanged()} for t in self.targets],
                "folders_by_connector": self.folders_by_connector(),
                "skipped": self.skipped, "beside": self.beside}


@dataclass(frozen=True)
class DeployResult:
    copied: list[Path]
    backup_folder: Path | None
    service: str  # one sentence: what happened to the service
    folders: dict[str, list[str]] = field(default_factory=dict)  # per connector: folders updated


def _uses(library_name: str, dll_name: str) -> bool:
    # Microsoft writes LibraryName without ".dll"; tolerate it with one
    name = library_name.strip().lower()
    stem = dll_name.lower().removesuffix(".dll")
    return name == stem or name == dll_name.lower()


def _named_folder(layout: HostLayout, setting: str) -> Path | None:
    """The folder an ECMAFolderPath names, inside this host folder. A live host writes a Windows
    path (C:\\Program Files\\Microsoft ECMA2Host\\Service\\ECMA\\Cache\\<folder>); a copy of the
    host elsewhere keeps its part after ECMA\\Cache."""
    text = setting.strip()
    if not text or layout.ecma_dir is None:
        return None
    parts = [p for p in re.split(r"[\\/]+", text) if p]
    lowered = [p.lower() for p in parts]
    for i in range(len(parts) - 1):
        if lowered[i] == "ecma" and lowered[i + 1] == "cache" and i + 2 < len(parts):
            if any(p in ("..", ".") for p in parts[i + 2:]):
                return None  # a crafted path never leads out of the cache folder
            return layout.ecma_dir.joinpath("Cache", *parts[i + 2:])
    native = Path(text)
    return native if native.is_absolute() and native.is_dir() else None


def _copies_under_cache(cache: Path, names: set[str]) -> list[Path]:
    """Folders directly under Cache\\ holding a copy of one of `names` (itself or its AutosyncService)."""
    found: list[Path] = []
    if not cache.is_dir():
        return found
    for folder in sorted(p for p in cache.iterdir() if p.is_dir()):
        for place in (folder, folder / "AutosyncService"):
            if place.is_dir() and any(f.name.lower() in names for f in place.iterdir() if f.is_file()):
                found.append(folder)
                break
    return found


def cache_folders(layout: HostLayout, document: ConfigDocument, dll_name: str, users: list[str],
                  limited: bool = False) -> tuple[list[tuple[Path, str | None]], list[str]]:
    """(folder, connector or None) of every cache copy to update, and sentences for what is not
    there. `limited`: the user named the connectors, so a folder no connector names is left alone."""
    assert layout.ecma_dir is not None
    cache = layout.ecma_dir / "Cache"
    by_name = {c.name: c for c in document.connectors}
    named = {n: _named_folder(layout, by_name[n].ecma_folder_path or "") for n in by_name}
    claimed = {p.resolve(): n for n, p in named.items() if p is not None}
    folders: list[tuple[Path, str | None]] = []
    skipped: list[str] = []
    found = _copies_under_cache(cache, {dll_name.lower()})
    unnamed = [f for f in found if f.resolve() not in claimed
               and not any(f.name.lower() == n.lower() for n in by_name)]
    for name in users:
        folder = named.get(name)
        if folder is None and by_name[name].ecma_folder_path.strip():
            skipped.append(f"{name}'s ECMAFolderPath ({by_name[name].ecma_folder_path.strip()}) is not a cache "
                           "folder of this host: looked for its copies under Cache\\ instead.")
        if folder is None:  # by the guide's name, case as Windows ignores it
            folder = next((f for f in found if f.name.lower() == name.lower()), None)
        if folder is not None and folder.is_dir():
            folders.append((folder, name))
        elif unnamed and not limited:
            skipped.append(f"{name} names no cache folder (ECMAFolderPath is empty, no Cache\\{name}): every "
                           f"cache folder holding {dll_name} is updated instead.")
        else:
            skipped.append(f"No cache folder of {name} holds the DLL yet: the service copies it there when it "
                           "first runs the connector.")
    taken = {f.resolve() for f, _ in folders}
    for folder in unnamed:  # GUID folders no connector names: still copies of this DLL the service may run
        if folder.resolve() in taken:
            continue
        if limited:
            skipped.append(f"Cache\\{folder.name} holds a copy of {dll_name} but no connector names it; left "
                           "alone because --connector limits the update.")
            continue
        folders.append((folder, None))
    return folders, skipped


def dependencies_beside(dll_path: Path) -> list[Path]:
    """The other DLLs in the new DLL's folder: its prerequisites, as a vendor ships them."""
    name = dll_path.name.lower()
    try:
        return sorted(p for p in dll_path.parent.iterdir()
                      if p.is_file() and p.suffix.lower() == ".dll" and p.name.lower() != name)
    except OSError:
        return []


def make_plan(layout: HostLayout, document: ConfigDocument, dll_path: Path,
              connectors: list[str] | None = None, *, with_dependencies: bool = False) -> DeployPlan:
    """Which files the DLL (and, asked, its prerequisites) go to; refuses what cannot be right."""
    if layout.root is None or layout.ecma_dir is None:
        raise UserError("Updating a connector DLL needs the host's install folder (--host-dir), "
                        "not a single Configuration.xml.")
    dll = read_dll(dll_path)
    by_name = {c.name: c for c in document.connectors}
    every_user = [c.name for c in document.connectors if _uses(c.library_name, dll_path.name)]
    users = every_user
    if connectors:
        for name in connectors:
            if name not in by_name:
                raise UserError(f"There is no connector '{name}' in {layout.config_path} "
                                f"(connectors: {', '.join(by_name) or 'none'}).")
            if name not in every_user:
                library = by_name[name].library_name or "no DLL"
                raise UserError(f"Connector '{name}' uses {library}, not {dll_path.name}: "
                                "it would not load the new DLL.")
        users = [n for n in every_user if n in connectors]
    beside = dependencies_beside(dll_path)
    deps = [read_dll(p) for p in beside] if with_dependencies else []
    folders, skipped = cache_folders(layout, document, dll_path.name, users, limited=bool(connectors))
    ecma = layout.ecma_dir
    targets = []
    for new in [dll, *deps]:
        places: list[tuple[Path, str | None]] = [(ecma / new.path.name, None)]
        for folder, owner in folders:
            places.append((folder / new.path.name, owner))
            autosync = folder / "AutosyncService"
            if autosync.is_dir() or new is dll:
                places.append((autosync / new.path.name, owner))
        for path, owner in places:
            if path.resolve() == new.path.resolve():
                targets.append(Target(path, owner, new, new))  # the new DLL already stands there
                continue
            old = read_dll(path, require_pe=False) if path.exists() else None
            targets.append(Target(path, owner, old, new))
    return DeployPlan(dll, users, targets, skipped, deps, [p.name for p in beside], layout.root)


def execute(plan: DeployPlan, service: ServiceControl, *, without_service: bool = False,
            progress: Progress | None = None, wizard_running: WizardCheck | None = None) -> DeployResult:
    """Stop, back up, record, copy, check, start; on any failure restore every file and restart."""
    say = progress or (lambda _text: None)
    copies = plan.to_copy
    if not copies:
        return DeployResult([], None, "Every copy is already this DLL: nothing was changed.")
    if (wizard_running or microsoft_wizard_running)():
        raise UserError(WIZARD_RUNNING)
    status = service.status() if service.available() else None
    if status is not None and status.state is ServiceState.NOT_INSTALLED and not without_service:
        # no service here, so this folder's service runs elsewhere (a share, a copied tree): it
        # cannot be stopped from here, and "it was not running" would be a guess
        raise UserError(f"The service cannot be stopped here: {status.sentence().rstrip('.')}, so the "
                        "service of this host folder cannot be controlled. A running service holds the "
                        "DLL open; to copy anyway into a host folder whose service is not running, add "
                        "--without-service.")
    if status is None and not without_service:
        raise UserError(f"The service cannot be stopped here: {(service.unavailable_reason or '').rstrip('.')}. "
                        "A running service holds the DLL open; to copy anyway into a host folder whose "
                        "service is not running, add --without-service.")
    with journal.action("deploy DLL", plan.root, dll=plan.dll.path.name, sha256=plan.dll.sha256,
                        connectors=plan.connectors, files=len(copies),
                        prerequisites=[d.path.name for d in plan.dependencies]) as step:
        result = _execute(plan, copies, service, status, say, step)
        step.note(folders=result.folders)
        return result


def _execute(plan: DeployPlan, copies: list[Target], service: ServiceControl,
             status: ServiceStatus | None, say: Progress, step: journal.Action) -> DeployResult:
    was_running = False
    if status is not None:
        was_running = status.state in (ServiceState.RUNNING, ServiceState.START_PENDING)
        if was_running:
            say("Stopping the ECMA2Host service")
            service.stop(lambda status: say(status.sentence()))
    originals: dict[Path, bytes | None] = {}
    written: list[Path] = []
    record: deployrecord.DeployRecord | None = None
    try:
        for t in copies:
            originals[t.path] = t.path.read_bytes() if t.path.exists() else None
        say("Backing up the files about to be replaced")
        news = {t.new.path: t.new.path.read_bytes() for t in copies if t.new is not None}
        record = deployrecord.begin(plan.root, plan.dll.path.name, copies, originals, news, was_running,
                                    step.id)
        step.undo = record.folder
        for t in copies:
            assert t.new is not None
            say(f"Copying to {t.path}")
            t.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(t.path, news[t.new.path])
            written.append(t.path)  # counted once it is there: a failed write changed nothing
            if read_dll(t.path).sha256 != t.new.sha256:
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
        if record is not None and not problems:
            deployrecord.close(record, deployrecord.ROLLED_BACK)
        restarted = ""
        if was_running:
            try:
                service.start(lambda status: say(status.sentence()))
                restarted = " The service was started again with the old DLL."
            except UserError as start_error:
                restarted = f" The service did not start again: {start_error.sentence()}"
        if problems:
            failure = UserError(f"The DLL update failed ({why}) and NOT every file could be put back: "
                                + "; ".join(problems) + f". The backups are in {backups_dir()}; "
                                "`ecma-wizard connector deploy-dll --roll-back` tries again."
                                + restarted)
        else:
            failure = UserError(f"The DLL update failed and every file was put back as it was: {why.rstrip('.')}."
                                + restarted)
        if not isinstance(exc, (OSError, UserError)):
            raise failure from exc  # a bug of ours: the traceback goes to the crash log
        raise failure from None
    deployrecord.close(record, deployrecord.FINISHED)
    if was_running:
        note = "The service was stopped for the copy and is running again."
    elif status is not None and status.state is not ServiceState.NOT_INSTALLED:
        note = "The service was not running; it was left stopped."
    else:
        note = "The service was not touched (--without-service)."
    log.info("deployed %s to %d place(s)", plan.dll.path.name, len(written))
    return DeployResult(written, record.folder, note, plan.folders_by_connector(copies))


def _restore(originals: dict[Path, bytes | None], written: list[Path]) -> list[str]:
    """Put every written file back; returns sentences for files that could not be restored."""
    problems = []
    for path in reversed(written):
        try:
            before = originals[path]
            if before is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write(path, before)
        except (OSError, UserError) as exc:
            problems.append(f"{path} could not be put back ({exc})")
    return problems
