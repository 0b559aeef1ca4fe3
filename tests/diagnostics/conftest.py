"""Fixtures for the diagnostics tests: certificates and the loopback SCIM responder."""

from __future__ import annotations

import datetime as dt

import pytest
from diag_scim_responder import ScimResponder, make_cert


@pytest.fixture(scope="session")
def good_cert():
    return make_cert(dt.datetime.now(dt.UTC), 730)


@pytest.fixture(scope="session")
def other_cert():
    return make_cert(dt.datetime.now(dt.UTC), 730)


@pytest.fixture(scope="session")
def expired_cert():
    return make_cert(dt.datetime.now(dt.UTC) - dt.timedelta(days=400), 30)


@pytest.fixture
def scim(tmp_path, good_cert, other_cert, expired_cert):
    """scim(mode) -> a running ScimResponder; all are stopped after the test."""
    started: list[ScimResponder] = []
    certs = {"good": good_cert, "other": other_cert, "expired": expired_cert}

    def start(mode: str = "ok") -> ScimResponder:
        responder = ScimResponder(tmp_path, certs, mode)
        started.append(responder)
        return responder

    yield start
    for r in started:
        r.close()
