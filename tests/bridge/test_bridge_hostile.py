"""A connector that attacks the bridge (tests/bridge/dotnet/Hostile.cs): processes it starts end
with the worker and never hold a call past its timeout, lines it writes on our descriptors cannot
pass as answers, and output without newlines costs bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.bridge import locate
from app.bridge.errors import BridgeError
from app.bridge.session import ConnectorSession

ROOT = Path(__file__).resolve().parents[2]
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="walks /proc and starts /bin/sh")


def _session(dlls, mode: str, timeout: float = 10, **values: str) -> ConnectorSession:
    s = ConnectorSession(locate.user_named(dlls.hostile, None), timeout=timeout, schema_timeout=timeout)
    s.ask_page("Connectivity")
    s.set_value("Mode", mode)
    for name, value in values.items():
        s.set_value(name, value)
    return s


def _ended(pid: int) -> bool:
    """Gone, or a zombie waiting for whoever adopted it: either way it runs no more."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _pid(path: Path) -> int:
    for _ in range(100):
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError("the connector did not start its process")


def _within(seconds: float, what) -> None:
    """Run `what` on a thread: the test fails (instead of hanging the suite) when it overruns."""
    done = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            what()
        except BaseException as exc:
            errors.append(exc)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(seconds), f"still running after {seconds} s"
    if errors:
        raise errors[0]


@posix_only
def test_a_process_the_connector_starts_ends_with_the_worker(dlls, tmp_path):
    pid_file = tmp_path / "pid"
    s = _session(dlls, "spawn", PidFile=str(pid_file))
    try:
        assert [d.name for d in s.ask_page("Global").parameters] == ["Server"]
        child = _pid(pid_file)
        assert not _ended(child)  # `sleep 600`, holding the worker's inherited stdout and stderr
    finally:
        _within(10, s.close)  # once hung here until the child ended (10 minutes)
    for _ in range(100):
        if _ended(child):
            break
        time.sleep(0.05)
    assert _ended(child)


@posix_only
def test_a_hang_after_starting_a_process_times_out_and_ends_both(dlls, tmp_path):
    pid_file = tmp_path / "pid"
    s = _session(dlls, "spawnhang", timeout=2, PidFile=str(pid_file))
    try:
        started = time.monotonic()
        with pytest.raises(BridgeError) as err:
            _within(20, lambda: s.ask_page("Global"))
        assert err.value.kind == "timed out" and time.monotonic() - started < 8
        assert _ended(_pid(pid_file))
        s.set_value("Mode", "none")
        assert [d.name for d in s.ask_page("Global").parameters] == ["Server"]  # a fresh worker
    finally:
        s.close()


@posix_only
def test_connector_inspect_ends_on_time_with_a_process_started(host, dlls, tmp_path):
    """The CLI as a user runs it: inspect asks Global and GetSchema, each starting a process."""
    import shutil

    shutil.copy(dlls.hostile, host / "Service" / "ECMA")
    pid_file = tmp_path / "pid"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "app", "connector", "inspect", "--host-dir", str(host),
         str(host / "Service" / "ECMA" / "Contoso.Hostile.dll"), "--set", "Mode=spawn",
         "--set", f"PidFile={pid_file}", "--timeout", "5"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 60
    assert _ended(_pid(pid_file))


@posix_only
def test_answers_written_by_the_connector_on_our_descriptors_are_not_taken(dlls):
    # The connector writes {"id": n, "ok": true, "result": [FORGED]} for n = 1..200 on every
    # pipe in /proc/self/fd, the answer channel included.
    s = _session(dlls, "forge")
    try:
        for _ in range(3):  # the forged ids cover this call and the next ones
            assert [d.name for d in s.ask_page("Global").parameters] == ["Server"]
        assert s.process.unsealed >= 200
        assert s.ask_schema()["types"][0]["name"] == "thing"
    finally:
        s.close()


@posix_only
def test_a_half_line_in_front_of_our_answer_does_not_hide_it(dlls):
    s = _session(dlls, "glue")
    try:
        assert [d.name for d in s.ask_page("Global").parameters] == ["Server"]
        assert [d.name for d in s.ask_page("Global").parameters] == ["Server"]
    finally:
        s.close()


FLOOD_PROBE = """
import resource, sys, time
from app.bridge import locate
from app.bridge.session import ConnectorSession
s = ConnectorSession(locate.user_named(sys.argv[1], None), timeout=300)
s.ask_page("Connectivity")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
s.set_value("Mode", "flood"); s.set_value("FloodMB", sys.argv[2])
names = [d.name for d in s.ask_page("Global").parameters]
lines = s.process._stderr
s.close()
time.sleep(1)  # the output reader takes the unfinished line at EOF
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(names, len(lines), max(len(x) for x in lines), (after - before) // 1024)
"""


@posix_only
def test_output_without_newlines_costs_bounded_memory(dlls, tmp_path):
    """150 MB without a newline on Console and on every pipe (the answer channel too): our peak
    memory grows by at most a few tens of MB (it grew by the whole flood, twice, before)."""
    done = subprocess.run([sys.executable, "-c", FLOOD_PROBE, str(dlls.hostile), "150"],
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr[-2000:]
    names, kept, longest, grown_mb = done.stdout.strip().rsplit(" ", 3)
    assert names == "['Server']"
    assert int(kept) <= 500 and int(longest) <= 2001
    assert int(grown_mb) < 100, f"peak memory grew by {grown_mb} MB"


def test_a_null_in_the_list_of_parameters_is_one_sentence_naming_the_connector_and_page(dlls):
    s = _session(dlls, "nulldef")
    try:
        with pytest.raises(BridgeError) as err:
            s.ask_page("Global")
        assert err.value.sentence() == (
            "The connector Contoso.Hostile failed in GetConfigParameters(Global): its list of parameter "
            "definitions has an empty (null) entry at position 2 of 2 [NullEntry].")
        s.set_value("Mode", "none")
        assert [d.name for d in s.ask_page("Global").parameters] == ["Server"]  # the same worker goes on
    finally:
        s.close()


def test_a_relative_host_dir_and_dll_load(host, tmp_path):
    """The worker runs in its own folder: relative paths once failed there as "Invalid Image"."""
    assert host.parent == tmp_path
    done = subprocess.run(
        [sys.executable, "-m", "app", "connector", "inspect", "--host-dir", "host",
         "host/Service/ECMA/Contoso.SqlLike.dll"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert "Invalid Image" not in done.stderr
    assert done.returncode == 0, done.stderr
    assert "Connectivity:" in done.stdout
