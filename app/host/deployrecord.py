"""The record of a connector DLL update, so a process killed in the middle leaves a state that is
finished, or found and repaired (docs/host-facts.md §1a, docs/journal.md §4).

Before the first file on the host is replaced, the backup folder holds a copy of every file about
to be replaced, a copy of each new DLL, and deploy.json: the host, each target with its old and
new SHA-256, the state ("copying"), whether the service ran, the journal's action id. The copy
only starts once that record is on disk; it is marked "finished" or "rolled back" at the end. A
record still "copying" is a half-deployed DLL: `finish` copies the new files where they are
missing, `roll_back` puts the old ones back, both remove the temporary files a killed copy left
beside the DLLs, and both check every file's hash before they say done.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import journal
from app.errors import UserError
from app.filestore import atomic_write
from app.host.processes import microsoft_wizard_running
from app.paths import backups_dir

if TYPE_CHECKING:
    from app.host.deploy import Target
    from app.host.service import ServiceControl

log = logging.getLogger(__name__)
RECORD = "deploy.json"
COPYING, FINISHED, ROLLED_BACK = "copying", "finished", "rolled back"


@dataclass
class DeployRecord:
    folder: Path                      # the backup folder holding the copies and this record
    host: str
    dll: str
    state: str
    files: list[dict[str, Any]]       # path, old_sha256 (None: no file before), new_sha256, backup, new
    service_was_running: bool = False
    journal_id: str = ""
    started: str = ""
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "dll": self.dll, "state": self.state, "files": self.files,
                "service_was_running": self.service_was_running, "journal_id": self.journal_id,
                "started": self.started, "notes": self.notes}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _save(record: DeployRecord) -> None:
    atomic_write(record.folder / RECORD, json.dumps(record.to_json(), indent=2).encode())


def begin(root: Path | None, dll: str, copies: list[Target], originals: dict[Path, bytes | None],
          news: dict[Path, bytes], service_was_running: bool, journal_id: str) -> DeployRecord:
    """Back up every file about to be replaced, keep the new DLLs, write the record: all before
    the first file on the host changes."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = backups_dir() / "connector-dlls" / f"{stamp}-{Path(dll).stem}"
    folder.mkdir(parents=True, exist_ok=True)
    manifest, files = [], []
    kept: dict[Path, str] = {}
    for number, t in enumerate(copies, 1):
        assert t.new is not None
        before = originals[t.path]
        copy = None
        if before is not None:
            copy = f"{number:02d}-{t.path.name}"
            atomic_write(folder / copy, before)
            manifest.append({"original": str(t.path), "copy": copy})
        if t.new.path not in kept:
            kept[t.new.path] = f"new-{len(kept) + 1:02d}-{t.new.path.name}"
            atomic_write(folder / kept[t.new.path], news[t.new.path])
        files.append({"path": str(t.path), "old_sha256": None if before is None else _digest(before),
                      "new_sha256": t.new.sha256, "backup": copy, "new": kept[t.new.path]})
    atomic_write(folder / "manifest.json", json.dumps(manifest, indent=2).encode())
    record = DeployRecord(folder, str(root or ""), dll, COPYING, files, service_was_running, journal_id,
                          datetime.now(UTC).isoformat(timespec="seconds"))
    _save(record)
    return record


def close(record: DeployRecord, state: str, note: str | None = None) -> None:
    record.state = state
    if note:
        record.notes.append(note)
    try:
        _save(record)
    except UserError as exc:  # the files are right; only the record could not say so
        log.warning("the deploy record %s could not be marked %s: %s", record.folder, state, exc.sentence())


def load(folder: Path) -> DeployRecord | None:
    try:
        data = json.loads((folder / RECORD).read_bytes()[:4 * 1024 * 1024])
        files = [f for f in data["files"] if isinstance(f, dict) and isinstance(f.get("path"), str)]
        return DeployRecord(folder, str(data["host"]), str(data["dll"]), str(data["state"]), files,
                            bool(data.get("service_was_running")), str(data.get("journal_id") or ""),
                            str(data.get("started") or ""), list(data.get("notes") or []))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a record torn by a kill before it was whole: nothing on the host changed yet


def _same_place(a: str, b: Path) -> bool:
    try:
        return Path(a).resolve() == b.resolve()
    except (OSError, ValueError):
        return False


def unfinished(root: Path) -> list[DeployRecord]:
    """Records of updates on this host that neither finished nor rolled back, oldest first; an
    update whose process still runs (the journal says so) is not one of them."""
    base = backups_dir() / "connector-dlls"
    if not base.is_dir():
        return []
    running = {a.id for a in journal.read_journal().actions if a.outcome == "running"}
    found = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        record = load(folder)
        if record is not None and record.state == COPYING and _same_place(record.host, root) \
                and record.journal_id not in running:
            found.append(record)
    return found


def temp_files(root: Path) -> list[Path]:
    """Temporary files a killed copy left beside the DLLs (atomic_write's `.<name>.<pid>.<n>.tmp`)."""
    ecma = root / "Service" / "ECMA"
    if not ecma.is_dir():
        return []
    return sorted(p for p in ecma.rglob(".*.tmp") if p.is_file() and ".dll." in p.name.lower())


