"""Every write to a user's file goes through here: backup first, atomic replace, no silent
overwrite of a file someone else changed, one editor per file.

A failed write leaves the file on disk exactly as it was and says why in one sentence.
`FileStore` is the one store of a user's file (Configuration.xml and both .exe.config files build
on it); `atomic_write` and `take_backup` serve the other files we write (certificates, exports,
reports, DLL copies). Nothing here knows what the files mean.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import journal, liveness, winreplace
from app.errors import SaveRefused, UserError
from app.paths import backups_dir

KEEP_BACKUPS = 20
MAX_FILE = 32 * 1024 * 1024  # a real Configuration.xml or .exe.config is a few MB at most


def read_user_file(path: str | Path, max_bytes: int = MAX_FILE) -> bytes:
    """Read a user's file, turning every OS failure into one sentence."""
    p = Path(path)
    try:
        if p.is_dir():
            raise UserError("is a folder, not a file", path=p)
        size = p.stat().st_size
        if size > max_bytes:
            raise UserError(f"is {size / 1048576:.1f} MB; files over {max_bytes // 1048576} MB "
                            "are refused (a real one is a few MB at most)", path=p)
        return p.read_bytes()
    except FileNotFoundError:
        raise UserError("does not exist", path=p) from None
    except PermissionError:
        raise UserError("cannot be read: permission denied", path=p) from None
    except OSError as exc:
        raise UserError(f"cannot be read: {exc.strerror or exc}", path=p) from None


# -- atomic write ------------------------------------------------------------------------------
def fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return  # directories cannot be opened for fsync on Windows; NTFS journals the rename
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC or getattr(exc, "winerror", None) == 112:
        return "the disk is full"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if getattr(exc, "winerror", None) in (32, 33, 1175, 1176, 1177):  # sharing, lock, ReplaceFileW's
        return "the file is locked by another program (close Microsoft's wizard and try again)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ("permission denied: the folder is read-only or the file is locked "
                "(on a host, run elevated and close Microsoft's wizard)")
    return exc.strerror or str(exc)


def atomic_write(path: Path, data: bytes, *, mode: int | None = None,
                 _after_write: Callable[[Path], object] | None = None) -> None:
    """Temp file in the same folder, flush, fsync, replace, fsync the folder.

    `mode`: the new file's permissions (e.g. 0o600 for a private key: the temp file has them from
    its creation, so the data is never readable by others); default: the old file's, else 0o644.
    `_after_write` is a test hook called between fsync and replace (fault injection).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")  # unique, not secret
    try:
        if mode is None:
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if _after_write:
            _after_write(tmp)
        if sys.platform == "win32":
            winreplace.replace(tmp, path)  # keeps the old file's ACL; retried while it is busy
        else:
            os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise SaveRefused(f"was not saved: {why(exc)}. The file on disk is unchanged.",
                          path=path) from None


# -- backups -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Backup:
    id: str
    path: Path
    taken: datetime
    size: int


def _backup_folder(target: Path) -> Path:
    import hashlib  # here: OpenSSL's start-up is not needed before the first window, a backup is

    resolved = str(Path(target).resolve())
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:10]
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", Path(target).name)
    folder = backups_dir() / f"{slug}-{digest}"
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "source.txt"
    if not source.exists():
        atomic_write(source, (resolved + "\n").encode())
    return folder


def list_backups(target: Path) -> list[Backup]:
    """Newest first."""
    folder = _backup_folder(target)
    found = []
    for p in folder.glob("*.bak"):
        stamp = p.name.split("-", 1)[0]
        try:
            taken = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append(Backup(stamp, p, taken, p.stat().st_size))
    return sorted(found, key=lambda b: b.id, reverse=True)


def take_backup(target: Path, current: bytes | None = None) -> Backup | None:
    """Copy the file as it is now (`current`: its bytes, when the caller just read them); keep
    the last KEEP_BACKUPS. None when there is no file yet."""
    target = Path(target)
    if current is None and not target.exists():
        return None
    try:
        data = target.read_bytes() if current is None else current
    except OSError as exc:
        raise SaveRefused(f"could not be read for a backup ({why(exc)}); nothing was saved.",
                          path=target) from None
    folder = _backup_folder(target)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}-{target.name}.bak"
    try:
        atomic_write(path, data)
    except SaveRefused as exc:
        raise SaveRefused(f"could not be backed up ({exc.message}); nothing was saved.",
                          path=target) from None
    for old in list_backups(target)[KEEP_BACKUPS:]:
        old.path.unlink(missing_ok=True)
    return Backup(stamp, path, datetime.now(UTC), len(data))


def find_backup(target: Path, backup_id: str) -> Backup:
    backups = list_backups(target)
    if backup_id.isdigit() and len(backup_id) < 4 and 1 <= int(backup_id) <= len(backups):
        return backups[int(backup_id) - 1]  # "1" is the newest, as `backups list` numbers them
    for b in backups:
        if b.id == backup_id or b.path.name == backup_id:
            return b
    raise SaveRefused(f"has no backup '{backup_id}' (see `ecma-wizard backups list`)", path=target)


# -- one editor per file -----------------------------------------------------------------------
def host_name() -> str:
    """This machine's name, as socket.gethostname() gives it (POSIX reads it from uname without
    loading the socket module at start-up: the edit lock and the main window ask before the
    first paint)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


