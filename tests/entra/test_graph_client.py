"""The Graph client against the HTTPS stand-in: every documented answer and every failure gives the
right record or one sentence; retries are bounded and honour Retry-After (waits are recorded by a
fake sleep, so nothing here depends on the wall clock)."""

from __future__ import annotations

import json

import pytest

from app.entra import jobs
from app.entra.graph import OFFLINE, GraphClient, GraphError, GraphErrorKind, RetryPolicy, retry_after_seconds
from app.entra.provision import provision_user
from app.entra.signin import EnvToken
from tests.entra import graph_standin
from tests.entra.conftest import TOKEN_VAR
from tests.entra.graph_standin import ACCESS_TOKEN


def client(url: str, attempts: int = 4, total: float = 30.0) -> tuple[GraphClient, RetryPolicy]:
    policy = RetryPolicy(attempts=attempts, total=total, sleep=lambda s: None)
    return GraphClient(EnvToken(TOKEN_VAR), base_url=url, timeout=5, retry=policy), policy


def test_a_healthy_job_reads_as_healthy(graph):
    c, _ = client(graph.url)
    (job,) = jobs.list_jobs(c, "sp-healthy")
    assert job.state == "Active" and job.healthy and job.quarantine_reason is None
    assert job.last_state == "Succeeded" and job.last_ended == "2026-12-06T01:40:41Z"
    assert job.steady_state_since == "2026-11-20T08:12:00Z"
    method, path, _, auth = graph.requests[-1]
    assert (method, path) == ("GET", "/v1.0/servicePrincipals/sp-healthy/synchronization/jobs")
    assert auth == f"Bearer {ACCESS_TOKEN}"


def test_quarantine_gives_reason_since_and_error(graph):
    c, _ = client(graph.url)
    (job,) = jobs.list_jobs(c, "sp-quarantine")
    assert job.in_quarantine and not job.healthy
    assert job.quarantine_reason == "EncounteredQuarantineException"
    assert job.quarantine_since == "2026-12-05T22:40:02Z"  # seriesBegan: when it first went in
    assert job.consecutive_failures == 4 and job.last_state == "Failed"
    assert "CredentialValidationUnavailable" in job.last_error
    record = job.to_json("HRDatabase")
    assert set(record) == {"connector", "service_principal", "job", "state", "quarantine", "last_cycle", "errors"}
    assert record["quarantine"] == {"reason": "EncounteredQuarantineException", "since": "2026-12-05T22:40:02Z"}


@pytest.mark.parametrize("reason", ["TooManyDeletes", "EncounteredEscrowProportionThreshold",
                                    "EncounteredBaseEscrowThreshold", "QuarantinedOnDemand", "IngestionInterrupted"])
def test_a_quarantine_is_a_connection_problem_only_when_graph_says_so(reason):
    assert "certificate" not in jobs.quarantine_cause(reason).replace("not a certificate problem", "")
    assert "connect" not in jobs.quarantine_cause(reason).replace("not the connection", "").replace(
        "not a connection problem", "")
    assert "certificate" in jobs.quarantine_cause("EncounteredQuarantineException")
    assert "does not list" in jobs.quarantine_cause("SomethingNew")


def test_not_configured_is_not_healthy(graph):
    c, _ = client(graph.url)
    (job,) = jobs.list_jobs(c, "sp-notconfigured")
    assert job.state == "NotConfigured" and not job.healthy and "not configured" in job.summary()
    assert job.steady_state_since is None and job.steady_state_last is None  # 0001-01-01 is "never"


