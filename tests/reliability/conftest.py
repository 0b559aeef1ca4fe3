"""Shared by the planted-secrets tests: a host whose CSV connector has a readable token and
password, and a record of every subprocess command line the app starts."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from app.config.store import ConfigStore
from app.host.layout import from_host_dir
from tests.reliability.planted import PASSWORD, TOKEN, make_cert


@pytest.fixture
def planted_host(tmp_path, sample_host):
    """A copy of the sample host whose CSV connector has a readable token and password."""
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    layout = from_host_dir(root)
    store = ConfigStore(layout.config_path)
    doc = store.load()
    cert = make_cert(dt.datetime.now(dt.UTC), 730)
    doc.setting.certificate = cert.thumbprint
    csv = doc.find_connector("CSV")
    csv.secret_token = TOKEN
    csv.parameter("Password").value = PASSWORD
    store.save(doc)
    return layout, cert


@pytest.fixture
def argv_log(monkeypatch):
    """Every subprocess the app starts, with its argv."""
    seen: list[list[str]] = []
    real_init = subprocess.Popen.__init__

    def recording(self, args, *a, **kw):
        seen.append([str(x) for x in (args if isinstance(args, list | tuple) else [args])])
        return real_init(self, args, *a, **kw)

    monkeypatch.setattr(subprocess.Popen, "__init__", recording)
    return seen
