"""Route 1: learn the host's format from an existing value, write a new one, prove it; and every
way it is not proven says why in one sentence."""

from __future__ import annotations

import base64

import pytest

from app.config import nrbf
from app.config.secretvalues import read_secret, with_payload
from app.hostsecrets.dpapi import UnavailableDpapi
from app.hostsecrets.writing import (
    LearntRoute,
    RouteUnproven,
    plan_for,
    plausible_encoding,
    prove,
)
from tests.hostsecrets.fake_dpapi import FakeDpapi
from tests.hostsecrets.helpers import document, host_blob, spec

TYPED = "a-new-token-0123456789"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-8"])
def test_route_one_learns_the_encoding_and_writes_a_value_this_machine_decrypts(encoding):
    dpapi = FakeDpapi("HOST-A")
    doc = document(spec("HR", host_blob("existing-token-42", encoding=encoding)))
    plan = plan_for(doc, dpapi)
    assert isinstance(plan.route, LearntRoute) and plan.route.learnt.encoding == encoding
    assert "connector 'HR' / SecretToken" in plan.route.name and "existing-token" not in plan.route.name
    text = plan.route.encrypt(TYPED)
    reading = read_secret(text)
    template = read_secret(doc.connectors[0].secret_token)
    assert reading.layout == template.layout and reading.state == "encrypted"
    assert dpapi.unprotect(reading.payload) == TYPED.encode(encoding)
    assert TYPED not in text and TYPED.encode(encoding) not in base64.b64decode(text)
    assert "encrypted for this host" in plan.sentence()


def test_learning_skips_values_this_machine_cannot_decrypt():
    doc = document(spec("A", host_blob("from-elsewhere-1", machine="HOST-B")),
                   spec("B", "plain-token-123456", password=host_blob("pässwörd", machine="HOST-A")))
    plan = plan_for(doc, FakeDpapi("HOST-A"))
    assert plan.route is not None and "connector 'B' / Password" in plan.route.name


@pytest.mark.parametrize(("doc", "dpapi", "why"), [
    (document(spec("HR", "")), FakeDpapi(), "holds no encrypted secret"),
    (document(spec("HR", "plain-token-123456")), FakeDpapi(), "holds no encrypted secret"),
    (document(spec("HR", host_blob("x" * 16, machine="HOST-B"))), FakeDpapi("HOST-A"), "cannot be read here"),
    (document(spec("HR", host_blob("x" * 16))), UnavailableDpapi("DPAPI exists only on Windows."), "only on Windows"),
])
def test_no_route_says_why(doc, dpapi, why):
    plan = plan_for(doc, dpapi)
    assert plan.route is None and why in plan.reason
    sentence = plan.sentence()
    assert sentence.startswith("Secrets you type cannot be encrypted") and sentence.count(". ") == 0


def test_dpapi_refusing_to_encrypt_is_not_proven():
    doc = document(spec("HR", host_blob("existing-token-42")))
    route = plan_for(doc, FakeDpapi("HOST-A")).route
    route.dpapi = FakeDpapi("HOST-A", refuse=True)
    with pytest.raises(RouteUnproven, match="refused"):
        route.encrypt(TYPED)


def test_the_proof_refuses_another_layout_or_another_value():
    dpapi = FakeDpapi("HOST-A")
    good = read_secret(host_blob("existing-token-42"))
    text = with_payload(good, dpapi.protect(TYPED.encode("utf-16-le")))
    prove(text, TYPED, good.layout, "utf-16-le", dpapi)  # passes
    with pytest.raises(RouteUnproven, match="decrypts to something other"):
        prove(text, TYPED + "!", good.layout, "utf-16-le", dpapi)
    stream = nrbf.read(base64.b64decode(text))
    stream.root.member_names[0] = "Other"
    renamed = base64.b64encode(nrbf.write(stream)).decode()
    with pytest.raises(RouteUnproven, match="class or members differ"):
        prove(renamed, TYPED, good.layout, "utf-16-le", dpapi)
    with pytest.raises(RouteUnproven, match="does not decrypt here"):
        prove(text, TYPED, good.layout, "utf-16-le", FakeDpapi("HOST-B"))


def test_a_bridge_route_is_used_when_route_one_is_not_proven():
    class Bridge:
        name = "route 2 (the host's own assembly)"

        def encrypt(self, value: str) -> str:
            raise RouteUnproven("not built here")

    bridge = Bridge()
    assert plan_for(document(spec("HR", "")), FakeDpapi(), bridge_route=bridge).route is bridge
    learnt = plan_for(document(spec("HR", host_blob("existing-token-42"))), FakeDpapi(), bridge_route=bridge)
    assert isinstance(learnt.route, LearntRoute)  # route 1 first when it is proven


@pytest.mark.parametrize(("plain", "expected"), [
    ("token-123".encode("utf-16-le"), "utf-16-le"),
    (b"token-123", "utf-8"),
    ("grüße-€".encode(), "utf-8"),
    ("grüße-€".encode("utf-16-le"), "utf-16-le"),
    (b"", None),
    (b"\x00\x01\x02", None),
])
def test_the_encoding_is_the_one_that_round_trips_to_typeable_text(plain, expected):
    assert plausible_encoding(plain) == expected


def test_a_refusal_that_ends_in_a_period_is_not_given_a_second_one():
    plan = plan_for(document(spec("HR", host_blob("existing-token-42"))), FakeDpapi("HOST-A"))
    gone = LearntRoute(plan.route.learnt, UnavailableDpapi("DPAPI exists only on Windows, and this machine runs Linux."))
    with pytest.raises(RouteUnproven) as caught:
        gone.encrypt(TYPED)
    assert str(caught.value) == "DPAPI exists only on Windows, and this machine runs Linux."
