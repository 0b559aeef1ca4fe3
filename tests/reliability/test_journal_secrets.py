"""Planted secrets and the journal: every journaled action that handles a secret (a save of a
file holding a password and a token, a restore, a certificate with a typed passphrase, a typed
host secret encrypted and one stored as typed, push-credentials with the secret token, a restart)
is journaled, and neither the journal nor the app log holds any planted value in any spelling."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

from app import journal
from app.certs.generate import GenerationRequest, generate
from app.certs.regenerate import build_plan
from app.certs.store import UnavailableStore
from app.config.store import ConfigStore
from app.datastore import configure_logging
from app.entra import jobs
from app.entra.graph import GraphClient
from app.hostsecrets.writing import SecretPlan
from app.migrate.connectors import secret_fields
from app.wizard.secret_choice import STORE_AS_TYPED, SecretChoice
from tests.reliability.planted import PASSWORD, TOKEN

PASSPHRASE = "Planted-PFX-Passphrase-93b1"
TYPED = "Typed-Host-Secret-5e77"
ACCESS = "eyJ0eXAi.Planted-Access-Token.d81c"


class _Tokens:
    def access_token(self) -> str:
        return ACCESS


class _AcceptingGraph(GraphClient):
    """Answers writes with 204, as Graph does for start, pause, restart and PUT secrets; GET of the
    secrets gives the documented list of key and value pairs (push-credentials reads it first)."""

    def _send(self, method, target, data, headers, hidden, deadline=None):
        self.sent.append((method, target, data))
        if method == "GET":
            return 200, {"content-type": "application/json"}, b'{"value": [{"key": "SyncAll", "value": "false"}]}'
        return 204, {}, b""


class _Route:
    name = "test route"

    def encrypt(self, value: str) -> str:
        return base64.b64encode(b"\x01\x00" + value.encode("utf-16-le")[::-1]).decode()


def spellings(value: str) -> list[bytes]:
    return [value.encode(), value.encode("utf-16-le"), base64.b64encode(value.encode())[:16],
            value.encode("unicode_escape"), value[: len(value) // 2 + 2].encode()]


def test_the_journal_records_secret_handling_actions_without_a_secret(planted_host, tmp_path, _private_data_dir,
                                                                       caplog):
    configure_logging()
    caplog.set_level(logging.DEBUG, logger="app")
    layout, _cert = planted_host  # its fixture saved a Password and a SecretToken: journaled
    store = ConfigStore(layout.config_path)
    doc = store.load()
    # a typed secret, encrypted through a route, and another stored as typed
    csv = doc.find_connector("CSV")
    before = {f.key: f.value for f in secret_fields(csv.el)}
    csv.parameter("Password").value = TYPED
    SecretChoice(SecretPlan(_Route())).apply(doc, csv, before)
    choice = SecretChoice(SecretPlan(None, "no route here"))
    choice.choice = STORE_AS_TYPED
    csv.parameter("Password").value = TYPED + "-plain"
    choice.apply(doc, csv, before)
    store.save(doc)
    store.restore("1")
    # a certificate whose PFX has a typed passphrase
    generated = generate(GenerationRequest(("host.contoso.com",)).validated())
    plan = build_plan(generated, out_dir=tmp_path / "certs", passphrase=PASSPHRASE, store=UnavailableStore("linux"))
    assert plan.run().ok
    # Graph writes: the secret token pushed, a restart with a scope
    graph = _AcceptingGraph(_Tokens())
    graph.sent = []
    jobs.push_credentials(graph, "sp-1", "https://host.contoso.com:8585/ecma2host_CSV/scim", TOKEN)
    jobs.restart(graph, "sp-1", "job-1", "Escrows,QuarantineState")
    assert TOKEN.encode() in next(d for m, _, d in graph.sent if m == "PUT")  # the token did go to Graph: the body is not empty

    view = journal.read_journal()
    done = {(a.action, a.outcome) for a in view.actions}
    for expected in ("save Configuration.xml", "restore backup", "encrypt host secret",
                     "host secret stored as typed (plain text)", "new certificate",
                     "Write the certificate files", "push credentials", "restart provisioning"):
        assert (expected, "ok") in done, expected
    push = next(a for a in view.actions if a.action == "push credentials")
    assert push.target == "enterprise application sp-1"
    assert sorted(push.details["keys written"]) == ["BaseAddress", "SecretToken", "SyncAll"]  # the whole set
    assert push.details["tenant URL"].endswith("/ecma2host_CSV/scim")
    restart = next(a for a in view.actions if a.action == "restart provisioning")
    assert restart.details["reset scope"] == "Escrows, QuarantineState"
    saves = [a for a in view.actions if a.action == "save Configuration.xml"]
    assert all(a.undo and Path(a.undo).is_file() for a in saves[1:])

    files = journal.default_journal().files() + [Path(_private_data_dir) / "ecma-wizard.log"]
    data = b"".join(f.read_bytes() for f in files if f.exists()) + caplog.text.encode()
    for value in (PASSWORD, TOKEN, PASSPHRASE, TYPED, ACCESS):
        for needle in spellings(value):
            assert needle not in data, f"{value[:10]}… is in the journal or the app log"
