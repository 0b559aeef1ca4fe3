"""The bridge's wire format, its bounded readers, the Windows Job Object calls (through a stand-in
kernel32) and the sweep of stale working folders: no .NET needed."""

from __future__ import annotations

import collections
import ctypes
import os
import subprocess
import sys
import threading
from pathlib import Path

from app.bridge import protocol
from app.bridge.client import ConnectorProcess, sweep_stale_workdirs
from app.bridge.containment import JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, ExtendedLimits, ProcessTree


def test_a_sealed_answer_opens_only_with_its_key():
    key, other = protocol.new_key(), protocol.new_key()
    frame = protocol.seal(key, {"id": 3, "ok": True, "result": ["Server"]})
    assert frame.endswith(b"\n") and b"\n" not in frame[:-1]
    assert protocol.unseal(key, frame[:-1]) == {"id": 3, "ok": True, "result": ["Server"]}
    assert protocol.unseal(other, frame[:-1]) is None
    # what a connector can write without the key: plain answers, or our frame with its own body
    assert protocol.unseal(key, b'{"id": 3, "ok": true, "result": []}') is None
    mac = frame[1:65]
    assert protocol.unseal(key, b"\x1e" + mac + b' {"id": 4, "ok": true, "result": []}') is None
    # junk glued in front (a half line without a newline) does not hide the real frame
    assert protocol.unseal(key, b'{"id": 9, "half\x1e' + frame[:-1])["id"] == 3


def test_an_answer_above_the_bound_becomes_one_sentence():
    key = protocol.new_key()
    huge = {"id": 1, "ok": True, "result": "x" * (protocol.MAX_ANSWER_BYTES + 10)}
    answer = protocol.unseal(key, protocol.seal(key, huge)[:-1])
    assert answer["ok"] is False and answer["error"]["type"] == "AnswerTooLarge"
    assert "16 MB the bridge accepts" in answer["error"]["message"]


def _feed(data: bytes, limit: int) -> list[tuple[bytes, bool]]:
    read, write = os.pipe()
    got: list[tuple[bytes, bool]] = []
    reader = threading.Thread(target=protocol.read_lines, args=(read, limit, lambda line, cut: got.append((line, cut))))
    reader.start()
    with os.fdopen(write, "wb") as w:
        w.write(data)
    reader.join(10)
    assert not reader.is_alive()
    return got


def test_lines_are_bounded_and_keep_their_tail():
    got = _feed(b"short\n" + b"x" * 500_000 + b"END\n" + b"y" * 300_000, limit=1000)
    assert got[0] == (b"short", False)
    assert got[1][1] is True and len(got[1][0]) == 1000 and got[1][0].endswith(b"END")
    assert got[2][1] is True and len(got[2][0]) == 1000  # unfinished at EOF: its tail, marked cut


def test_the_output_keeps_the_last_lines_and_the_last_words():
    read, write = os.pipe()
    lines = protocol.output_lines()
    notable_q: collections.deque[str] = collections.deque(maxlen=20)
    reader = threading.Thread(target=protocol.read_output,
                              args=(read, lines, notable_q, lambda t: "Stack overflow" in t))
    reader.start()
    with os.fdopen(write, "wb") as w:
        w.write(b"Stack overflow in unmanaged code\n" + b"  at Recurse\n" * 5000 + b"z" * 10**6)
    reader.join(10)
    notable = list(notable_q)
    assert len(lines) == protocol.MAX_OUTPUT_LINES
    assert max(len(line) for line in lines) <= protocol.MAX_OUTPUT_LINE + 1
    assert lines[-1].startswith("…z")
    assert notable == ["Stack overflow in unmanaged code"]


class FakeKernel32:
    """Stands in for kernel32's job functions as Microsoft documents them: CreateJobObjectW returns
    a handle (0 on failure), the Set/Assign/Terminate/CloseHandle calls return nonzero on success."""

    def __init__(self, assign_ok: bool = True) -> None:
        self.calls: list[tuple] = []
        self.assign_ok = assign_ok

    def CreateJobObjectW(self, attributes, name):
        self.calls.append(("CreateJobObjectW", attributes, name))
        return 0x44

    def SetInformationJobObject(self, handle, info_class, info, size):
        limits = ctypes.cast(info, ctypes.POINTER(ExtendedLimits)).contents
        self.calls.append(("SetInformationJobObject", handle, info_class,
                           limits.BasicLimitInformation.LimitFlags, size))
        return 1

    def AssignProcessToJobObject(self, handle, process):
        self.calls.append(("AssignProcessToJobObject", handle, process))
        return 1 if self.assign_ok else 0

    def TerminateJobObject(self, handle, code):
        self.calls.append(("TerminateJobObject", handle, code))
        return 1

    def CloseHandle(self, handle):
        self.calls.append(("CloseHandle", handle))
        return 1


def _child() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_windows_worker_goes_into_a_job_that_kills_everything_on_close():
    k = FakeKernel32()
    proc = _child()
    proc._handle = 0x1234  # type: ignore[attr-defined]  # Popen's process handle on Windows
    try:
        tree = ProcessTree(proc, kernel32=k)
        expected_size = 144 if ctypes.sizeof(ctypes.c_void_p) == 8 else 112  # Microsoft's struct, x64 / x86
        assert k.calls == [("CreateJobObjectW", None, None),
                           ("SetInformationJobObject", 0x44, 9, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, expected_size),
                           ("AssignProcessToJobObject", 0x44, 0x1234)]
        tree.end()
        assert k.calls[-2:] == [("TerminateJobObject", 0x44, 1), ("CloseHandle", 0x44)]
        assert proc.wait(5) is not None  # and the worker itself, whatever the job did
        tree.end()
        assert len(k.calls) == 5  # ending twice does not touch a closed handle
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_a_refused_job_closes_its_handle_and_the_worker_still_ends():
    k = FakeKernel32(assign_ok=False)
    proc = _child()
    try:
        tree = ProcessTree(proc, kernel32=k)
        assert tree.job is None and k.calls[-1] == ("CloseHandle", 0x44)
        tree.end()
        assert proc.wait(5) is not None
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_stale_working_folders_are_swept_only_when_ours_and_their_owner_is_gone(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = tmp_path / f"ecma-bridge-{gone.pid}-abc123"
    alive = tmp_path / f"ecma-bridge-{os.getppid()}-def456"
    mine = tmp_path / f"ecma-bridge-{os.getpid()}-ghi789"
    old_style = tmp_path / "ecma-bridge-k2j3h4"  # before owner pids: whose, nobody can tell
    stranger = tmp_path / f"someone-{gone.pid}-abc"
    for folder in (stale, alive, mine, old_style, stranger):
        folder.mkdir()
    (stale / "mono_crash.1.json").write_text("{}")
    assert sweep_stale_workdirs(str(tmp_path)) == [str(stale)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (alive, mine, old_style, stranger))


def test_dll_paths_reach_the_worker_absolute(tmp_path, monkeypatch):
    """The worker runs in its own folder: a relative path there names nothing ("Invalid Image")."""
    monkeypatch.chdir(tmp_path)
    p = ConnectorProcess(Path("host/Service/ECMA/Contoso.SqlLike.dll"), Path("host/Service/x.dll"))
    assert p.dll == tmp_path / "host/Service/ECMA/Contoso.SqlLike.dll" and p.dll.is_absolute()
    assert p.interface_dll == tmp_path / "host/Service/x.dll"
    assert p.name == "Contoso.SqlLike"
