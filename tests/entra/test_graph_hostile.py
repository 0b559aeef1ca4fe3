"""Graph answers we did not write (issue 22): a server dripping one byte at a time must not outlive
the call's overall deadline; Retry-After of -1, garbage or 1e9 is bounded and said in one sentence;
JSON nested 100,000 deep is one sentence; escape sequences and control characters in Graph data
never reach the terminal raw; a secret Graph echoes back is hidden in every spelling a reader
would decode. Hostile servers on 127.0.0.1 only (tests/entra/hostile_graph.py)."""

from __future__ import annotations

import json
import time
import unicodedata
import urllib.parse

import pytest

from app.entra import jobs
from app.entra.graph import GraphClient, GraphError, GraphErrorKind, RetryPolicy, scrub
from app.entra.provision import parse_answer
from app.entra.signin import EnvToken
from tests.entra.conftest import TOKEN_VAR
from tests.entra.hostile_graph import HostileGraph
from tests.entra.samples import graph_error, job

UNSAFE = [chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x202E, 0x2066)]


@pytest.fixture
def hostile(tmp_path, graph_cert, monkeypatch):
    servers = []

    def start(behave):
        server = HostileGraph(tmp_path, graph_cert, behave)
        servers.append(server)
        monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
        return server

    for var in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv(TOKEN_VAR, "eyJ0eXAiOiJKV1Qi.hostile-test-token.Zx9Qm4Tr7")
    yield start
    for s in servers:
        s.close()


def client(url, *, timeout=1.0, deadline=2.5, attempts=4, total=30.0):
    policy = RetryPolicy(attempts=attempts, total=total, sleep=lambda s: None)
    return GraphClient(EnvToken(TOKEN_VAR), base_url=url, timeout=timeout, retry=policy, deadline=deadline), policy


def drip(stop, handler, data: bytes, gap: float = 0.3):
    for i in range(len(data)):
        if stop.is_set():
            return
        handler.wfile.write(data[i:i + 1])
        handler.wfile.flush()
        time.sleep(gap)


@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_server_dripping_bytes_is_cut_at_the_overall_deadline(hostile, where):
    body = json.dumps(jobs_answer := {"value": [job()]}).encode()
    assert jobs_answer

    def behave(h):
        if where == "headers":  # the status line itself, one byte every 0.3 s
            drip(server.stop, h, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 20)
            return
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        drip(server.stop, h, body)

    server = hostile(behave)
    c, _ = client(server.url)  # every read comes within 1 s: a per-read timeout never fires
    began = time.monotonic()
    with pytest.raises(GraphError) as caught:
        jobs.list_jobs(c, "sp")
    took = time.monotonic() - began
    assert took < 4.0, f"the call outlived its 2.5 s deadline: {took:.1f} s"
    sentence = caught.value.sentence()
    assert caught.value.kind is GraphErrorKind.OFFLINE and "too slowly" in sentence and "\n" not in sentence


@pytest.mark.parametrize("value, waits, words", [
    ("-1", [1.0, 2.0, 4.0], "'-1', is not a wait in seconds"),
    ("soon, maybe", [1.0, 2.0, 4.0], "is not a wait in seconds"),
    ("nan", [1.0, 2.0, 4.0], "is not a wait in seconds"),
    ("1e9", [], "asked to wait more than a day"),
    ("999999999", [], "asked to wait more than a day"),
    ("Fri, 31 Dec 9999 23:59:59 GMT", [], "asked to wait more than a day"),
    ("45", [], "asked to wait 45 s"),
])
def test_odd_retry_after_is_bounded_and_said_in_one_sentence(hostile, value, waits, words):
    server = hostile(lambda h: h.answer(503, json.dumps(graph_error("ServiceUnavailable", "busy")).encode(),
                                        {"Retry-After": value}))
    c, policy = client(server.url, total=30.0, deadline=10.0)
    c.retry.total = 10.0
    began = time.monotonic()
    with pytest.raises(GraphError) as caught:
        jobs.list_jobs(c, "sp")
    assert time.monotonic() - began < 5.0
    assert policy.waits == waits and sum(policy.waits) <= 10.0
    sentence = caught.value.sentence()
    assert words in sentence and "\n" not in sentence and sentence.count(". ") == 0


