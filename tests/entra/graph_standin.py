"""A Microsoft Graph stand-in: real HTTPS on 127.0.0.1 with a generated certificate (the way the
SCIM responder of the connection test runs), answering from the documented v1.0 shapes.

Each service principal id picks how it behaves: `sp-healthy`, `sp-quarantine`, `sp-paused`,
`sp-errors`, `sp-401`, `sp-403`, `sp-404`, `sp-429` (429 with Retry-After: 2, then the job),
`sp-5xx-once` (503 then the job), `sp-5xx` (503 forever), `sp-malformed` (200, not JSON).
Synchronization secrets are kept per application (`GraphStandIn.secrets`) and behave as Microsoft
documents: GET shows the set with passwords masked, PUT replaces the whole set.
Requests are recorded (method, path, body, Authorization) for the tests to check.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import serialization

from tests.entra import samples

ACCESS_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOi.planted-graph-access-token.Zx9Qm4Tr7"
HOST_URL_BASE = "https://ecmahost.contoso.com:8585/ecma2host_{}/scim"
# Keys the GET answers with "*" instead of their value (Microsoft support's Cloud Sync architecture
# overview shows {"key": "Password", "value": "*"}; the token is taken to be masked the same way).
MASKED = ("SecretToken", "Password")
APPLICATIONS = [  # (id, appId, displayName, connector in its Tenant URL)
    ("sp-healthy", "11111111-1111-4111-8111-111111111111", "CSV provisioning", "CSV"),
    ("sp-quarantine", "22222222-2222-4222-8222-222222222222", "HR database provisioning", "HRDatabase"),
    ("sp-other", "33333333-3333-4333-8333-333333333333", "CSV provisioning (test tenant copy)", "CSV-test"),
]


class _Handler(BaseHTTPRequestHandler):
    server_version = "Microsoft-IIS/10.0"
    timeout = 5

    def log_message(self, *args):
        pass

    def _send(self, status: int, body=None, extra=None, raw: bytes | None = None):
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        stand_in = self.server.stand_in
        stand_in.requests.append((method, self.path, body, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            return self._send(401, samples.graph_error("InvalidAuthenticationToken", "Access token has expired "
                                                       "or is not yet valid."))
        path = urllib.parse.urlsplit(self.path)
        if method == "GET" and path.path == "/v1.0/servicePrincipals":
            query = urllib.parse.unquote(path.query)
            found = [{"id": i, "appId": a, "displayName": d} for i, a, d, _ in APPLICATIONS
                     if re.search(r"displayName:([^\"]+)", query) and
                     re.search(r"displayName:([^\"]+)", query).group(1).lower() in d.lower()
                     or f"appId eq '{a}'" in query]
            return self._send(200, {"value": found})
        user = re.match(r"^/v1\.0/users/([^/]+)$", path.path)
        if method == "GET" and user:
            upn = urllib.parse.unquote(user.group(1))
            if upn != "adele.vance@contoso.com":
                return self._send(404, samples.graph_error("Request_ResourceNotFound", f"Resource '{upn}' does not exist."))
            return self._send(200, {"id": "9bb0f679-a883-4a6f-8260-35b491b8b8c8", "userPrincipalName": upn})
        one = re.match(r"^/v1\.0/servicePrincipals/([^/]+)$", path.path)
        if method == "GET" and one:
            name = next((d for i, _, d, _ in APPLICATIONS if i == one.group(1)), f"{one.group(1)} application")
            return self._send(200, {"id": one.group(1), "displayName": name})
        match = re.match(r"^/v1\.0/servicePrincipals/([^/]+)/synchronization/(.*)$", path.path)
        if not match:
            return self._send(404, samples.graph_error("Request_ResourceNotFound", "Resource not found."))
        sp, rest = match.group(1), match.group(2)
        mode = sp.removeprefix("sp-")
        if mode in ("401", "403", "404"):
            code = {"401": "InvalidAuthenticationToken", "403": "Authorization_RequestDenied",
                    "404": "Request_ResourceNotFound"}[mode]
            return self._send(int(mode), samples.graph_error(code, "Insufficient privileges to complete the "
                                                             "operation." if mode == "403" else "Not found."))
        if mode == "429":
            stand_in.counts[sp] = stand_in.counts.get(sp, 0) + 1
            if stand_in.counts[sp] == 1:
                return self._send(429, samples.graph_error("TooManyRequests", "Too many requests."),
                                  {"Retry-After": "2"})
            mode = "healthy"
        if mode in ("5xx-once", "5xx"):
            stand_in.counts[sp] = stand_in.counts.get(sp, 0) + 1
            if mode == "5xx" or stand_in.counts[sp] == 1:
                return self._send(503, samples.graph_error("ServiceUnavailable", "Service unavailable."))
            mode = "healthy"
        if mode == "malformed":
            return self._send(200, raw=b"<html><body>Proxy login required</body></html>")
        state = mode if mode in samples.STATES else "healthy"
        if method == "GET" and rest == "jobs":
            return self._send(200, samples.jobs(state))
        if method == "GET" and rest == f"jobs/{samples.JOB_ID}":  # Get synchronizationJob (v1.0)
            return self._send(200, samples.job(state))
        if rest == "secrets" and method in ("GET", "PUT"):
            kept = stand_in.secrets.get(sp)
            if kept is None:
                return self._send(403, samples.graph_error("Authorization_RequestDenied", "Denied."))
            if method == "PUT":  # the set given replaces the set kept (module docstring)
                stand_in.secrets[sp] = [dict(p) for p in (body or {}).get("value", [])]
                return self._send(204)
            return self._send(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection("
                                                      "microsoft.graph.synchronizationSecretKeyStringValuePair)",
                                    "value": [{"key": p["key"], "value": "*" if p["key"] in MASKED else p["value"]}
                                              for p in kept]})
        if method == "GET" and rest.endswith("/schema"):
            return self._send(200, samples.schema())
        if method == "POST" and rest.endswith("/provisionOnDemand"):
            return self._send(200, samples.provision_answer())
        if method == "POST" and rest.endswith("/validateCredentials") and mode == "quarantine":
            return self._send(400, samples.graph_error(
                "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable",
                "An error occurred while sending the request."))
        if method == "POST" and re.search(r"/(start|pause|restart|validateCredentials)$", rest):
            return self._send(204)
        return self._send(404, samples.graph_error("Request_ResourceNotFound", "Resource not found."))

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")


def initial_secrets(connector: str, *, masked_password: bool = False) -> list[dict[str, str]]:
    """What an ECMA application's job keeps in its secrets once an administrator set it up: the two
    admin credentials plus the settings the admin center writes there (the notification e-mail and
    the accidental-deletion threshold in SyncNotificationSettings, SyncAll) and the flag Microsoft's
    skip-out-of-scope how-to adds. Shapes: the PUT example of Graph's "Add synchronization secrets"
    page and the GET sample of Microsoft support's Cloud Sync architecture overview."""
    pairs = [{"key": "BaseAddress", "value": HOST_URL_BASE.format(connector)},
             {"key": "SecretToken", "value": f"entra-kept-token-{connector}-0123456789"},
             {"key": "SyncNotificationSettings", "value": json.dumps(
                 {"Enabled": True, "Recipients": "provisioning-alerts@contoso.com", "DeleteThresholdEnabled": True,
                  "DeleteThresholdValue": 500}, separators=(",", ":"))},
             {"key": "SyncAll", "value": "false"},
             {"key": "SkipOutOfScopeDeletions", "value": "True"}]
    if masked_password:
        pairs.append({"key": "Password", "value": "the-real-password-Entra-keeps"})
    return pairs


