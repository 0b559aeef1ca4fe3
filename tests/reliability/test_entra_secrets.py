"""Planted secrets on the Entra side: the Graph access token, MSAL's refresh token and the
connector's secret token are used for real (the stand-in only answers the planted access token;
push-credentials sends the planted secret token), then every output is searched for them: stdout,
stderr, the app log, the crash log, our settings file, every other file in the data folder, log
records, and every subprocess's argv. The keyring is the one place the sign-in may live."""

from __future__ import annotations

import base64
import logging
import shutil
from pathlib import Path

from app.config.store import ConfigStore
from app.host.layout import from_host_dir
from tests.entra import conftest as entra_fixtures
from tests.entra.conftest import TOKEN_VAR
from tests.entra.fake_msal import REFRESH_TOKEN, FakeMsal
from tests.entra.graph_standin import ACCESS_TOKEN
from tests.reliability.test_secrets_end_to_end import run

# the Entra tests' fixtures: the HTTPS Graph stand-in and a closed port
graph, graph_cert, closed_port = entra_fixtures.graph, entra_fixtures.graph_cert, entra_fixtures.closed_port
SECRET_TOKEN = "Planted-SCIM-Secret-Token-7c41e9"
PLANTED = [ACCESS_TOKEN, REFRESH_TOKEN[:60], SECRET_TOKEN]


def leaks(data: bytes) -> list[str]:
    found = []
    for value in PLANTED:
        for needle in (value.encode(), value.encode("utf-16-le"), base64.b64encode(value.encode())[:40]):
            if needle in data:
                found.append(value[:12])
    return found


def test_entra_session_leaks_no_token(graph, tmp_path, sample_host, capsys, monkeypatch, argv_log,
                                      caplog, _private_data_dir, memory_keyring, closed_port):
    caplog.set_level(logging.DEBUG, logger="app")
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    layout = from_host_dir(root)
    store = ConfigStore(layout.config_path)
    doc = store.load()
    doc.find_connector("CSV").secret_token = SECRET_TOKEN  # readable here: push-credentials takes it
    store.save(doc)
    monkeypatch.setattr("app.entra.signin._default_msal", lambda: FakeMsal())
    monkeypatch.delenv(TOKEN_VAR)  # the sign-in is the only source of the access token
    where = ["--host-dir", root, "--graph-url", graph.url]
    import app.cli.entra as commands
    from app.entra.graph import RetryPolicy

    real_client_for = commands.client_for

    def no_waiting(args, settings):  # the 5xx retries are counted, not waited for
        client = real_client_for(args, settings)
        client.retry = RetryPolicy(sleep=lambda seconds: None)
        return client

    monkeypatch.setattr(commands, "client_for", no_waiting)
    printed = []

    code, text = run(capsys, "entra", "sign-in", "--tenant", "contoso.onmicrosoft.com",
                     "--client-id", "aaaaaaaa-0000-4000-8000-000000000001", "--graph-url", graph.url)
    assert code == 0, text
    printed.append(text)
    for argv in (["entra", "link", "CSV", *where],
                 ["entra", "status", *where], ["entra", "status", "--json", *where],
                 ["entra", "push-credentials", "CSV", "--host", "ecmahost.contoso.com", *where],
                 ["entra", "provision", "CSV", "--user", "9bb0f679-a883-4a6f-8260-35b491b8b8c8", *where],
                 ["entra", "restart", "CSV", "--scope", "QuarantineState", *where],
                 ["entra", "validate", "CSV", *where]):
        code, text = run(capsys, *argv)
        assert code == 0, (argv, text)
        printed.append(text)
    for sp in ("sp-401", "sp-403", "sp-404", "sp-malformed", "sp-5xx"):
        code, text = run(capsys, "entra", "status", "--service-principal", sp, *where)
        assert code == 2, (sp, text)
        printed.append(text)
    code, text = run(capsys, "entra", "status", "--host-dir", root, "--graph-url", f"https://localhost:{closed_port}")
    assert code == 2 and "cannot be reached" in text
    printed.append(text)

    # the tokens really were used
    assert all(auth == f"Bearer {ACCESS_TOKEN}" for _, _, _, auth in graph.requests)
    (_, _, body, _), = graph.calls("PUT")
    assert {"key": "SecretToken", "value": SECRET_TOKEN} in body["value"]

    # an internal error while the tokens are in memory: the crash log has the trace, not values
    def boom(args):
        raise RuntimeError("failed while reading the job") from ValueError(len(ACCESS_TOKEN))

    monkeypatch.setattr(commands, "cmd_status", boom)
    code, text = run(capsys, "entra", "status", *where)
    assert code == 3 and "internal error" in text
    printed.append(text)

    for text in printed:
        assert not leaks(text.encode()), text
    for record in caplog.records:
        assert not leaks(record.getMessage().encode()), record.getMessage()
    files = [p for p in Path(_private_data_dir).rglob("*") if p.is_file()]
    assert any(p.name == "entra.json" for p in files) and any(p.name == "crash.log" for p in files)
    for path in files:
        if not path.name.endswith("Configuration.xml.bak"):  # backups of the user's own file
            assert not leaks(path.read_bytes()), path
    for argv in argv_log:
        assert not leaks(" ".join(argv).encode()), argv
    kept = "".join(memory_keyring.store.values())
    assert REFRESH_TOKEN in kept  # the keyring is where the sign-in lives
    code, text = run(capsys, "entra", "sign-out")
    assert code == 0 and not any(REFRESH_TOKEN[:60] in v for v in memory_keyring.store.values())
