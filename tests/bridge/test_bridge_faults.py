"""A connector that throws, FailFasts, overflows its stack, hangs or prints costs one sentence,
and the worker is back for the next call."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from app.bridge import locate
from app.bridge.errors import BridgeError
from app.bridge.session import ConnectorSession
from app.errors import UserError


@pytest.fixture
def bad(dlls):
    s = ConnectorSession(locate.user_named(dlls.bad, None), timeout=5, schema_timeout=5)
    s.ask_page("Connectivity")
    yield s
    s.close()


def _fail(session: ConnectorSession, mode: str) -> BridgeError:
    session.set_value("Mode", mode)
    with pytest.raises(BridgeError) as err:
        session.ask_schema()
    return err.value


def _one_sentence(error: BridgeError) -> str:
    text = error.sentence()
    assert "Contoso.Misbehaving" in text and "GetSchema" in text
    assert "\n" not in text and "Traceback" not in text and "   at " not in text
    return text


def _usable_again(session: ConnectorSession) -> None:
    session.set_value("Mode", "none")
    assert session.ask_schema()["types"][0]["name"] == "thing"


def test_console_output_stays_off_the_protocol(bad):
    # the connector prints a line shaped like an answer on every GetConfigParameters call
    answer = bad.ask_page("Connectivity")
    assert [d.name for d in answer.parameters] == ["Mode", "Token"]
    assert bad.validate_page("Connectivity").ok
    assert any("not from the bridge" in line for line in bad.process._stderr)


@pytest.mark.parametrize("mode, kind, words", [
    ("throw", "failed", "The directory at bad.contoso.com refused the connection"),
    ("inner", "failed", "The server did not answer within 30 seconds"),
    # Mono prints FailFast's message; the .NET Framework only leaves its exit code
    ("failfast", "crashed", "FailFast" if sys.platform == "win32" else "The connector gave up on purpose"),
    ("stackoverflow", "crashed", "stack overflow"),
])
def test_failures_are_one_sentence_and_the_worker_comes_back(bad, mode, kind, words):
    starts = bad.process.starts
    error = _fail(bad, mode)
    assert error.kind == kind
    assert words.lower() in _one_sentence(error).lower()
    _usable_again(bad)
    assert bad.process.starts == starts + (kind == "crashed")


def test_a_hang_times_out_and_says_so(dlls):
    s = ConnectorSession(locate.user_named(dlls.bad, None), timeout=2, schema_timeout=2)
    try:
        s.ask_page("Connectivity")
        error = _fail(s, "hang")
        assert error.kind == "timed out" and "timed out" in _one_sentence(error)
        assert "2 seconds" in error.sentence()
        _usable_again(s)
    finally:
        s.close()


def test_cancel_from_another_thread(bad):
    bad.set_value("Mode", "hang")
    caught: list[BridgeError] = []

    def run() -> None:
        try:
            bad.ask_schema()
        except BridgeError as exc:
            caught.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.5)
    bad.cancel()
    worker.join(timeout=4)
    assert not worker.is_alive()
    assert caught and caught[0].kind == "cancelled" and "cancelled" in caught[0].sentence()
    bad.begin()  # the cancel holds until the caller starts its next operation
    _usable_again(bad)


def test_a_global_page_that_throws(bad):
    bad.set_value("Mode", "throw")
    with pytest.raises(BridgeError, match=r"GetConfigParameters\(Global\)"):
        bad.ask_page("Global")


def test_a_secret_the_connector_echoes_is_masked(bad):
    bad.set_secret("Token", "tok-7f3a9c")
    error = _fail(bad, "echo")
    assert "tok-7f3a9c" not in error.sentence() and "tok-7f3a9c" not in str(error)
    assert "Login refused for token ••••••••" in error.sentence()
    # the connector received it as a SecureString: it could read SecureValue
    assert error.dotnet_type == "System.UnauthorizedAccessException"


def test_a_dll_that_ignores_the_schema_page_number_gets_one_page(bad):
    pages = bad.ask_schema_pages()
    assert [(p.number, [d.name for d in p.parameters]) for p in pages] == [(1, ["Object Class"])]


def test_the_worker_is_reused_between_calls(bad):
    pid = bad.process._proc.pid
    for page in ("Capabilities", "Global", "RunStep"):
        bad.ask_page(page)
    assert bad.process._proc.pid == pid and bad.process.starts == 1


@pytest.mark.skipif(sys.platform == "win32", reason="simulates a machine without Mono")
def test_no_dotnet_runtime_is_one_sentence(dlls, monkeypatch):
    # clr_loader reads this variable: a libmono that does not exist is a machine without Mono
    monkeypatch.setenv("PYTHONNET_MONO_LIBMONO", "/nonexistent/libmonosgen-2.0.so")
    s = ConnectorSession(locate.user_named(dlls.sql, None))
    try:
        with pytest.raises(BridgeError) as err:
            s.ask_page("Connectivity")
        assert err.value.kind == "unavailable"
        text = err.value.sentence()
        assert "Contoso.SqlLike.dll could not be loaded" in text and "no .NET runtime" in text
        assert "\n" not in text
    finally:
        s.close()


def test_self_test_check_reports_the_runtime(dlls):
    from app.bridge.selfcheck import check_bridge

    assert check_bridge().startswith("bridge: the worker starts and loads .NET")


def test_the_frozen_entry_point_runs_a_worker(dlls, monkeypatch):
    """The PyInstaller executable starts workers as itself with --bridge-worker."""
    from pathlib import Path

    from app.bridge import client

    entry = Path(__file__).resolve().parents[2] / "installer" / "ecma_wizard_entry.py"
    monkeypatch.setattr(client, "worker_command", lambda: [sys.executable, str(entry), "--bridge-worker"])
    s = ConnectorSession(locate.user_named(dlls.sql, None))
    try:
        assert [d.name for d in s.ask_page("Connectivity").parameters][0] == "Server"
    finally:
        s.close()


@pytest.mark.parametrize("what", ["not an assembly", "no connector class"])
def test_a_dll_that_is_no_connector_is_one_sentence(dlls, tmp_path, what):
    import shutil

    dll = tmp_path / "Contoso.Nothing.dll"
    if what == "not an assembly":
        dll.write_bytes(b"MZ" + b"\0" * 200)
    else:  # a helper that names the interface DLL: only loading it tells it has no connector class
        shutil.copy(dlls.dependencies[1], dll)
    shutil.copy(dlls.interface, tmp_path)
    s = ConnectorSession(locate.user_named(dll, None))
    try:
        with pytest.raises(BridgeError) as err:
            s.ask_page("Connectivity")
        assert err.value.kind == "unavailable"
        text = err.value.sentence()
        assert text.startswith("The connector DLL Contoso.Nothing.dll could not be loaded:") and "\n" not in text
        if what == "no connector class":
            assert ("is a dependency, not a connector: no public class in it implements the ECMA2 "
                    "configuration interfaces [NoConnectorClass]") in text
    finally:
        s.close()


def test_a_dll_naming_nothing_of_the_interface_is_refused_before_it_is_loaded(dlls, tmp_path):
    import shutil

    dll = tmp_path / "Contoso.PsHelper.dll"  # references no ECMA2 type at all: a dependency
    shutil.copy(dlls.ps_helper, dll)
    shutil.copy(dlls.interface, tmp_path)
    with pytest.raises(UserError) as err:
        locate.user_named(dll, None)
    assert err.value.sentence().endswith("Contoso.PsHelper.dll: is a dependency, not a connector: no class "
                                         "in it implements the ECMA2 interfaces")


def test_a_worker_ends_when_its_parent_goes_even_during_a_hang(dlls):
    """A GUI that dies never leaves a hung connector behind: the closed pipe ends the worker."""
    import json

    s = ConnectorSession(locate.user_named(dlls.bad, None))
    try:
        s.ask_page("Connectivity")
        proc = s.process._proc
        request = {"id": 99, "op": "schema", "args": {"values": [{"name": "Mode", "value": "hang"}]}}
        proc.stdin.write(json.dumps(request).encode() + b"\n")
        time.sleep(0.3)
        assert proc.poll() is None  # hanging in the connector
        proc.stdin.close()
        # POSIX: the worker ends its own process group (itself included) with SIGKILL
        assert proc.wait(timeout=10) == (0 if sys.platform == "win32" else -9)
    finally:
        s.close()