def test_0001_times_are_never_and_steady_state_uses_the_last_time(graph):
    c, _ = client(graph.url)
    (job,) = jobs.list_jobs(c, "sp-unsteady")
    assert job.healthy and job.steady_state_since is None and job.steady_state_last is None
    assert jobs.steady_state_words(job) == "has never reached steady state"
    assert "0001" not in jobs.steady_state_words(job) + job.summary() + str(job.to_json("CSV"))
    assert jobs.when("0001-01-01T00:00:00Z") == "never"
    (healthy,) = jobs.list_jobs(c, "sp-healthy")
    assert healthy.steady_state_last == "2026-12-06T01:40:41Z"
    assert jobs.steady_state_words(healthy) == ("steady state last reached 2026-12-06 01:40 UTC "
                                                "(first 2026-11-20 08:12 UTC)")
    assert healthy.to_json("CSV")["last_cycle"]["steady_state_last"] == "2026-12-06T01:40:41Z"


def test_paused_is_not_an_error_and_object_errors_are(graph):
    c, _ = client(graph.url)
    (paused,) = jobs.list_jobs(c, "sp-paused")
    assert paused.state == "Paused" and paused.healthy and "paused" in paused.summary()
    (errors,) = jobs.list_jobs(c, "sp-errors")
    assert errors.escrowed == 7 and not errors.healthy and "7 object error(s)" in errors.summary()


@pytest.mark.parametrize("sp, kind, words", [
    ("sp-401", GraphErrorKind.EXPIRED, ["401", "sign in again"]),
    ("sp-403", GraphErrorKind.FORBIDDEN, ["Synchronization.Read.All", "403"]),
    ("sp-404", GraphErrorKind.NOT_FOUND, ["deleted", "404", "entra link"]),
])
def test_refusals_are_one_sentence_each(graph, sp, kind, words):
    c, policy = client(graph.url)
    with pytest.raises(GraphError) as caught:
        jobs.list_jobs(c, sp)
    assert caught.value.kind is kind and policy.waits == []  # no retry for these
    text = caught.value.sentence()
    assert all(w in text for w in words), text
    assert "\n" not in text and ACCESS_TOKEN not in text


def test_403_names_the_permission_the_call_needs(graph):
    c, _ = client(graph.url)
    with pytest.raises(GraphError) as caught:
        jobs.pause(c, "sp-403", samples_job())
    assert "Synchronization.ReadWrite.All" in caught.value.sentence()


def samples_job() -> str:
    from tests.entra.samples import JOB_ID

    return JOB_ID


def test_429_waits_as_long_as_retry_after_says(graph):
    c, policy = client(graph.url)
    (job,) = jobs.list_jobs(c, "sp-429")
    assert job.healthy and policy.waits == [2.0]
    assert len(graph.calls("GET")) == 2


def test_5xx_then_success_is_retried_with_backoff(graph):
    c, policy = client(graph.url)
    (job,) = jobs.list_jobs(c, "sp-5xx-once")
    assert job.healthy and policy.waits == [1.0]


def test_5xx_forever_stops_at_the_attempt_bound(graph):
    c, policy = client(graph.url, attempts=3)
    with pytest.raises(GraphError) as caught:
        jobs.list_jobs(c, "sp-5xx")
    assert caught.value.kind is GraphErrorKind.SERVER and caught.value.status == 503
    assert len(graph.calls("GET")) == 3 and policy.waits == [1.0, 2.0]
    assert "3 attempt(s)" in caught.value.sentence()


def test_5xx_forever_stops_at_the_time_bound(graph):
    c, policy = client(graph.url, attempts=50, total=7.0)
    with pytest.raises(GraphError):
        jobs.list_jobs(c, "sp-5xx")
    assert sum(policy.waits) <= 7.0 and policy.waits == [1.0, 2.0, 4.0]


def test_429_longer_than_the_budget_gives_up_with_one_sentence(graph):
    c, policy = client(graph.url, total=1.0)
    with pytest.raises(GraphError) as caught:
        jobs.list_jobs(c, "sp-429")
    assert caught.value.kind is GraphErrorKind.THROTTLED and policy.waits == []
    assert "try again in a few minutes" in caught.value.sentence()


