"""Certificates made on the fly for the certificate tests (P-256 takes a few ms, RSA 2048 ~50 ms)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.certs.generate import GenerationRequest, KeySpec, generate

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
HOST_NAMES = ("ecmahost", "ecmahost.contoso.local", "localhost")


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def make_cert():
    """make_cert(names=..., days=730, now=NOW, key=KeySpec.P256) -> GeneratedCertificate."""

    def make(names=HOST_NAMES, *, days=730, now=NOW, key=KeySpec.P256):
        return generate(GenerationRequest(tuple(names), key, days), now=now)

    return make


@pytest.fixture(scope="session")
def rsa_cert():
    return generate(GenerationRequest(HOST_NAMES, KeySpec.RSA2048, 730), now=NOW)
