"""Everything a worker starts ends with it: a process group on POSIX, a Job Object on Windows.

A connector DLL may start processes of its own (a helper tool, a shell). Killing only the worker
would leave them running, holding the worker's inherited pipes open. So:
- POSIX: the worker starts in its own session (`start_new_session`, which calls setsid()), so its
  process group id is its pid; ending it sends SIGKILL to the whole group. A process that calls
  setsid() itself leaves the group (a deliberate daemon); nothing short of a cgroup follows it.
- Windows: the worker is assigned to a Job Object created with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
  (Microsoft's "Job Objects" and "JOBOBJECT_BASIC_LIMIT_INFORMATION" documentation): every process
  it starts joins the job, and TerminateJobObject (or our process ending, which closes the handle)
  ends them all. The worker runs no connector code before its first request, so assigning it
  right after it starts is in time.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from typing import Any

JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9  # JobObjectExtendedLimitInformation


class _BasicLimits(ctypes.Structure):
    _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                ("LimitFlags", ctypes.c_uint32), ("MinimumWorkingSetSize", ctypes.c_size_t),
                ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", ctypes.c_uint32),
                ("Affinity", ctypes.c_size_t), ("PriorityClass", ctypes.c_uint32),
                ("SchedulingClass", ctypes.c_uint32)]


class _IoCounters(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in (
        "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
        "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]


class ExtendedLimits(ctypes.Structure):
    """JOBOBJECT_EXTENDED_LIMIT_INFORMATION."""

    _fields_ = [("BasicLimitInformation", _BasicLimits), ("IoInfo", _IoCounters),
                ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]


def _kernel32() -> Any:
    """kernel32's job functions with their real signatures (ctypes' default int would cut a
    64-bit HANDLE)."""
    k = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle, dword, boolean = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int
    k.CreateJobObjectW.restype = handle
    k.CreateJobObjectW.argtypes = [ctypes.c_void_p, ctypes.c_wchar_p]
    k.SetInformationJobObject.restype = boolean
    k.SetInformationJobObject.argtypes = [handle, ctypes.c_int, ctypes.c_void_p, dword]
    k.AssignProcessToJobObject.restype = boolean
    k.AssignProcessToJobObject.argtypes = [handle, handle]
    k.TerminateJobObject.restype = boolean
    k.TerminateJobObject.argtypes = [handle, ctypes.c_uint]
    k.CloseHandle.restype = boolean
    k.CloseHandle.argtypes = [handle]
    return k


def popen_options() -> dict[str, Any]:
    """Extra subprocess.Popen arguments for a worker."""
    if sys.platform == "win32":
        return {"creationflags": getattr(subprocess, "CREATE_NO_WINDOW", 0)}
    return {"start_new_session": True}


class WindowsJob:
    """A Job Object holding one worker and all it starts. `kernel32` is _kernel32(); tests pass a
    stand-in that records the calls."""

    def __init__(self, kernel32: Any) -> None:
        self.k = kernel32
        self.handle: Any = None

    def attach(self, process_handle: int) -> bool:
        """False when Windows refuses (the worker is then ended alone, as before)."""
        handle = self.k.CreateJobObjectW(None, None)
        if not handle:
            return False
        limits = ExtendedLimits()
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        ok = self.k.SetInformationJobObject(handle, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS,
                                            ctypes.byref(limits), ctypes.sizeof(limits))
        if ok and self.k.AssignProcessToJobObject(handle, process_handle):
            self.handle = handle
            return True
        self.k.CloseHandle(handle)
        return False

    def end(self) -> None:
        handle, self.handle = self.handle, None
        if handle:
            self.k.TerminateJobObject(handle, 1)
            self.k.CloseHandle(handle)


class ProcessTree:
    """One worker and whatever it started."""

    def __init__(self, proc: subprocess.Popen[bytes], kernel32: Any = None) -> None:
        self.proc = proc
        self.job: WindowsJob | None = None
        if sys.platform == "win32" or kernel32 is not None:
            self.job = WindowsJob(kernel32 if kernel32 is not None else _kernel32())
            if not self.job.attach(int(getattr(proc, "_handle", 0))):
                self.job = None

    def end(self) -> None:
        """Kill the worker and everything it started; safe to call more than once."""
        if self.job is not None:
            self.job.end()
        elif sys.platform != "win32":
            try:
                # The group outlives the worker while anything it started lives, so its id
                # cannot have been reused; an empty group is ESRCH.
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except OSError:
                pass