def test_malformed_json_is_one_sentence(graph):
    c, _ = client(graph.url)
    with pytest.raises(GraphError) as caught:
        jobs.list_jobs(c, "sp-malformed")
    assert caught.value.kind is GraphErrorKind.MALFORMED and "not JSON" in caught.value.sentence()


def test_offline_is_one_sentence_and_says_the_host_side_works(closed_port, monkeypatch):
    monkeypatch.setenv(TOKEN_VAR, ACCESS_TOKEN)
    c, policy = client(f"https://localhost:{closed_port}")
    with pytest.raises(GraphError) as caught:
        jobs.list_jobs(c, "sp-healthy")
    text = caught.value.sentence()
    assert caught.value.kind is GraphErrorKind.OFFLINE and text.startswith(OFFLINE)
    assert "keeps working" in text and policy.waits == []


def test_tls_is_verified_a_private_ca_needs_ssl_cert_file(graph, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    c, _ = client(graph.url)
    with pytest.raises(GraphError) as caught:
        jobs.list_jobs(c, "sp-healthy")
    assert caught.value.kind is GraphErrorKind.UNTRUSTED and "SSL_CERT_FILE" in caught.value.sentence()
    assert graph.requests == []  # nothing was sent to an unverified server


def test_plain_http_is_refused(monkeypatch):
    from app.errors import UserError

    with pytest.raises(UserError):
        GraphClient(EnvToken(TOKEN_VAR), base_url="http://graph.microsoft.com")


def test_actions_send_the_documented_requests(graph):
    c, _ = client(graph.url)
    job = samples_job()
    jobs.start(c, "sp-paused", job)
    jobs.pause(c, "sp-healthy", job)
    jobs.restart(c, "sp-healthy", job)
    jobs.restart(c, "sp-healthy", job, "QuarantineState")
    jobs.validate_saved_credentials(c, "sp-healthy", job)
    jobs.push_credentials(c, "sp-healthy", "https://h:8585/ecma2host_CSV/scim", "tok-123456789012")
    sent = [(m, p.rsplit("/", 1)[-1], b) for m, p, b, _ in graph.calls() if m != "GET"]
    assert sent == [
        ("POST", "start", None), ("POST", "pause", None),
        ("POST", "restart", {"criteria": {"resetScope": ""}}),
        ("POST", "restart", {"criteria": {"resetScope": "QuarantineState"}}),
        ("POST", "validateCredentials", {"useSavedCredentials": True}),
        ("PUT", "secrets", {"value": [{"key": "BaseAddress", "value": "https://h:8585/ecma2host_CSV/scim"},
                                      {"key": "SecretToken", "value": "tok-123456789012"},
                                      *graph_standin.initial_secrets("CSV")[2:]]})]


def test_dangerous_reset_scopes_need_the_second_confirmation(graph):
    from app.errors import UserError

    c, _ = client(graph.url)
    for scope in ("ConnectorDataStore", "Watermark, None", "Full", "ForceDeletes"):
        with pytest.raises(UserError, match="second time"):
            jobs.restart(c, "sp-healthy", samples_job(), scope)
    with pytest.raises(UserError, match="unknown reset scope"):
        jobs.restart(c, "sp-healthy", samples_job(), "Everything")
    assert graph.calls("POST") == []
    jobs.restart(c, "sp-healthy", samples_job(), "ConnectorDataStore", confirmed_dangerous=True)
    assert graph.calls("POST")[-1][2] == {"criteria": {"resetScope": "ConnectorDataStore"}}


def test_provision_on_demand_reports_each_step(graph):
    c, _ = client(graph.url)
    result = provision_user(c, "sp-healthy", samples_job(), "9bb0f679-a883-4a6f-8260-35b491b8b8c8")
    assert result.succeeded and [s.kind for s in result.steps] == ["Import", "Scoping", "Matching", "Action", "Export"]
    body = graph.calls("POST")[-1][2]
    assert body["parameters"][0]["subjects"] == [{"objectId": "9bb0f679-a883-4a6f-8260-35b491b8b8c8",
                                                  "objectTypeName": "User"}]
    assert body["parameters"][0]["ruleId"] == "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8"


def test_provision_on_demand_keeps_to_5_requests_per_10_seconds(graph):
    from app.entra.provision import RateLimit

    now = [1000.0]
    limit = RateLimit(clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    c, _ = client(graph.url)
    sent_at = []
    for _ in range(12):
        provision_user(c, "sp-healthy", samples_job(), "9bb0f679-a883-4a6f-8260-35b491b8b8c8", limit=limit)
        sent_at.append(now[0])
        now[0] += 0.5  # a user typing fast: a request every half second
    assert len(graph.calls("POST")) == 12
    for i in range(len(sent_at) - 5):  # any 6 consecutive requests span at least 10 seconds
        assert sent_at[i + 5] - sent_at[i] >= 10.0
    assert limit.waits and max(limit.waits) <= 10.0


def test_retry_after_reads_seconds_and_dates():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Sun, 06 Dec 2026 02:00:10 GMT", now=1796522400.0) == pytest.approx(10.0)
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_https_proxy_is_used_as_a_tunnel_and_tls_still_checks_graph(graph, monkeypatch):
    from tests.entra.graph_standin import ConnectProxy

    proxy = ConnectProxy(graph.port)
    try:
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("NO_PROXY", "")
        c, _ = client(graph.url)
        (job,) = jobs.list_jobs(c, "sp-healthy")
        assert job.healthy and proxy.tunnels == [f"localhost:{graph.port}"]
        monkeypatch.delenv("SSL_CERT_FILE")  # through the tunnel, the certificate is still verified
        with pytest.raises(GraphError) as caught:
            jobs.list_jobs(c, "sp-healthy")
        assert caught.value.kind is GraphErrorKind.UNTRUSTED
    finally:
        proxy.close()


def test_no_proxy_bypasses_the_proxy(graph, monkeypatch, closed_port):
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port}")  # a proxy that is not there
    monkeypatch.setenv("NO_PROXY", "localhost")
    c, _ = client(graph.url)
    assert jobs.list_jobs(c, "sp-healthy")[0].healthy
    monkeypatch.setenv("NO_PROXY", "")
    with pytest.raises(GraphError) as caught:
        jobs.list_jobs(c, "sp-healthy")
    assert caught.value.kind is GraphErrorKind.OFFLINE
    assert f"through the proxy 127.0.0.1:{closed_port}" in caught.value.sentence()


def test_provision_takes_a_user_principal_name(graph):
    c, _ = client(graph.url)
    provision_user(c, "sp-healthy", samples_job(), "adele.vance@contoso.com")
    assert graph.calls("POST")[-1][2]["parameters"][0]["subjects"][0]["objectId"] == "9bb0f679-a883-4a6f-8260-35b491b8b8c8"
    with pytest.raises(GraphError) as caught:
        provision_user(c, "sp-healthy", samples_job(), "nobody@contoso.com")
    assert caught.value.kind is GraphErrorKind.NOT_FOUND
    assert "Entra has no user nobody@contoso.com" in caught.value.sentence()
    from app.errors import UserError

    with pytest.raises(UserError, match="neither"):
        provision_user(c, "sp-healthy", samples_job(), "bob")


def test_a_graph_error_kind_is_a_type():
    # the kind is a member, and still its word where it is printed or written to JSON
    error = GraphError("Entra has no such application.", kind=GraphErrorKind.NOT_FOUND, status=404)
    assert error.kind is GraphErrorKind.NOT_FOUND
    assert json.dumps({"kind": error.kind}) == '{"kind": "not-found"}'
    # untyped code passing a (misspelt) word fails at once instead of never matching a comparison
    with pytest.raises(TypeError):
        GraphError("x", kind="not_found")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        GraphErrorKind("not_found")
