"""The edit lock's owner check: gone, alive, or a reused process id, asked the platform's way.

The Windows branch runs here through `FakeKernel`, a process table answering the four kernel32
calls as Microsoft documents them: OpenProcess fails with ERROR_INVALID_PARAMETER (87) for an id
no process has; an exited process that someone still holds a handle to opens, and its handle is
signalled (WaitForSingleObject returns WAIT_OBJECT_0) with a real exit code; a running one times
out (WAIT_TIMEOUT) and reports STILL_ACTIVE (259); a process of another user may refuse
SYNCHRONIZE (ERROR_ACCESS_DENIED, 5) yet grant PROCESS_QUERY_LIMITED_INFORMATION.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field

import pytest

from app import liveness
from app.errors import SaveRefused
from app.filestore import EditLock
from app.liveness import (
    ERROR_ACCESS_DENIED,
    ERROR_INVALID_PARAMETER,
    PROCESS_QUERY_LIMITED_INFORMATION,
    STILL_ACTIVE,
    SYNCHRONIZE,
    WAIT_OBJECT_0,
    WAIT_TIMEOUT,
    ProcessState,
    probe_linux,
    probe_windows,
)


@dataclass
class FakeProcess:
    created: int  # FILETIME
    exited: bool = False
    deny_synchronize: bool = False
    protected: bool = False  # even a limited query is refused (e.g. a protected service)


@dataclass
class FakeKernel:
    table: dict[int, FakeProcess]
    error: int = 0
    opened: list[tuple[int, int]] = field(default_factory=list)
    open_handles: set[int] = field(default_factory=set)

    def open_process(self, access: int, pid: int) -> int | None:
        self.opened.append((access, pid))
        proc = self.table.get(pid)
        if proc is None:
            self.error = ERROR_INVALID_PARAMETER
            return None
        if proc.protected or (access & SYNCHRONIZE and proc.deny_synchronize):
            self.error = ERROR_ACCESS_DENIED
            return None
        handle = 1000 + pid
        self.open_handles.add(handle)
        return handle

    def last_error(self) -> int:
        return self.error

    def _proc(self, handle: int) -> FakeProcess:
        assert handle in self.open_handles, "used a handle that is not open"
        return self.table[handle - 1000]

    def wait(self, handle: int, milliseconds: int) -> int:
        return WAIT_OBJECT_0 if self._proc(handle).exited else WAIT_TIMEOUT

    def exit_code(self, handle: int) -> int | None:
        return 0xC0000005 if self._proc(handle).exited else STILL_ACTIVE

    def creation_time(self, handle: int) -> int | None:
        return self._proc(handle).created

    def close(self, handle: int) -> None:
        self.open_handles.remove(handle)


def windows_probe(kernel: FakeKernel):
    return lambda pid: probe_windows(pid, kernel)


def write_lock(lock: EditLock, **info) -> None:
    lock.path.write_text(json.dumps({"host": socket.gethostname(), **info}))


@pytest.fixture
def target(tmp_path):
    path = tmp_path / "Configuration.xml"
    path.write_bytes(b"<Configuration />")
    return path


# -- the Windows branch, through the fake --------------------------------------------------------
def test_windows_pid_that_no_process_has_is_gone():
    kernel = FakeKernel({})
    assert probe_windows(4242, kernel) == liveness.GONE
    assert kernel.opened == [(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, 4242)]


def test_windows_exited_process_still_held_open_is_gone():
    kernel = FakeKernel({4242: FakeProcess(created=1, exited=True)})
    assert probe_windows(4242, kernel).running is False
    assert not kernel.open_handles  # every handle closed


def test_windows_running_process_reports_its_start_time():
    kernel = FakeKernel({4242: FakeProcess(created=133_000_000_000_000_000)})
    assert probe_windows(4242, kernel) == ProcessState(True, "win:133000000000000000")
    assert not kernel.open_handles


def test_windows_other_users_process_is_asked_without_synchronize():
    kernel = FakeKernel({4242: FakeProcess(created=7, deny_synchronize=True)})
    assert probe_windows(4242, kernel) == ProcessState(True, "win:7")
    assert kernel.opened[-1] == (PROCESS_QUERY_LIMITED_INFORMATION, 4242)
    kernel.table[4242].exited = True
    assert probe_windows(4242, kernel).running is False  # GetExitCodeProcess != STILL_ACTIVE


def test_windows_protected_process_counts_as_running():
    kernel = FakeKernel({4242: FakeProcess(created=7, protected=True)})
    assert probe_windows(4242, kernel).running is True


def test_windows_stale_lock_of_a_crashed_editor_is_taken_over(target):
    """The bug: os.kill(pid, 0) raised WinError 87 for a dead owner, read as "not stale"."""
    me = FakeProcess(created=500)
    kernel = FakeKernel({os.getpid(): me})
    lock = EditLock(target, probe=windows_probe(kernel))
    write_lock(lock, pid=4242, started="win:100")
    lock.acquire()
    assert lock.held
    assert json.loads(lock.path.read_text())["started"] == "win:500"
    lock.release()


def test_windows_lock_of_a_running_editor_is_respected(target):
    kernel = FakeKernel({os.getpid(): FakeProcess(created=500), 4242: FakeProcess(created=100)})
    lock = EditLock(target, probe=windows_probe(kernel))
    write_lock(lock, pid=4242, started="win:100", user="ana")
    with pytest.raises(SaveRefused, match="being edited by ana"):
        lock.acquire()
    assert lock.path.exists()


def test_windows_reused_pid_does_not_keep_the_lock(target):
    """The owner crashed and Windows gave its id to another program, started later."""
    kernel = FakeKernel({os.getpid(): FakeProcess(created=500), 4242: FakeProcess(created=900)})
    lock = EditLock(target, probe=windows_probe(kernel))
    write_lock(lock, pid=4242, started="win:100")
    lock.acquire()
    assert lock.held
    lock.release()


def test_lock_without_a_start_time_is_judged_by_liveness_alone(target):
    """Locks written before start times were recorded: a live id keeps them."""
    kernel = FakeKernel({os.getpid(): FakeProcess(created=500), 4242: FakeProcess(created=900)})
    lock = EditLock(target, probe=windows_probe(kernel))
    write_lock(lock, pid=4242)
    with pytest.raises(SaveRefused, match="being edited"):
        lock.acquire()


def test_lock_of_another_machine_is_never_taken_over(target):
    lock = EditLock(target, probe=windows_probe(FakeKernel({})))
    lock.path.write_text(json.dumps({"host": "SOMEONE-ELSES-PC", "pid": 4242}))
    with pytest.raises(SaveRefused, match="SOMEONE-ELSES-PC"):
        lock.acquire()


def test_filestore_never_calls_os_kill_on_windows(target, monkeypatch):
    """On Windows os.kill(pid, 0) sends CTRL_C_EVENT to a live process in the same console."""
    def no_kill(*args):
        raise AssertionError("os.kill called")

    monkeypatch.setattr(os, "kill", no_kill)
    monkeypatch.setattr(sys, "platform", "win32")
    kernel = FakeKernel({os.getpid(): FakeProcess(created=500)})
    monkeypatch.setattr(liveness, "_kernel", kernel)
    lock = EditLock(target)
    write_lock(lock, pid=4242, started="win:100")
    lock.acquire()
    assert lock.held and json.loads(lock.path.read_text())["started"] == "win:500"
    lock.release()


# -- Linux: /proc, for real and through a fake /proc ---------------------------------------------
def fake_proc(tmp_path, pid: int, state: str, start: int, comm: str = "python3") -> None:
    # proc(5): "pid (comm) state ppid ..." with starttime as field 22
    rest = [state, "1"] + ["0"] * 17 + [str(start), "0"]
    (tmp_path / str(pid)).mkdir(parents=True)
    (tmp_path / str(pid) / "stat").write_text(f"{pid} ({comm}) " + " ".join(rest) + "\n")
    (tmp_path / "self").mkdir(exist_ok=True)
    (tmp_path / "sys/kernel/random").mkdir(parents=True, exist_ok=True)
    (tmp_path / "sys/kernel/random/boot_id").write_text("b00t\n")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc")
def test_linux_start_time_survives_a_hostile_command_name(tmp_path):
    fake_proc(tmp_path, os.getpid(), "S", 777, comm="a) b ) c")
    assert probe_linux(os.getpid(), tmp_path) == ProcessState(True, "linux:b00t:777")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc")
def test_linux_zombie_is_gone(tmp_path):
    fake_proc(tmp_path, os.getpid(), "Z", 777)
    assert probe_linux(os.getpid(), tmp_path).running is False


def test_real_process_start_time_differs_from_ours():
    """The platform's real calls (kernel32 through ctypes on the Windows runner)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        theirs, mine = liveness.probe(child.pid), liveness.probe(os.getpid())
        assert theirs.running and theirs.started and theirs.started != mine.started
        assert liveness.probe(os.getpid()) == mine  # stable for one process
    finally:
        child.kill()
        child.wait()
    assert liveness.probe(child.pid).running is False


def test_real_dead_process_lock_is_taken_over_and_reused_pid_too(target):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    lock = EditLock(target)
    write_lock(lock, pid=child.pid, started="whatever")
    lock.acquire()
    assert lock.held
    lock.release()
    # a live id with another start time: the owner is gone, the id was reused
    write_lock(lock, pid=os.getpid(), started="linux:other-boot:1")
    if liveness.probe(os.getpid()).started is None:
        pytest.skip("this system gives no start time")
    lock.acquire()
    assert lock.held
    lock.release()
