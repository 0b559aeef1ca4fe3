"""The connection test against a real HTTPS SCIM responder on loopback, in every failure mode."""

from __future__ import annotations

import json
import time

from diag_scim_responder import CONNECTOR, ERROR_BODY, HEADERS, TIMEOUT, TOKEN

from app.diagnostics.connection import FAIL, PASS, SKIP, WARN, ConnectionTarget, run_connection_test


def target(responder, cert=None, **kw):
    values = {"connector": CONNECTOR, "token": TOKEN, "host": "127.0.0.1", "port": responder.port,
              "expected_thumbprint": cert.thumbprint if cert else None, "host_names": ("localhost",),
              "timeout": TIMEOUT, "known_connectors": ("CSV", "HRDatabase")}
    values.update(kw)
    return ConnectionTarget(**values)


def outcomes(report):
    return {s.step: s.outcome for s in report.steps}


def test_all_steps_pass_and_the_host_headers_are_reported(scim, good_cert):
    responder = scim("ok")
    seen = []
    report = run_connection_test(target(responder, good_cert), progress=seen.append)
    assert outcomes(report) == dict.fromkeys(("connect", "tls", "certificate", "users", "schemas", "cache"),
                                             PASS)
    assert report.passed
    assert report.headers == HEADERS
    assert [s.step for s in seen] == [s.step for s in report.steps]
    assert all(s.latency_ms is not None and s.latency_ms > 0 for s in report.steps if s.step != "certificate")
    users_path, auth = responder.requests[0]
    assert users_path.startswith("/ecma2host_CSV/scim/Users?filter=userName%20eq%20%22")
    assert auth == f"Bearer {TOKEN}"
    assert responder.requests[1][0] == "/ecma2host_CSV/scim/Schemas"
    assert report.steps[3].details["total_results"] == 0
    assert responder.requests[2] == ("/ecma2host_CSV/scim/cache", f"Bearer {TOKEN}")  # the token, never Debug
    assert report.steps[5].details["cached_objects"] == 3 and "3 object(s) cached" in report.steps[5].message


def test_the_host_still_importing_is_recognised_and_explained(scim, good_cert):
    report = run_connection_test(target(scim("importing"), good_cert))
    cache = report.steps[-1]
    assert cache.step == "cache" and cache.outcome == WARN and cache.details["importing"]
    assert "still importing" in cache.message and "10-20 minutes" in cache.fix
    assert "debug" not in (cache.message + cache.fix).lower()


def test_an_empty_import_cache_is_a_warning(scim, good_cert):
    cache = run_connection_test(target(scim("empty-cache"), good_cert)).steps[-1]
    assert cache.outcome == WARN and "empty" in cache.message and cache.details["cached_objects"] == 0


def test_refused_says_service_stopped_or_wrong_port(scim, good_cert):
    # Windows retries a refused loopback SYN for about 2 s before saying so: allow for it.
    report = run_connection_test(target(scim("refused"), good_cert, timeout=5.0))
    assert outcomes(report)["connect"] == FAIL
    assert "connection refused" in report.steps[0].message
    assert "service start" in report.steps[0].fix and "port" in report.steps[0].fix
    assert [s.outcome for s in report.steps[1:]] == [SKIP] * 5
    assert not report.passed


def test_timeout_is_bounded_and_says_the_service_may_be_hung(scim, good_cert):
    responder = scim("timeout")
    start = time.monotonic()
    report = run_connection_test(target(responder, good_cert))
    assert time.monotonic() - start < TIMEOUT * 4
    assert outcomes(report)["connect"] == PASS
    assert outcomes(report)["tls"] == FAIL
    assert "timed out" in report.steps[1].message and "restart" in report.steps[1].fix


def test_certificate_mismatch_names_both_thumbprints_and_the_fix(scim, good_cert, other_cert):
    report = run_connection_test(target(scim("wrong-cert"), good_cert))
    step = next(s for s in report.steps if s.step == "certificate")
    assert step.outcome == FAIL
    assert other_cert.thumbprint in step.message and good_cert.thumbprint in step.message
    assert "Regenerate" in step.fix and "netsh http update sslcert" in step.fix
    assert outcomes(report)["users"] == PASS  # the SCIM side still answers: both facts are told
    assert not report.passed


def test_expired_certificate_fails(scim, expired_cert):
    report = run_connection_test(target(scim("expired-cert"), expired_cert))
    step = next(s for s in report.steps if s.step == "certificate")
    assert step.outcome == FAIL and "expired" in step.message


def test_name_mismatch_fails(scim, good_cert):
    report = run_connection_test(target(scim("ok"), good_cert, host_names=("ecmahost.contoso.local",)))
    step = next(s for s in report.steps if s.step == "certificate")
    assert step.outcome == FAIL and "not for this host" in step.message


def test_401_and_403_say_the_token_differs(scim, good_cert):
    for mode in ("401", "403"):
        report = run_connection_test(target(scim(mode), good_cert))
        users = next(s for s in report.steps if s.step == "users")
        assert users.outcome == FAIL and f"HTTP {mode}" in users.message
        assert "token differs" in users.fix


def test_a_wrong_token_gets_401_from_a_working_host(scim, good_cert):
    report = run_connection_test(target(scim("ok"), good_cert, token="not-the-token"))
    assert outcomes(report)["users"] == FAIL and "HTTP 401" in report.steps[3].message


def test_404_invalid_resource_points_at_the_name_and_its_case(scim, good_cert):
    report = run_connection_test(target(scim("ok"), good_cert, connector="csv"))
    users = next(s for s in report.steps if s.step == "users")
    assert users.outcome == FAIL and "HTTP 404" in users.message
    assert "case" in users.fix and "Did you mean 'CSV'" in users.fix
    assert "https://127.0.0.1:" in users.fix and "/ecma2host_csv/scim" in users.fix
    report = run_connection_test(target(scim("404"), good_cert))
    assert "invalid resource" in report.steps[3].message


def test_500_shows_the_body_without_the_token(scim, good_cert):
    report = run_connection_test(target(scim("500"), good_cert))
    users = next(s for s in report.steps if s.step == "users")
    assert users.outcome == FAIL and ERROR_BODY in users.message
    assert TOKEN not in json.dumps(report.to_json())
    assert "[token]" in users.message


def test_a_non_scim_answer_is_a_warning(scim, good_cert):
    report = run_connection_test(target(scim("not-scim"), good_cert))
    assert outcomes(report)["users"] == WARN


def test_the_token_is_never_in_the_report_or_its_repr(scim, good_cert):
    t = target(scim("ok"), good_cert)
    report = run_connection_test(t)
    assert TOKEN not in repr(t) and TOKEN not in repr(report)
    assert TOKEN not in json.dumps(report.to_json())


def test_the_summary_never_says_all_passed_over_a_warning(scim, good_cert):
    assert run_connection_test(target(scim("ok"), good_cert)).summary() == "All steps passed."
    assert run_connection_test(target(scim("importing"), good_cert)).summary() == \
        "Passed, with 1 warning(s): read them above."
