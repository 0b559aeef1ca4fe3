"""The connection test: what Entra's provisioning agent does, step by step, with the fix for each
failure (replaces Microsoft's TestECMA2HostConnection.ps1, docs/host-facts.md §6: no Internet Explorer, no
`Debug=true`, docs/host-facts.md §4).

Steps: TCP connect to host:port, TLS handshake, the served certificate (SHA-1 thumbprint against
`<Setting><Certificate>`, validity dates, host name), then two SCIM GETs under
`/ecma2host_<Name>/scim/` (Users with a filter that matches nobody, and Schemas) with
`Authorization: Bearer <token>`. The token is sent in that header only: never logged, never shown,
and cut out of any response body we display.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import socket
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from cryptography import x509

from app.certs.inspect import CertificateInfo, describe, normalize_thumbprint
from app.certs.status import certificate_findings
from app.host.machine import local_host_names
from app.severity import Severity

DEFAULT_TIMEOUT = 5.0
LAST_SUCCESSFUL = ("Last-Successful-Import", "Last-Successful-Export", "Last-Successful-Cache-Change")
PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"
BODY_SHOWN = 600  # characters of an error body worth showing
IMPORTING = "currently importing data"  # the host's answer until its first import has finished
LOOPBACK = ("localhost", "127.0.0.1", "::1")
REGENERATE_OR_REBIND = ("Regenerate the certificate (ecma-wizard cert regenerate), or bind the configured "
                        "one to the port (netsh http update sslcert ipport=0.0.0.0:{port} certhash=...), "
                        "then restart the service and retest.")


@dataclass
class ConnectionTarget:
    connector: str
    token: str = field(repr=False)
    host: str = "localhost"
    port: int = 8585
    expected_thumbprint: str | None = None
    known_connectors: tuple[str, ...] = ()  # names in Configuration.xml, for the case hint
    host_names: tuple[str, ...] | None = None  # names the certificate must cover; None: worked out
    timeout: float = DEFAULT_TIMEOUT

    @property
    def base_path(self) -> str:
        return f"/ecma2host_{quote(self.connector, safe='')}/scim"

    @property
    def tenant_url(self) -> str:
        return f"https://{self.host}:{self.port}{self.base_path}"

    def names_to_cover(self) -> tuple[str, ...]:
        if self.host_names is not None:
            return self.host_names
        if self.host.lower() in LOOPBACK:
            short, fqdn = local_host_names()
            return tuple(dict.fromkeys(("localhost", short, fqdn)))
        return (self.host,)


@dataclass
class StepResult:
    step: str
    title: str
    outcome: str  # pass, fail, warn or skip
    message: str
    fix: str = ""
    latency_ms: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class ConnectionReport:
    target: ConnectionTarget
    steps: list[StepResult] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    certificate: CertificateInfo | None = None

    @property
    def passed(self) -> bool:
        return all(s.outcome in (PASS, WARN) for s in self.steps) and bool(self.steps)

    def summary(self) -> str:
        """One line for the end of the test: failures, else warnings, else all passed."""
        failed = sum(1 for s in self.steps if s.outcome == FAIL)
        warned = sum(1 for s in self.steps if s.outcome == WARN)
        if not self.passed:
            return f"{failed} step(s) failed."
        return f"Passed, with {warned} warning(s): read them above." if warned else "All steps passed."

    def to_json(self) -> dict[str, Any]:
        t = self.target
        return {
            "connector": t.connector, "host": t.host, "port": t.port, "tenant_url": t.tenant_url,
            "passed": self.passed,
            "steps": [{"step": s.step, "title": s.title, "outcome": s.outcome, "message": s.message,
                       "fix": s.fix, "latency_ms": None if s.latency_ms is None else round(s.latency_ms, 1),
                       "details": s.details} for s in self.steps],
            "last_successful": {h: self.headers.get(h) for h in LAST_SUCCESSFUL},
            "certificate_thumbprint": self.certificate.thumbprint if self.certificate else None,
        }


Progress = Callable[[StepResult], None]


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


def _client_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # we judge the certificate ourselves, to name what is wrong
    return context


def _redact(text: str, token: str) -> str:
    return text.replace(token, "[token]") if token else text


class _Run:
    def __init__(self, target: ConnectionTarget, progress: Progress | None, now: dt.datetime | None):
        self.t, self.progress, self.now = target, progress, now
        self.report = ConnectionReport(target)

    def add(self, step: StepResult) -> StepResult:
        self.report.steps.append(step)
        if self.progress:
            self.progress(step)
        return step

    def skip_rest(self, titles: list[tuple[str, str]], why: str) -> None:
        for step, title in titles:
            self.add(StepResult(step, title, SKIP, f"Not tried: {why}."))

    # -- steps ------------------------------------------------------------------------------
    def connect(self) -> socket.socket | None:
        t, where = self.t, f"{self.t.host}:{self.t.port}"
        start = time.perf_counter()
        try:
            sock = socket.create_connection((t.host, t.port), timeout=t.timeout)
        except ConnectionRefusedError:
            self.add(StepResult("connect", "Connect", FAIL, f"Nothing listens on {where} (connection refused).",
                                "Is the Microsoft ECMA2Host service stopped (ecma-wizard service start)? "
                                "Is the port right? <Setting><Port> in Configuration.xml and UrlHost in the "
                                "service's .exe.config must name the same port.", _ms(start)))
            return None
        except TimeoutError:
            self.add(StepResult("connect", "Connect", FAIL, f"No answer from {where} within {t.timeout:g} s "
                                "(timed out).", "A firewall drops the connection, or the host name or port "
                                "is wrong; on the host itself use localhost.", _ms(start)))
            return None
        except socket.gaierror:
            self.add(StepResult("connect", "Connect", FAIL, f"The host name {t.host!r} cannot be resolved.",
                                "Check the spelling, or run the test on the host with localhost.", _ms(start)))
            return None
        except OSError as exc:
            self.add(StepResult("connect", "Connect", FAIL, f"Cannot reach {where}: {exc.strerror or exc}.",
                                "Check the network path to the host and the port.", _ms(start)))
            return None
        self.add(StepResult("connect", "Connect", PASS, f"{where} accepts connections.", latency_ms=_ms(start)))
        return sock

    def handshake(self, sock: socket.socket) -> bytes | None:
        t = self.t
        start = time.perf_counter()
        try:
            sock.settimeout(t.timeout)
            with _client_context().wrap_socket(sock, server_hostname=t.host) as tls:
                der = tls.getpeercert(binary_form=True)
                version = tls.version()
        except TimeoutError:
            self.add(StepResult("tls", "TLS handshake", FAIL, f"The port accepted the connection but gave no "
                                f"TLS answer within {t.timeout:g} s (timed out).",
                                "The service may be hung: restart it (ecma-wizard service restart). If it "
                                "persists, another program may be listening on this port.", _ms(start)))
            return None
        except (ssl.SSLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
            self.add(StepResult("tls", "TLS handshake", FAIL, f"The TLS handshake failed ({reason}).",
                                f"No certificate is bound to port {t.port}, or the port does not speak HTTPS: "
                                f"check `netsh http show sslcert ipport=0.0.0.0:{t.port}`, or regenerate the "
                                "certificate (ecma-wizard cert regenerate) and restart the service.", _ms(start)))
            return None
        finally:
            sock.close()
        self.add(StepResult("tls", "TLS handshake", PASS, f"Handshake done ({version}).", latency_ms=_ms(start)))
        return der

    def certificate(self, der: bytes) -> None:
        t = self.t
        info = describe(x509.load_der_x509_certificate(der), source=f"served by {t.host}:{t.port}")
        self.report.certificate = info
        problems: list[tuple[str, str, str]] = []  # (outcome, message, fix)
        expected = normalize_thumbprint(t.expected_thumbprint or "")
        if expected and expected != info.thumbprint:
            problems.append((FAIL, f"The host serves certificate {info.thumbprint}, but Configuration.xml "
                                   f"names {expected}: Entra sees the served one, and quarantines the "
                                   "application when it changes.",
                             REGENERATE_OR_REBIND.format(port=t.port)))
        loopback = t.host.lower() in LOOPBACK
        for f in certificate_findings(info, t.names_to_cover(), now=self.now):
            if f.severity is Severity.INFO or (loopback and f.code == "host-partly-covered"):
                continue
            fix = REGENERATE_OR_REBIND.format(port=t.port) if f.code == "wrong-host" else f.action
            problems.append((FAIL if f.severity is Severity.ERROR else WARN, f.message, fix))
        details = {"thumbprint": info.thumbprint, "subject": info.subject, "names": list(info.sans),
                   "not_after": info.not_after.isoformat()}
        if not problems:
            self.add(StepResult("certificate", "Certificate", PASS,
                                f"Certificate {info.thumbprint} matches the configuration, is valid until "
                                f"{info.not_after:%Y-%m-%d} and covers {', '.join(t.names_to_cover())}.",
                                details=details))
            return
        worst = FAIL if any(p[0] == FAIL for p in problems) else WARN
        self.add(StepResult("certificate", "Certificate", worst, " ".join(p[1] for p in problems),
                            " ".join(dict.fromkeys(p[2] for p in problems if p[2])), details=details))

    def scim_get(self, step: str, title: str, path: str, *, list_expected: bool = False) -> None:
        t = self.t
        url_path = t.base_path + path
        start = time.perf_counter()
        conn = http.client.HTTPSConnection(t.host, t.port, timeout=t.timeout, context=_client_context())
        try:
            conn.request("GET", url_path, headers={"Authorization": f"Bearer {t.token}",
                                                   "Accept": "application/scim+json, application/json",
                                                   "User-Agent": "ecma-wizard-connection-test"})
            response = conn.getresponse()
            body = response.read(256 * 1024).decode("utf-8", "replace")
            status, reason = response.status, response.reason
            headers = {k: v for k, v in response.getheaders()}
        except TimeoutError:
            self.add(StepResult(step, title, FAIL, f"GET {url_path}: no answer within {t.timeout:g} s "
                                "(timed out).", "The service may be busy importing or hung: wait for the "
                                "import to finish, or restart the service.", _ms(start)))
            return
        except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
            self.add(StepResult(step, title, FAIL, f"GET {url_path} failed: {type(exc).__name__}: "
                                f"{_redact(str(exc), t.token)}.", "Run the test again; if it persists, "
                                "restart the service and look at the ECMA2Host event log.", _ms(start)))
            return
        finally:
            conn.close()
        latency = _ms(start)
        for name in LAST_SUCCESSFUL:
            value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
            if value is not None and name not in self.report.headers:
                self.report.headers[name] = value
        self.add(self._judge(step, title, url_path, status, reason, body, headers, list_expected, latency))

    def _judge(self, step: str, title: str, url_path: str, status: int, reason: str, body: str,
               headers: dict[str, str], list_expected: bool, latency: float) -> StepResult:
        t = self.t
        shown = _redact(body.strip(), t.token)[:BODY_SHOWN]
        head = f"GET {url_path}: HTTP {status} {reason}".rstrip()
        details: dict[str, object] = {"status": status}
        if IMPORTING in body.lower():  # any status: the host answers this way until its first import ends
            return StepResult(step, title, WARN, f"{head}: the host is still importing from the "
                              "connected system.", "Normal for 10-20 minutes after the agent is assigned "
                              "or the service restarts: wait, then test again.", latency,
                              {**details, "importing": True})
        if status in (401, 403):
            return StepResult(step, title, FAIL, f"{head}: the host refused the token.",
                              f"The token differs from the Secret Token of connector '{t.connector}' on the "
                              "host: use the token saved in the host's wizard (the same one Entra has), or "
                              "set a new one on both sides.", latency, details)
        if status == 404 or "invalid resource" in body.lower():
            near = [n for n in t.known_connectors if n.lower() == t.connector.lower() and n != t.connector]
            hint = f" Did you mean '{near[0]}'?" if near else ""
            return StepResult(step, title, FAIL, f"{head}: the host has no connector at this address "
                              f"({shown[:200] or 'no body'}).", f"Check the connector name and its case "
                              f"(names are case sensitive): the Tenant URL must be {t.tenant_url}.{hint}",
                              latency, details)
        if status >= 500:
            return StepResult(step, title, FAIL, f"{head}. The host answered: {shown or '(empty body)'}",
                              "The connector failed inside the host: read the ECMA2Host event log "
                              "(ecma-wizard logs) for the error, fix it, then retest.", latency, details)
        if status != 200:
            return StepResult(step, title, FAIL, f"{head}. {shown}".strip(),
                              "Unexpected answer: look at the ECMA2Host event log.", latency, details)
        kind = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        try:
            data = json.loads(body)
        except ValueError:
            if step == "cache":  # a cache larger than what was read is still a cache
                return _judge_cache(step, title, head, None, body, kind, latency, details)
            return StepResult(step, title, WARN, f"{head}, but the body is not JSON ({kind or 'no type'}).",
                              "Something other than ECMA2Host may answer on this port.", latency, details)
        if step == "cache":
            return _judge_cache(step, title, head, data, body, kind, latency, details)
        if list_expected:
            total = data.get("totalResults") if isinstance(data, dict) else None
            details["total_results"] = total
            message = f"{head}, SCIM ListResponse ({total} result(s) for a filter that matches nobody)."
        else:
            count = len(data.get("Resources", [])) if isinstance(data, dict) else 0
            details["schemas"] = count
            message = f"{head}, {count} schema(s)."
        if "scim+json" not in kind.lower():
            return StepResult(step, title, WARN, message + f" Content type is {kind or 'missing'}, "
                              "not application/scim+json.", "", latency, details)
        return StepResult(step, title, PASS, message, "", latency, details)


def _judge_cache(step: str, title: str, head: str, data: Any, body: str, kind: str, latency: float,
                 details: dict[str, object]) -> StepResult:
    """The import cache's shape is not published; Microsoft's guides read an answer longer than
    9 characters as "objects were imported". Count objects where the JSON shows a list."""
    count = None
    if isinstance(data, list):
        count = len(data)
    elif isinstance(data, dict):
        if isinstance(data.get("Resources"), list):
            count = len(data["Resources"])
        elif isinstance(data.get("totalResults"), int):
            count = data["totalResults"]
    details["cached_objects"] = count
    if count == 0 or (count is None and len(body.strip()) <= 9):
        return StepResult(step, title, WARN, f"{head}: the import cache is empty.",
                          "The host has imported nothing yet: wait for the first import (10-20 minutes "
                          "after assignment or a restart), then look at the ECMA2Host event log for "
                          "import errors.", latency, details)
    shown = f"{count} object(s) cached" if count is not None else f"{len(body)} characters cached"
    return StepResult(step, title, PASS, f"{head}, {shown}.", "", latency, details)


def run_connection_test(target: ConnectionTarget, *, progress: Progress | None = None,
                        now: dt.datetime | None = None) -> ConnectionReport:
    """Run every step; a step that cannot run because an earlier one failed is reported as skipped."""
    run = _Run(target, progress, now)
    later = [("tls", "TLS handshake"), ("certificate", "Certificate"), ("users", "SCIM Users"),
             ("schemas", "SCIM Schemas"), ("cache", "Import cache")]
    sock = run.connect()
    if sock is None:
        run.skip_rest(later, "the connection failed")
        return run.report
    der = run.handshake(sock)
    if der is None:
        run.skip_rest(later[1:], "the TLS handshake failed")
        return run.report
    run.certificate(der)
    probe = quote(f'userName eq "ecma-wizard-test-{uuid.uuid4().hex[:12]}"', safe="")
    run.scim_get("users", "SCIM Users", f"/Users?filter={probe}", list_expected=True)
    run.scim_get("schemas", "SCIM Schemas", "/Schemas")
    # With the token, as Microsoft's guides do (TestECMA2HostConnection.ps1 -ObjectTypePath cache);
    # never by switching authentication off.
    run.scim_get("cache", "Import cache", "/cache")
    return run.report
