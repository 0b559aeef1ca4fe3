"""push-credentials follows Microsoft's procedure for the job's secrets (GET, change, PUT the whole
set back): against the stand-in, which keeps each application's set and replaces it on PUT as
Graph does, every other key survives; a set that cannot be read, or that comes back with someone
else's value masked, is not written at all."""

from __future__ import annotations

import json

import pytest

from app.entra import credentials, jobs
from app.entra.graph import GraphClient, GraphError, GraphErrorKind, RetryPolicy
from app.entra.signin import EnvToken
from app.errors import UserError
from tests.entra.conftest import TOKEN_VAR
from tests.entra.graph_standin import initial_secrets

URL = "https://ecmahost.contoso.com:8585/ecma2host_CSV/scim"
TOKEN = "new-token-\"quote\\back-slash-é-0123456789"


def client(url: str) -> GraphClient:
    return GraphClient(EnvToken(TOKEN_VAR), base_url=url, timeout=5,
                       retry=RetryPolicy(attempts=2, total=1, sleep=lambda s: None))


def test_every_other_setting_survives_the_push(graph):
    before = {p["key"]: p["value"] for p in graph.secrets["sp-healthy"]}
    kept = jobs.push_credentials(client(graph.url), "sp-healthy", URL, TOKEN)
    after = {p["key"]: p["value"] for p in graph.secrets["sp-healthy"]}
    assert kept == ["SyncNotificationSettings", "SyncAll", "SkipOutOfScopeDeletions"]
    assert after["BaseAddress"] == URL and after["SecretToken"] == TOKEN
    for key in kept:  # written back exactly as read: the notification e-mail and threshold stay
        assert after[key] == before[key]
    notify = json.loads(after["SyncNotificationSettings"])
    assert notify["Recipients"] == "provisioning-alerts@contoso.com" and notify["DeleteThresholdValue"] == 500
    methods = [(m, p.rsplit("/", 1)[-1]) for m, p, _, _ in graph.requests]
    assert methods == [("GET", "secrets"), ("PUT", "secrets")]  # read first, then the whole set


def test_our_keys_are_added_when_the_set_lacks_them(graph):
    graph.secrets["sp-healthy"] = [p for p in initial_secrets("CSV") if p["key"] not in ("BaseAddress", "SecretToken")]
    jobs.push_credentials(client(graph.url), "sp-healthy", URL, TOKEN)
    keys = [p["key"] for p in graph.secrets["sp-healthy"]]
    assert keys == ["SyncNotificationSettings", "SyncAll", "SkipOutOfScopeDeletions", "BaseAddress", "SecretToken"]


def test_unreadable_secrets_mean_nothing_is_written(graph):
    # the stand-in answers 403 for the secrets of an application it keeps none for
    with pytest.raises(GraphError) as caught:
        jobs.push_credentials(client(graph.url), "sp-paused", URL, TOKEN)
    sentence = caught.value.sentence()
    assert sentence.startswith("nothing was written") and "403" in sentence and sentence.count(". ") == 0
    assert graph.calls("PUT") == []


def test_someone_elses_masked_value_is_refused_not_overwritten(graph):
    before = [dict(p) for p in graph.secrets["sp-other-secret"]]
    with pytest.raises(UserError) as caught:
        jobs.push_credentials(client(graph.url), "sp-other-secret", URL, TOKEN)
    assert "Password" in caught.value.sentence() and "nothing was written" in caught.value.sentence()
    assert graph.calls("PUT") == [] and graph.secrets["sp-other-secret"] == before


class _Answer:
    """A fake Graph client whose GET answers `answer` and whose PUT is recorded."""

    def __init__(self, answer):
        self.answer, self.puts = answer, []

    def get(self, path, **_):
        return self.answer

    def put(self, path, body=None, **_):
        self.puts.append(body)


@pytest.mark.parametrize("answer", [None, {"value": "x"}, {"value": [{"value": "no key"}]}, {"value": [3]},
                                    {"nothing": []}])
def test_an_answer_of_the_wrong_shape_writes_nothing(answer):
    fake = _Answer(answer)
    with pytest.raises(GraphError) as caught:
        credentials.push_credentials(fake, "sp", URL, TOKEN)  # type: ignore[arg-type]
    assert caught.value.kind is GraphErrorKind.MALFORMED and fake.puts == []


@pytest.mark.parametrize("value", ["", "   ", "*", "********", None, 7])
def test_masked_or_empty_values_of_other_keys_are_refused(value):
    fake = _Answer({"value": [{"key": "SyncAll", "value": value}]})
    with pytest.raises(UserError):
        credentials.push_credentials(fake, "sp", URL, TOKEN)  # type: ignore[arg-type]
    assert fake.puts == []


def test_the_token_read_back_masked_is_ours_to_replace():
    fake = _Answer([{"key": "SecretToken", "value": "*"}, {"key": "BaseAddress", "value": ""}])
    assert credentials.push_credentials(fake, "sp", URL, TOKEN) == []  # type: ignore[arg-type]
    assert fake.puts == [{"value": [{"key": "SecretToken", "value": TOKEN}, {"key": "BaseAddress", "value": URL}]}]
