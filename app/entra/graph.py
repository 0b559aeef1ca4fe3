"""A small Microsoft Graph client over http.client: TLS always verified, bounded retries, and one
sentence per failure (docs/entra.md §3).

Use it like this::

    client = GraphClient(token_source, base_url="https://graph.microsoft.com")
    jobs = client.get("/servicePrincipals/ID/synchronization/jobs",
                      permission="Synchronization.Read.All")
    client.post(".../start", permission="Synchronization.ReadWrite.All")   # -> None on 204

Every failure is a `GraphError` (a UserError: one sentence, CLI exit 2) with a `kind`, a
`GraphErrorKind`: expired, forbidden, not-found, throttled, server, malformed, offline, untrusted,
refused. The access token,
and any value passed as `secret_values`, never appear in a message.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import math
import os
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from app.entra.written import graph_write
from app.errors import UserError, printable
from app.masking import SecretMasker

log = logging.getLogger(__name__)

DEFAULT_GRAPH = "https://graph.microsoft.com"
API_VERSION = "v1.0"
OFFLINE = "Microsoft Graph cannot be reached from this machine"
MAX_ATTEMPTS = 5
MAX_TOTAL_SECONDS = 60.0
TIMEOUT = 20.0
# The whole call (every attempt, every wait, every byte of every answer) ends by this deadline,
# whatever the server does: a server sending one byte every few seconds never trips a per-read
# timeout, so a watchdog closes the connection when the deadline passes.
DEADLINE_SECONDS = 90.0
MAX_ANSWER = 8 * 1024 * 1024
RETRY_STATUSES = (429, 500, 502, 503, 504)


class TokenSource(Protocol):
    """Where access tokens come from: an environment variable, or MSAL (app/entra/signin.py)."""

    description: str

    def access_token(self) -> str:
        """A current access token; raises UserError (one sentence) when none can be had."""


class GraphErrorKind(StrEnum):
    """How a Graph call failed. A StrEnum so a kind still prints and serialises as its word."""

    EXPIRED = "expired"        # 401: the token expired or was refused
    FORBIDDEN = "forbidden"    # 403: the account lacks the permission
    NOT_FOUND = "not-found"    # 404: the application, job or user is not there
    THROTTLED = "throttled"    # 429 after every retry
    SERVER = "server"          # 5xx after every retry
    MALFORMED = "malformed"    # an answer that is not the documented JSON shape
    OFFLINE = "offline"        # no connection, or too slow
    UNTRUSTED = "untrusted"    # TLS: the server's certificate is not trusted here
    REFUSED = "refused"        # any other 4xx


# Graph could not be asked at all, or this sign-in may not ask: the answer says nothing about the
# thing asked for, so callers that turn "Entra said no" into a result re-raise these instead.
NOT_ASKED = frozenset({GraphErrorKind.OFFLINE, GraphErrorKind.UNTRUSTED, GraphErrorKind.EXPIRED,
                       GraphErrorKind.FORBIDDEN, GraphErrorKind.NOT_FOUND})


class GraphError(UserError):
    """A Graph call failed; `kind` says how, `status` is the HTTP status (0 when none)."""

    def __init__(self, message: str, *, kind: GraphErrorKind, status: int = 0) -> None:
        super().__init__(message)
        # a misspelt kind is a mypy error; one that reaches here anyway (untyped code) raises at once
        if not isinstance(kind, GraphErrorKind):
            raise TypeError(f"GraphError kind must be a GraphErrorKind, not {kind!r}")
        self.kind = kind
        self.status = status


@dataclass
class RetryPolicy:
    """How long to keep trying: at most `attempts` calls and `total` seconds of waiting."""

    attempts: int = MAX_ATTEMPTS
    total: float = MAX_TOTAL_SECONDS
    first_backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    waits: list[float] = field(default_factory=list)  # what was waited, for tests and the log


def tls_context() -> ssl.SSLContext:
    """Verification always on; SSL_CERT_FILE adds a private CA (also on Windows, where Python
    otherwise reads only the system store)."""
    context = ssl.create_default_context()
    extra = os.environ.get("SSL_CERT_FILE", "").strip()
    if extra:
        try:
            context.load_verify_locations(cafile=extra)
        except (OSError, ssl.SSLError) as exc:
            raise UserError(f"SSL_CERT_FILE names {extra}, which cannot be read as PEM certificates "
                            f"({type(exc).__name__}).") from None
    return context


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds (a number or an HTTP date), None when absent or unreadable (negative,
    not finite, not a date: the caller says so and falls back to its own backoff)."""
    if not value:
        return None
    value = value.strip()[:100]
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    try:
        return max(0.0, when.timestamp() - (now if now is not None else time.time()))
    except (OverflowError, ValueError, OSError):
        return None


