"""The wizard's decision for typed secrets, headless: encrypted through a proven route, else left
for the host (default) or stored as typed by choice; never plain when a route fails at Finish."""

from __future__ import annotations

from app.config.document import ConfigDocument
from app.config.secretvalues import read_secret
from app.hostsecrets.dpapi import UnavailableDpapi
from app.wizard.flow import ConnectorFlow
from app.wizard.page_keys import CONNECTIVITY, PROPERTIES
from app.wizard.secret_choice import STORE_AS_TYPED
from app.wizard.session import WizardSession
from tests.hostsecrets.fake_dpapi import FakeDpapi
from tests.hostsecrets.helpers import document, host_blob, spec

TYPED = "typed-secret-0123456789"
OFF = UnavailableDpapi("DPAPI exists only on Windows.")


def _saved(session: WizardSession) -> tuple[ConfigDocument, list]:
    pending = session.prepare_finish()
    return ConfigDocument.from_bytes(pending.data, "saved.xml"), pending.secrets


def test_left_for_the_host_by_default_with_a_finding_on_its_page():
    s = WizardSession(document(spec("HR", "", password="")), "HR", dpapi=OFF)
    s.set_token(TYPED)
    s.set_parameter(s.connector.parameter("Password"), TYPED + "-pw")
    flow = ConnectorFlow(s)
    assert [f.code for f in flow.findings(PROPERTIES) if f.code.startswith("secret-")] == ["secret-for-host"]
    assert [f.field for f in flow.findings(CONNECTIVITY) if f.code == "secret-for-host"] == ["Password"]
    saved, done = _saved(s)
    c = saved.find_connector("HR")
    assert c.secret_token == "" and c.parameter("Password").value == ""
    assert [f.code for f in done] == ["secret-for-host", "secret-for-host"]
    assert "not saved here but left" in s.secrets.sentence()


def test_stored_as_typed_only_by_choice():
    s = WizardSession(document(spec("HR", "")), "HR", dpapi=OFF)
    s.secrets.choice = STORE_AS_TYPED
    s.set_token(TYPED)
    saved, done = _saved(s)
    assert saved.find_connector("HR").secret_token == TYPED and [f.code for f in done] == ["secret-plain"]


def test_encrypted_through_the_learnt_route_and_the_diff_masks_it():
    doc = document(spec("HR", ""), spec("Other", host_blob("other-token-1234")))
    s = WizardSession(doc, "HR", dpapi=FakeDpapi("HOST-A"))
    s.set_token(TYPED)
    pending = s.prepare_finish()
    token = ConfigDocument.from_bytes(pending.data, "x").find_connector("HR").secret_token
    assert FakeDpapi("HOST-A").unprotect(read_secret(token).payload) == TYPED.encode("utf-16-le")
    assert token not in "\n".join(pending.text_diff) and TYPED not in "\n".join(pending.text_diff)
    assert [f.code for f in pending.secrets] == ["secret-encrypted"]


def test_a_route_failing_at_finish_leaves_the_secret_instead_of_writing_it_plain():
    doc = document(spec("HR", ""), spec("Other", host_blob("other-token-1234")))
    s = WizardSession(doc, "HR", dpapi=FakeDpapi("HOST-A"))
    s.secrets.plan.route.dpapi = FakeDpapi("HOST-A", refuse=True)
    s.set_token(TYPED)
    saved, done = _saved(s)
    assert saved.find_connector("HR").secret_token == "" and [f.code for f in done] == ["secret-for-host"]


def test_an_unchanged_encrypted_value_is_not_a_typed_secret():
    blob = host_blob("existing-1234567")
    s = WizardSession(document(spec("HR", blob)), "HR", dpapi=OFF)
    s.set_timer(200)
    saved, done = _saved(s)
    assert saved.find_connector("HR").secret_token == blob and done == []
