"""A Cancel belongs to the user's operation, not to one call (app/bridge/client.py, begin/cancel).

The misbehaving test connector sleeps forever in GetSchema with Mode=hang: a cancel that is lost
shows as that call running into its timeout ("timed out") instead of ending as "cancelled". The
timeouts here are long enough that a lost cancel cannot pass for a kept one, and nothing waits on
the clock: the order of events is fixed by the test's own thread or by Events.
"""

from __future__ import annotations

import threading

import pytest

from app.bridge import locate
from app.bridge.errors import BridgeError
from app.bridge.session import ConnectorSession


@pytest.fixture
def bad(dlls):
    s = ConnectorSession(locate.user_named(dlls.bad, None), timeout=5, schema_timeout=5)
    s.begin()
    s.ask_page("Connectivity")  # the worker is running and the DLL loaded
    yield s
    s.close()


def _schema_error(session: ConnectorSession) -> BridgeError:
    with pytest.raises(BridgeError) as err:
        session.ask_schema()
    return err.value


def test_a_cancel_between_two_calls_of_one_operation_ends_the_second_before_it_is_sent(bad):
    starts = bad.process.starts
    bad.set_value("Mode", "hang")
    bad.ask_page("Connectivity")  # the operation's first call answers ...
    bad.cancel()  # ... the user cancels ...
    error = _schema_error(bad)  # ... and its second call is not sent to the DLL at all
    assert error.kind == "cancelled", error.sentence()
    assert error.sentence() == "The call GetSchema to the connector Contoso.Misbehaving was cancelled."
    # nothing was running, so nothing was stopped: the same worker answers the next operation
    assert bad.process.running and bad.process.starts == starts
    bad.begin()
    bad.set_value("Mode", "none")
    assert bad.ask_schema()["types"][0]["name"] == "thing"
    assert bad.process.starts == starts


def test_a_cancel_before_the_worker_thread_reaches_the_call_is_kept(bad):
    bad.set_value("Mode", "hang")
    go = threading.Event()
    caught: list[BridgeError] = []

    def work() -> None:  # a Task's thread: it is scheduled, but reaches the bridge only later
        go.wait()
        try:
            bad.ask_schema()
        except BridgeError as exc:
            caught.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    bad.cancel()  # the GUI thread's Cancel, before the worker's call started
    go.set()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert caught and caught[0].kind == "cancelled", caught and caught[0].sentence()


def test_a_running_call_stays_cancelled_when_the_next_operation_begins_at_once(bad):
    bad.set_value("Mode", "hang")
    caught: list[BridgeError] = []

    def work() -> None:
        try:
            bad.ask_page("Global")  # the test DLL hangs in GetConfigParameters(Global) too
        except BridgeError as exc:
            caught.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    # the DLL says "asked for page Global" on stderr just before it sleeps (the client keeps it)
    polled = threading.Event()
    while not any("asked for page Global" in line for line in list(bad.process._stderr)):
        assert thread.is_alive(), caught and caught[0].sentence()
        polled.wait(0.05)
    bad.cancel()
    bad.begin()  # the user's next operation starts before the hung call saw the cancel
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert caught and caught[0].kind == "cancelled", caught and caught[0].sentence()


def test_a_cancel_after_an_operation_ended_does_not_reach_the_next_one(bad):
    bad.cancel()  # pressed just as the Connectivity call answered
    bad.begin()  # the user's next Next
    assert bad.validate_page("Connectivity").ok
    assert bad.ask_schema()["types"][0]["name"] == "thing"


def test_a_call_after_close_starts_no_new_worker(bad):
    # A Task still on its way to the bridge when the wizard closed must not start a worker that
    # nobody will stop.
    starts = bad.process.starts
    bad.close()
    error = _schema_error(bad)
    assert error.kind == "cancelled"
    assert not bad.process.running and bad.process.starts == starts