def _duration(seconds: float) -> str:
    return "more than a day" if seconds > 86400 else f"{seconds:.0f} s"


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with each secret (4 characters or more) replaced by [hidden], in whatever spelling it
    appears (app/masking.py: as sent, JSON-escaped once or twice, URL-encoded, as an HTML/XML
    reference, composed or decomposed, in any case or spacing)."""
    kept = [s for s in secrets if s and len(s) >= 4]
    return SecretMasker(kept, "[hidden]")(text) if kept else text


# -- what Graph says, made safe to show ------------------------------------------------------------
# Text from Graph is shown through app/errors.printable: control characters escaped, never raw.
clean = printable


def load_json(raw: bytes | str) -> Any:
    """json.loads that turns nesting too deep for Python (100,000 brackets) into a ValueError."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("nested too deeply") from None


class GraphClient:
    def __init__(self, tokens: TokenSource, *, base_url: str = DEFAULT_GRAPH, version: str = API_VERSION,
                 timeout: float = TIMEOUT, retry: RetryPolicy | None = None,
                 context: ssl.SSLContext | None = None, deadline: float = DEADLINE_SECONDS) -> None:
        parsed = urllib.parse.urlsplit(base_url.strip())
        if parsed.scheme != "https" or not parsed.hostname:
            raise UserError(f"--graph-url must be an https:// address (got {base_url!r}).")
        self.host = parsed.hostname
        self.port = parsed.port or 443
        self.base_url = f"https://{parsed.netloc}"
        self.prefix = "/" + version.strip("/")
        self.tokens = tokens
        self.timeout = timeout
        self.deadline = deadline  # seconds for a whole call, retries and waits included
        self.retry = retry or RetryPolicy()
        self._context = context

    # -- the verbs ------------------------------------------------------------------------------
    def get(self, path: str, *, permission: str, headers: dict[str, str] | None = None,
            missing: str | None = None) -> Any:
        return self.call("GET", path, permission=permission, headers=headers, missing=missing)

    def post(self, path: str, body: Any = None, *, permission: str, secret_values: list[str] | None = None) -> Any:
        with graph_write("POST", path, body):  # every write to the tenant is journaled
            return self.call("POST", path, body, permission=permission, secret_values=secret_values)

    def put(self, path: str, body: Any = None, *, permission: str, secret_values: list[str] | None = None) -> Any:
        with graph_write("PUT", path, body):
            return self.call("PUT", path, body, permission=permission, secret_values=secret_values)

    def call(self, method: str, path: str, body: Any = None, *, permission: str,
             headers: dict[str, str] | None = None, secret_values: list[str] | None = None,
             missing: str | None = None) -> Any:
        """The parsed JSON answer, or None for an empty one (204). Retries 429 and 5xx within the
        policy's bounds; everything else fails at once with one sentence (`missing`: the one for
        a 404, when the object is not an application)."""
        token = self.tokens.access_token()
        hidden = [token, *(secret_values or [])]
        data = None if body is None else json.dumps(body).encode("utf-8")
        send = {"Authorization": f"Bearer {token}", "Accept": "application/json",
                "User-Agent": "ecma-host-wizard", **(headers or {})}
        if data is not None:
            send["Content-Type"] = "application/json"
        target = self.prefix + path
        policy = self.retry
        deadline = time.monotonic() + self.deadline
        waited = 0.0
        odd = ""  # a Retry-After this tool could not use, said in the final sentence
        for attempt in range(1, policy.attempts + 1):
            status, reply_headers, raw = self._send(method, target, data, send, hidden, deadline)
            if status not in RETRY_STATUSES:
                return self._answer(method, path, status, raw, permission, hidden, missing)
            header = reply_headers.get("retry-after")
            wait = retry_after_seconds(header)
            if wait is None and header is not None:
                odd = (f" (its Retry-After header, {clean(header.strip()[:40])!r}, is not a wait in seconds or "
                       "a date, so this tool used its own short waits)")
            asked = wait is not None
            if wait is None:
                wait = policy.first_backoff * (2 ** (attempt - 1))
            too_long = waited + wait > policy.total or time.monotonic() + wait > deadline
            if asked and too_long:
                raise GraphError(f"Microsoft Graph answered HTTP {status} and asked to wait {_duration(wait)} "
                                 f"before trying again, longer than this command waits ({policy.total:.0f} s in "
                                 f"all); try again {'in a few minutes' if status == 429 else 'later'}.",
                                 kind=GraphErrorKind.THROTTLED if status == 429 else GraphErrorKind.SERVER,
                                 status=status)
            if attempt == policy.attempts or too_long:
                break
            log.info("Graph %s %s answered %s; retry %d after %.1f s", method, path, status, attempt, wait)
            policy.waits.append(wait)
            policy.sleep(wait)
            waited += wait
        if status == 429:
            raise GraphError(f"Microsoft Graph kept throttling this client (429 Too Many Requests) after "
                             f"{attempt} attempt(s) and {waited:.0f} s of waiting{odd}; try again in a few "
                             "minutes.", kind=GraphErrorKind.THROTTLED, status=429)
        raise GraphError(f"Microsoft Graph kept failing with HTTP {status} after {attempt} attempt(s) "
                         f"and {waited:.0f} s of waiting{odd}; Microsoft's side has a problem, try again later"
                         f"{self._detail(raw, hidden)}.", kind=GraphErrorKind.SERVER, status=status)

    # -- one request ----------------------------------------------------------------------------
    def proxy(self) -> tuple[str, int] | None:
        """HTTPS_PROXY (or the system's proxy settings), unless NO_PROXY names Graph's host."""
        address = urllib.request.getproxies().get("https")
        if not address or urllib.request.proxy_bypass(self.host):
            return None
        parsed = urllib.parse.urlsplit(address if "://" in address else f"http://{address}")
        return (parsed.hostname, parsed.port or 8080) if parsed.hostname else None

    def _send(self, method: str, target: str, data: bytes | None, headers: dict[str, str],
              hidden: list[str], deadline: float | None = None) -> tuple[int, dict[str, str], bytes]:
        proxy = self.proxy()
        via = f" through the proxy {proxy[0]}:{proxy[1]}" if proxy else ""
        left = (deadline - time.monotonic()) if deadline is not None else self.deadline
        slow = GraphError(f"{OFFLINE} in time ({self.base_url}{via}: the answer had not arrived after "
                          f"{self.deadline:.0f} s in all, so the server or a proxy is sending it too slowly); the "
                          "host side (connectors, certificates, event log) keeps working without it.",
                          kind=GraphErrorKind.OFFLINE)
        if left <= 0:
            raise slow
        context = self._context or tls_context()
        timeout = min(self.timeout, left)
        if proxy is None:
            connection = http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=context)
        else:  # a CONNECT tunnel: TLS (and its verification) still runs end to end with Graph
            connection = http.client.HTTPSConnection(proxy[0], proxy[1], timeout=timeout, context=context)
            connection.set_tunnel(self.host, self.port)
        expired = threading.Event()

        def expire() -> None:  # the deadline passed: end the connection under whatever read waits
            expired.set()
            if connection.sock is not None:
                try:
                    socket.socket.shutdown(connection.sock, socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(left, expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.request(method, target, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read(MAX_ANSWER)
            if expired.is_set():
                raise slow
            return response.status, {k.lower(): v for k, v in response.getheaders()}, raw
        except ssl.SSLCertVerificationError as exc:
            raise GraphError(f"the certificate {self.host} presented is not trusted on this machine "
                             f"({exc.verify_message}); behind a TLS-inspecting proxy, set SSL_CERT_FILE to "
                             "its CA certificate (PEM).", kind=GraphErrorKind.UNTRUSTED) from None
        except (OSError, http.client.HTTPException) as exc:  # refused, no route, DNS, timeout, reset
            if expired.is_set():
                raise slow from None
            reason = scrub(clean(getattr(exc, "strerror", None) or type(exc).__name__), hidden)
            if isinstance(exc, socket.gaierror):
                reason = f"the name {self.host} does not resolve"
            elif isinstance(exc, TimeoutError | socket.timeout):
                reason = f"no answer within {timeout:.0f} s"
            raise GraphError(f"{OFFLINE} ({self.base_url}{via}: {reason}); the host side (connectors, "
                             "certificates, event log) keeps working without it.",
                             kind=GraphErrorKind.OFFLINE) from None
        finally:
            watchdog.cancel()
            connection.close()

    def _answer(self, method: str, path: str, status: int, raw: bytes, permission: str,
                hidden: list[str], missing: str | None = None) -> Any:
        if 200 <= status < 300:
            if not raw.strip():
                return None
            try:
                return json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise GraphError(f"Microsoft Graph answered {method} {path} with something that is not "
                                 f"JSON ({type(exc).__name__} at byte {getattr(exc, 'pos', 0)}); a proxy may "
                                 "have replaced the answer.",
                                 kind=GraphErrorKind.MALFORMED, status=status) from None
            except RecursionError:
                raise GraphError(f"Microsoft Graph answered {method} {path} with JSON nested too deeply to "
                                 "read (no answer of the documented shape is); a proxy or a server that is not "
                                 "Graph may have sent it.",
                                 kind=GraphErrorKind.MALFORMED, status=status) from None
        detail = self._detail(raw, hidden)
        if status == 401:
            raise GraphError(f"Microsoft Graph refused the access token (401: expired or not valid for "
                             f"{self.base_url}); sign in again (ecma-wizard entra sign-in) or give a fresh "
                             f"token{detail}.", kind=GraphErrorKind.EXPIRED, status=401)
        if status == 403:
            raise GraphError(f"the signed-in account or application lacks the permission {permission} "
                             f"for {method} {path} (403); grant it (admin consent) or sign in with an "
                             f"account that has it{detail}.", kind=GraphErrorKind.FORBIDDEN, status=403)
        if status == 404 and missing:
            raise GraphError(missing, kind=GraphErrorKind.NOT_FOUND, status=404)
        if status == 404:
            raise GraphError(f"{path} does not exist in Entra (404): the enterprise application or its "
                             "provisioning job was deleted, or the link names the wrong one; link the "
                             f"connector again (ecma-wizard entra link){detail}.",
                             kind=GraphErrorKind.NOT_FOUND, status=404)
        raise GraphError(f"Microsoft Graph refused {method} {path} (HTTP {status}){detail}.",
                         kind=GraphErrorKind.REFUSED, status=status)

    @staticmethod
    def _detail(raw: bytes, hidden: list[str]) -> str:
        """Graph's own error code and message, shortened, with our secrets taken out (in any
        spelling) and control characters made visible."""
        try:
            error = load_json(raw).get("error") or {}
            text = f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
        except (ValueError, AttributeError, UnicodeDecodeError):
            return ""
        text = clean(" ".join(scrub(str(text), hidden).split()))
        text = scrub(text, hidden)[:200]  # again: a secret spelled with control characters now shows
        return f" ({text})" if text else ""


def quote(segment: str) -> str:
    """One path segment (an id), escaped."""
    return urllib.parse.quote(segment, safe="")