def test_json_nested_100000_deep_is_one_sentence(hostile):
    deep = b"[" * 100_000 + b"]" * 100_000
    server = hostile(lambda h: h.answer(200 if h.path.endswith("/jobs") else 400, deep))
    c, _ = client(server.url)
    with pytest.raises(GraphError) as caught:
        jobs.list_jobs(c, "sp")
    assert caught.value.kind is GraphErrorKind.MALFORMED and "nested too deeply" in caught.value.sentence()
    with pytest.raises(GraphError) as caught:  # an error answer that deep: the sentence without Graph's words
        jobs.pause(c, "sp", "job")
    assert caught.value.kind is GraphErrorKind.REFUSED and "HTTP 400" in caught.value.sentence()
    with pytest.raises(GraphError) as caught:  # provision on demand's JSON text inside JSON
        parse_answer({"key": "[" * 100_000, "value": "{}"})
    assert caught.value.kind is GraphErrorKind.MALFORMED


def test_control_characters_in_graph_data_never_come_out_raw(hostile):
    evil = "\x1b]0;owned\x07\x1b[2J\rOK\x00\x9b31m\u202eexe.txt"
    bad = job("quarantine")
    bad["status"]["code"] = "Quarantine" + evil
    bad["status"]["quarantine"]["reason"] = evil
    bad["status"]["lastExecution"]["error"]["message"] = evil
    bad["status"]["lastExecution"]["state"] = evil
    answers = {"/jobs": {"value": [bad]}}

    def behave(h):
        if h.path.endswith("/jobs"):
            return h.answer(200, json.dumps(answers["/jobs"]).encode())
        return h.answer(400, json.dumps(graph_error("Bad" + evil, "bad request " + evil)).encode())

    server = hostile(behave)
    c, _ = client(server.url)
    (status,) = jobs.list_jobs(c, "sp")
    shown = [status.summary(), status.last_error or "", status.state, json.dumps(status.to_json("CSV"),
                                                                                     ensure_ascii=False)]
    with pytest.raises(GraphError) as caught:
        jobs.pause(c, "sp", "job")
    shown.append(caught.value.sentence())
    for text in shown:
        assert not any(ch in text for ch in UNSAFE), repr(text)
    assert "\\x1b]0;owned" in status.summary()  # shown, visibly escaped


TOKEN = 'tok"en\\back-slash-é-0123456789XYZ'


def _spellings():
    every_u = "".join(f"\\u{ord(c):04x}" for c in TOKEN)
    return {
        "raw": TOKEN,
        "json-escaped": json.dumps(TOKEN, ensure_ascii=False)[1:-1],
        "json-ascii": json.dumps(TOKEN)[1:-1],
        "every-char-\\u": every_u,
        "upper-\\u": every_u.upper().replace("\\U", "\\u"),
        "url": urllib.parse.quote(TOKEN, safe=""),
        "url-plus": urllib.parse.quote_plus(TOKEN),
        "url-lower": urllib.parse.quote(TOKEN, safe="").lower(),
        "url-twice": urllib.parse.quote(urllib.parse.quote(TOKEN, safe=""), safe=""),
        "nfd": unicodedata.normalize("NFD", TOKEN),
        "html": TOKEN.replace('"', "&quot;").replace("é", "&#233;"),
        "xml-hex": "".join(f"&#x{ord(c):x};" for c in TOKEN),
        "escaped-twice": json.dumps(json.dumps(TOKEN)[1:-1])[1:-1],
    }


@pytest.mark.parametrize("name", sorted(_spellings()))
def test_a_secret_graph_echoes_is_hidden_in_every_spelling(hostile, name):
    spelled = _spellings()[name]
    server = hostile(lambda h: h.answer(400, json.dumps(graph_error(
        "InvalidRequest", f"The value '{spelled}' is not valid for SecretToken.")).encode()))
    c, _ = client(server.url)
    with pytest.raises(GraphError) as caught:
        c.put("/servicePrincipals/sp/synchronization/secrets", {"value": [{"key": "SecretToken", "value": TOKEN}]},
              permission="Synchronization.ReadWrite.All", secret_values=[TOKEN])
    sentence = caught.value.sentence()
    assert "[hidden]" in sentence and "0123456789" not in sentence and "XYZ" not in sentence.upper().replace(
        "INVALIDREQUEST", ""), sentence
    assert "\\u0030" not in sentence.lower() and "&#x30;" not in sentence


def test_scrub_leaves_other_text_alone():
    text = "The value 'other-value-0123' is not valid; request-id 00000000-0000-4000-8000-0000000000aa."
    assert scrub(text, [TOKEN, "eyJ0eXAiOiJKV1Qi.hostile-test-token.Zx9Qm4Tr7"]) == text