class GraphStandIn:
    def __init__(self, tmp_path, cert):
        import ssl

        self.requests: list[tuple[str, str, object, str | None]] = []
        self.counts: dict[str, int] = {}
        # Each application's synchronization secrets, as Entra keeps them; PUT replaces the whole
        # set (Microsoft's skip-out-of-scope how-to: GET, change, PUT everything back). `sp-other-
        # secret` keeps a Password, which the GET returns masked as "*" like the SecretToken.
        self.secrets: dict[str, list[dict[str, str]]] = {i: initial_secrets(c) for i, _, _, c in APPLICATIONS}
        self.secrets["sp-other-secret"] = initial_secrets("CSV", masked_password=True)
        cert_file, key_file = tmp_path / "graph.crt", tmp_path / "graph.key"
        cert_file.write_bytes(cert.cert_pem())
        key_file.write_bytes(cert.private_key.private_bytes(  # test-only key, deleted with tmp_path
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.ca_file = cert_file
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.stand_in = self
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.url = f"https://localhost:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def calls(self, method: str | None = None) -> list[tuple[str, str, object, str | None]]:
        return [r for r in self.requests if method in (None, r[0])]

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        assert not self._thread.is_alive(), "the Graph stand-in did not stop in time"


class ConnectProxy:
    """A minimal HTTPS proxy (CONNECT tunnels only) on 127.0.0.1 that records where it was asked to go."""

    def __init__(self, target_port: int):
        import socket

        self.target_port = target_port
        self.tunnels: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)  # the accept loop looks at _stop ten times a second
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=self._tunnel, args=(client,), daemon=True)
            self._threads.append(worker)
            worker.start()

    def _tunnel(self, client):
        import select
        import socket

        client.settimeout(5)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(1024)
            if not chunk:
                client.close()
                return
            head += chunk
        self.tunnels.append(head.split(b" ")[1].decode())
        upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with client, upstream:
            while not self._stop.is_set():
                ready, _, _ = select.select([client, upstream], [], [], 0.1)
                for sock in ready:
                    try:
                        data = sock.recv(65536)
                        if data:
                            (upstream if sock is client else client).sendall(data)
                    except OSError:  # one side hung up mid-handshake (the refused certificate)
                        data = b""
                    if not data:
                        return

    def close(self):
        self._stop.set()
        for t in self._threads:
            t.join(5)
        self._server.close()
