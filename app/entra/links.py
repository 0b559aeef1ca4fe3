"""Which enterprise application (service principal) each connector feeds, kept in our own settings
file (`entra.json` in the app's data folder), never in Configuration.xml; and the sign-in settings
(tenant, client id), which are not secret.

Use it like this::

    settings = EntraSettings.load()
    settings.link(host_key(layout), "CSV", Link("sp-id", "HR export", job="scim.abc", how="search"))
    settings.save()
    settings.links_for(host_key(layout))         # {"CSV": Link(...)}
    connector_of_tenant_url("https://h:8585/ecma2host_CSV/scim")   # -> "CSV"

Finding the application: by the Tenant URL Entra keeps in the job's secrets (BaseAddress, read with
a GET with no reference page of its own, which Microsoft's skip-out-of-scope how-to uses: docs/entra.md),
else by a display-name or app-id search.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.entra.graph import GraphClient, GraphError, GraphErrorKind, clean, quote
from app.errors import UserError
from app.filestore import atomic_write
from app.host.layout import HostLayout
from app.paths import data_dir

SETTINGS_FILE = "entra.json"
APP_READ = "Application.Read.All"
TENANT_URL = re.compile(r"^https://[^/]+/ecma2host_(?P<connector>[^/]+)/scim/?$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def connector_of_tenant_url(url: str) -> str | None:
    """The connector name in a Tenant URL `https://HOST:PORT/ecma2host_<connector>/scim`."""
    match = TENANT_URL.match(url.strip())
    return match.group("connector") if match else None


def tenant_url(host: str, port: int | str, connector: str) -> str:
    """The Tenant URL Entra needs for a connector (docs/host-facts.md §4)."""
    return f"https://{host}:{port}/ecma2host_{connector}/scim"


def host_key(layout: HostLayout) -> str:
    """Links belong to one host's configuration: two hosts may both have a connector 'HR'."""
    return str(Path(layout.config_path).resolve())


HOW = {"tenant-url": "found by its Tenant URL", "search": "chosen from a search", "manual": "given by id"}


@dataclass(frozen=True)
class Link:
    service_principal: str
    display_name: str = ""
    job: str | None = None
    how: str = "manual"  # tenant-url | search | manual


@dataclass
class SignInSettings:
    tenant: str = ""
    client_id: str = ""
    authority_host: str = "https://login.microsoftonline.com"
    graph_url: str = "https://graph.microsoft.com"


@dataclass
class EntraSettings:
    path: Path
    sign_in: SignInSettings = field(default_factory=SignInSettings)
    links: dict[str, dict[str, Link]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> EntraSettings:
        path = path or data_dir() / SETTINGS_FILE
        settings = cls(path)
        if not path.exists():
            return settings
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            sign_in = raw.get("sign_in") or {}
            settings.sign_in = SignInSettings(**{k: str(v) for k, v in sign_in.items()
                                                 if k in SignInSettings.__dataclass_fields__})
            for host, links in (raw.get("links") or {}).items():
                settings.links[host] = {name: Link(**{k: v for k, v in link.items()
                                                      if k in Link.__dataclass_fields__})
                                        for name, link in links.items()}
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise UserError(f"the Entra settings cannot be read ({type(exc).__name__}); fix or delete "
                            "the file to start again.", path=path) from None
        return settings

    def save(self) -> None:
        data = {"version": 1, "sign_in": asdict(self.sign_in),
                "links": {host: {name: asdict(link) for name, link in links.items()}
                          for host, links in self.links.items()}}
        atomic_write(self.path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))

    def links_for(self, host: str) -> dict[str, Link]:
        return dict(self.links.get(host, {}))

    def link(self, host: str, connector: str, link: Link) -> None:
        self.links.setdefault(host, {})[connector] = link

    def unlink(self, host: str, connector: str) -> bool:
        return self.links.get(host, {}).pop(connector, None) is not None


@dataclass(frozen=True)
class Candidate:
    """A service principal that may be the connector's application."""

    id: str
    app_id: str
    display_name: str
    tenant_url: str | None = None  # BaseAddress from the job's secrets, when Graph let us read it

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def search_applications(client: GraphClient, text: str) -> list[Candidate]:
    """Service principals whose display name contains `text`, or whose appId is `text`
    (GET /servicePrincipals with $search or $filter, v1.0; needs Application.Read.All)."""
    text = text.strip()
    if not text or '"' in text:
        raise UserError("give a display name (without double quotes) or an application id to search for.")
    select = "$select=id,appId,displayName&$top=25"
    if GUID.match(text):
        path = f"/servicePrincipals?$filter=appId eq '{text}'&{select}".replace(" ", "%20")
        answer = client.get(path, permission=APP_READ)
    else:
        search = quote(f'"displayName:{text}"')
        answer = client.get(f"/servicePrincipals?$search={search}&{select}", permission=APP_READ,
                            headers={"ConsistencyLevel": "eventual"})
    values = answer.get("value") if isinstance(answer, dict) else None
    if not isinstance(values, list):
        raise GraphError("Microsoft Graph answered the service principal search without a 'value' list.",
                         kind=GraphErrorKind.MALFORMED)
    return [Candidate(clean(str(v.get("id", ""))), clean(str(v.get("appId", ""))),
                      clean(str(v.get("displayName", ""))))
            for v in values if isinstance(v, dict) and v.get("id")]


def display_name(client: GraphClient, sp: str) -> str:
    """The application's display name (GET /servicePrincipals/{id}, v1.0), "" when not readable."""
    try:
        answer = client.get(f"/servicePrincipals/{quote(sp)}?$select=displayName", permission=APP_READ)
    except GraphError as exc:
        if exc.kind in (GraphErrorKind.OFFLINE, GraphErrorKind.EXPIRED, GraphErrorKind.UNTRUSTED,
                        GraphErrorKind.NOT_FOUND):
            raise
        return ""
    return clean(str(answer.get("displayName") or "")) if isinstance(answer, dict) else ""


def job_tenant_url(client: GraphClient, sp: str) -> str | None:
    """BaseAddress from the job's secrets, or None when Graph does not show it. Only BaseAddress is
    kept: any other value in the answer (the token) is dropped at once."""
    try:
        answer = client.get(f"/servicePrincipals/{quote(sp)}/synchronization/secrets",
                            permission="Synchronization.Read.All")
    except GraphError as exc:
        if exc.kind in (GraphErrorKind.OFFLINE, GraphErrorKind.EXPIRED, GraphErrorKind.UNTRUSTED):
            raise
        return None  # not readable here: fall back to the name
    values = answer.get("value") if isinstance(answer, dict) else answer
    for pair in values if isinstance(values, list) else []:
        if isinstance(pair, dict) and pair.get("key") == "BaseAddress" and isinstance(pair.get("value"), str):
            return clean(pair["value"])
    return None


def detect(client: GraphClient, connector: str, search_text: str | None = None) -> tuple[Link | None, list[Candidate]]:
    """(the link when exactly one application's Tenant URL names this connector, the candidates
    looked at). Candidates come from a search for `search_text` (default: the connector's name)."""
    candidates = search_applications(client, search_text or connector)
    looked: list[Candidate] = []
    for c in candidates:
        url = job_tenant_url(client, c.id)
        looked.append(Candidate(c.id, c.app_id, c.display_name, url))
    matches = [c for c in looked if c.tenant_url and connector_of_tenant_url(c.tenant_url) == connector]
    if len(matches) == 1:
        m = matches[0]
        return Link(m.id, m.display_name, how="tenant-url"), looked
    return None, looked