def torn_backups() -> list[Path]:
    """Backup folders of updates killed before their record was whole: nothing on any host was
    changed yet (the record comes first), so they hold only partial copies and temporary files."""
    base = backups_dir() / "connector-dlls"
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and not (p / RECORD).exists())


def backup_temp_files() -> list[Path]:
    """Temporary files in the deploy backups (a kill while a copy or the record was written)."""
    base = backups_dir() / "connector-dlls"
    return sorted(p for p in base.glob("*/.*.tmp") if p.is_file()) if base.is_dir() else []


def current_hash(path: Path) -> str | None:
    try:
        return _digest(path.read_bytes())
    except FileNotFoundError:
        return None


def describe(record: DeployRecord) -> tuple[int, int, int]:
    """(files holding the new DLL, files as before, files that are neither)."""
    new = old = other = 0
    for f in record.files:
        now = current_hash(Path(f["path"]))
        if now == f.get("new_sha256"):
            new += 1
        elif now == f.get("old_sha256"):
            old += 1
        else:
            other += 1
    return new, old, other


def repair(root: Path, how: str, service: ServiceControl, *, without_service: bool = False,
           progress: Callable[[str], None] | None = None,
           wizard_running: Callable[[], bool | None] | None = None) -> list[str]:
    """Finish ("finish") or roll back ("roll-back") every half-deployed update on this host and
    remove the temporary files; returns sentences of what was done."""
    from app.host.service import ServiceState

    say = progress or (lambda _text: None)
    busy = [a for a in journal.read_journal().actions
            if a.outcome == "running" and a.action == "deploy DLL" and _same_place(a.target, root)]
    if busy:
        raise UserError(f"A DLL update is running now on {root} (process {busy[0].pid}); wait for it to end, "
                        "then look again.")
    records = unfinished(root)
    leftovers = temp_files(root)
    if records and (wizard_running or microsoft_wizard_running)():
        raise UserError("Microsoft's ECMA Host Configuration Wizard is running on this host: close it first "
                        "(Microsoft's update guide, step 1), then repair the update; nothing was changed.")
    for folder in torn_backups():  # partial copies of an update that changed nothing: not a backup
        shutil.rmtree(folder, ignore_errors=True)
    for path in backup_temp_files():
        path.unlink(missing_ok=True)
    if not records and not leftovers:
        raise UserError(f"Nothing is half-deployed on {root}: no unfinished DLL update and no temporary files.")
    if records and not service.available() and not without_service:
        raise UserError(f"The service cannot be stopped here: {service.unavailable_reason}. To repair a host "
                        "folder whose service is not running, add --without-service.")
    done: list[str] = []
    for record in records if how == "finish" else list(reversed(records)):
        with journal.action("finish DLL deploy" if how == "finish" else "roll back DLL deploy", root,
                            dll=record.dll, record=record.folder, journaled_as=record.journal_id) as step:
            step.undo = record.folder
            if service.available() and service.status().state is not ServiceState.STOPPED:
                say("Stopping the ECMA2Host service")
                service.stop(lambda status: say(status.sentence()))
            changed = _put(record, how, say)
            state = FINISHED if how == "finish" else ROLLED_BACK
            close(record, state, f"{how} by hand: {changed} file(s) written")
            done.append(f"{record.dll} ({record.started}): {'finished' if how == 'finish' else 'rolled back'}, "
                        f"{changed} of {len(record.files)} file(s) written; every copy checked.")
    for path in temp_files(root):
        path.unlink(missing_ok=True)
        say(f"Removed the temporary file {path}")
    if leftovers:
        done.append(f"Removed {len(leftovers)} temporary file(s) a stopped copy left beside the DLLs.")
    if records and any(r.service_was_running for r in records) and service.available():
        say("Starting the ECMA2Host service")
        status = service.start(lambda status: say(status.sentence()))
        done.append(status.sentence())
    return done


def _put(record: DeployRecord, how: str, say: Callable[[str], None]) -> int:
    """Make every target the new (finish) or the old (roll back) file; verify each by hash."""
    changed = 0
    for f in record.files:
        path = Path(f["path"])
        want = f["new_sha256"] if how == "finish" else f["old_sha256"]
        if current_hash(path) == want:
            continue
        if want is None:  # rolled back to "no file there"
            path.unlink(missing_ok=True)
        else:
            source = record.folder / (f["new"] if how == "finish" else f["backup"] or "")
            try:
                data = source.read_bytes()
            except OSError as exc:
                raise UserError(f"the copy {source} that {how} needs cannot be read ({exc.strerror}); "
                                "nothing more was changed.") from None
            if _digest(data) != want:
                raise UserError(f"the copy {source} is not the file the record names (its SHA-256 "
                                "differs); nothing more was changed.")
            say(f"Writing {path}")
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
        changed += 1
        if current_hash(path) != want:
            raise UserError(f"{path} does not hold the expected file after writing it.")
    return changed
