"""A connector that throws, FailFasts, overflows its stack, hangs or prints costs one sentence,
and the worker is back for the next call."""

from __future__ import annotations

import threading
import time

import pytest

from app.bridge import locate
from app.bridge.errors import BridgeError
from app.bridge.session import ConnectorSession


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
    ("failfast", "crashed", "The connector gave up on purpose"),
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


def test_the_worker_is_reused_between_calls(bad):
    pid = bad.process._proc.pid
    for page in ("Capabilities", "Global", "RunStep"):
        bad.ask_page(page)
    assert bad.process._proc.pid == pid and bad.process.starts == 1