class EditLock:
    """A lock file beside the edited file (like Office's ~$ files), with owner details.

    A lock left by a process that no longer runs on this machine is taken over, also when its
    process id now belongs to another program (the recorded start time differs). `probe` asks
    the system about a process (liveness.py; a fake in tests).
    """

    def __init__(self, target: Path, *, probe: liveness.Probe | None = None) -> None:
        self.target = Path(target)
        self.path = self.target.with_name(f".{self.target.name}.ecma-wizard.lock")
        self.held = False
        self.probe = probe or liveness.probe

    def owner(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _stale(self, info: dict[str, Any] | None) -> bool:
        if not info or info.get("host") != host_name():
            return False if info else True
        try:
            pid = int(info.get("pid", 0))
        except (TypeError, ValueError):
            return False  # not ours to judge: someone wrote this lock by hand
        state = self.probe(pid)
        if state.running is False:
            return True
        recorded = info.get("started")
        # the id is in use, but by a process started at another time: the owner is gone
        return bool(state.running and recorded and state.started and state.started != recorded)

    def acquire(self) -> None:
        if self.held:
            return
        info = {"pid": os.getpid(), "started": self.probe(os.getpid()).started, "host": host_name(),
                "user": os.environ.get("USERNAME") or os.environ.get("USER", ""),
                "since": datetime.now(UTC).isoformat(timespec="seconds")}
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                current = self.owner()
                if self._stale(current):
                    self.path.unlink(missing_ok=True)
                    continue
                who = (f"{current.get('user') or 'someone'} on {current.get('host')} "
                       f"(process {current.get('pid')}, since {current.get('since')})"
                       if current else "another program")
                raise SaveRefused(f"is being edited by {who}; close that editor first",
                                  path=self.target) from None
            except OSError as exc:
                raise SaveRefused(f"cannot be locked for editing: {why(exc)}",
                                  path=self.target) from None
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(info, fh)  # a full disk fails here, at the write or the close
            except OSError as exc:
                self.path.unlink(missing_ok=True)  # an empty lock would block the next editor
                raise SaveRefused(f"cannot be locked for editing: {why(exc)}",
                                  path=self.target) from None
            self.held = True
            return

    def release(self) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> EditLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


# -- the store of one user's file -----------------------------------------------------------------
class FileStore:
    """One user's file: read it (remembering exactly what was read), replace it safely.

    `replace` takes the edit lock, reads the file once, refuses when those bytes are not the ones
    read before (another program changed it), backs up those very bytes, then writes atomically.
    `warn` (given by the caller that knows the machine) returns sentences to show after a write,
    e.g. that Microsoft's wizard is running and may overwrite the change.
    """

    def __init__(self, path: str | Path, *, warn: Callable[[], list[str]] | None = None) -> None:
        self.path = Path(path)
        self.lock = EditLock(self.path)
        self.warn = warn
        # The very bytes read (the document keeps them anyway, so this costs no memory): comparing
        # them with the file is exact and ~20x faster than hashing both (3 ms per 4 MB hash).
        self._loaded: bytes | None = None

    def read(self) -> bytes:
        data = read_user_file(self.path)
        self._loaded = data
        return data

    def adopt(self, data: bytes) -> None:
        """Take `data` as what was read (the bytes on disk right now)."""
        self._loaded = data

    def changed_on_disk(self) -> bool:
        if self._loaded is None or not self.path.exists():
            return self._loaded is not None
        return read_user_file(self.path) != self._loaded

    def replace(self, data: bytes) -> Backup | None:
        """Back up, then replace atomically; refused (file untouched) when it cannot be safe."""
        was_held = self.lock.held
        with journal.action(f"save {self.path.name}", self.path, bytes=len(data)) as step:
            self.lock.acquire()
            try:
                current = read_user_file(self.path) if self.path.exists() else None
                if self._loaded is not None and (current is None or current != self._loaded):
                    gone = " (it was deleted)" if current is None else ""
                    raise SaveRefused(f"was changed on disk by another program since it was loaded{gone}; "
                                      "reload it first (saving now would overwrite those changes). "
                                      "Nothing was saved.", path=self.path)
                backup = take_backup(self.path, current)  # the very bytes just checked
                step.undo = backup.path if backup else None
                atomic_write(self.path, data)
            finally:
                if not was_held:
                    self.lock.release()
        self._loaded = data
        return backup

    def warnings(self) -> list[str]:
        return self.warn() if self.warn else []

    def backups(self) -> list[Backup]:
        return list_backups(self.path)

    def backup_bytes(self, backup_id: str) -> bytes:
        """The bytes of a backup, and the current file taken as read (a restore replaces it)."""
        data = read_user_file(find_backup(self.path, backup_id).path)
        if self._loaded is None and self.path.exists():
            self._loaded = read_user_file(self.path)
        return data
