"""Fixtures for the Entra tests: the HTTPS Graph stand-in, trusted through SSL_CERT_FILE, and the
access token in an environment variable."""

from __future__ import annotations

import datetime as dt
import socket

import pytest

from app.certs.generate import GenerationRequest, KeySpec, generate
from tests.entra.graph_standin import ACCESS_TOKEN, GraphStandIn

TOKEN_VAR = "GRAPH_TOKEN_FOR_TESTS"


@pytest.fixture(scope="session")
def graph_cert():
    return generate(GenerationRequest(("localhost",), KeySpec.P256, 30), now=dt.datetime.now(dt.UTC))


@pytest.fixture
def graph(tmp_path, graph_cert, monkeypatch):
    """A running stand-in; its certificate is the private CA named by SSL_CERT_FILE."""
    stand_in = GraphStandIn(tmp_path, graph_cert)
    for var in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):  # straight to the stand-in
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(stand_in.ca_file))
    monkeypatch.setenv(TOKEN_VAR, ACCESS_TOKEN)
    yield stand_in
    stand_in.close()


@pytest.fixture(autouse=True)
def _fresh_provision_limit(monkeypatch):
    """Each test starts with an empty 5-in-10-seconds window (it is shared within a process)."""
    from app.entra import provision

    monkeypatch.setattr(provision, "PROVISION_LIMIT", provision.RateLimit())


@pytest.fixture
def closed_port(monkeypatch) -> int:
    for var in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    s = socket.create_server(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: "no route to Graph"
    return port
