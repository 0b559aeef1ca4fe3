"""Fault injection shared by the reliability tests: kill a forked child at a chosen os call of a
save, or make an os call fail with a chosen OSError (full disk, read-only, locked file)."""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable

# Where the saving process dies: (name, which os call, on which temp file, before/half/after it).
# Temp files are numbered in the order they are opened: 1 is the backup, 2 the file itself.
STEPS = [
    ("before-backup-write", "write", 1, "before"),
    ("mid-backup-write", "write", 1, "half"),
    ("before-backup-replace", "replace", 1, "before"),
    ("before-write", "write", 2, "before"),
    ("mid-write", "write", 2, "half"),
    ("after-write-before-fsync", "fsync", 2, "before"),
    ("before-replace", "replace", 2, "before"),
    ("after-replace", "replace", 2, "after"),
]
# Steps after which the backup of the old file must exist.
BACKUP_TAKEN = {"before-write", "mid-write", "after-write-before-fsync", "before-replace",
                "after-replace"}


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # no finally blocks, no cleanup: a real kill


def arm(call: str, number: int, when: str) -> None:
    """In the child: patch os so the process dies at the chosen moment of temp file `number`."""
    real = {"open": os.open, "write": os.write, "fsync": os.fsync, "replace": os.replace}
    state = {"file": 0, "done": set()}

    def opened(file, flags, *rest):
        if str(file).endswith(".tmp"):
            state["file"] += 1
        return real["open"](file, flags, *rest)

    def wrap(name):
        def call_(*args):
            key = (name, state["file"])
            hit = name == call and state["file"] == number and key not in state["done"]
            state["done"].add(key)
            if hit and when == "before":
                _die()
            if hit and when == "half":
                real["write"](args[0], bytes(args[1][: len(args[1]) // 2]))
                _die()
            result = real[name](*args)
            if hit and when == "after":
                _die()
            return result
        return call_

    os.open = opened
    os.write = wrap("write")
    os.fsync = wrap("fsync")
    os.replace = wrap("replace")


def killed_child(work: Callable[[], None], call: str, number: int, when: str) -> bool:
    """Fork, arm, run `work`; True when the child was SIGKILLed (False: it finished first)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            arm(call, number, when)
            work()
            os._exit(0)
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0, "the child failed before it was killed"
    return False


def os_error(kind: str) -> OSError:
    """The OSError a platform raises for: full disk, read-only file system, read-only folder,
    and a file locked by another program (Windows' ERROR_SHARING_VIOLATION, winerror 32)."""
    if kind == "disk-full":
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if kind == "read-only-fs":
        return OSError(errno.EROFS, os.strerror(errno.EROFS))
    if kind == "read-only-folder":
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    if kind == "locked":
        exc = PermissionError(errno.EACCES, "The process cannot access the file because it is "
                                            "being used by another process")
        exc.winerror = 32
        return exc
    raise ValueError(kind)


# Which words the refusal must carry for each kind.
WORDS = {"disk-full": "disk is full", "read-only-fs": "read-only", "read-only-folder": "permission denied",
         "locked": "locked by another program"}
