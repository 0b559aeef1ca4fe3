"""Write the connector's Tenant URL and secret token into the job's secrets the way Microsoft's own
procedure does it: read the whole set, change our two keys, write the whole set back
(docs/entra.md §2, "Secrets: read, merge, write back").

Why not just PUT our two keys: `PUT .../synchronization/secrets` stores the set it is given, so a
set of two drops every other key the application keeps there: SyncNotificationSettings (the
notification e-mail and the accidental-deletion threshold), SyncAll, SkipOutOfScopeDeletions...
Microsoft's how-to "Skip deletion of user accounts that go out of scope" changes one key by GETting
the secrets, editing the answer and PUTting all of it back; this module does the same.

Use it like this::

    kept = push_credentials(client, sp_id, "https://host:8585/ecma2host_CSV/scim", token)
    kept   # ["SyncNotificationSettings", "SyncAll", ...]: the other keys written back unchanged
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.host.layout import HostLayout

from app.entra.graph import GraphClient, GraphError, GraphErrorKind, quote
from app.errors import UserError

WRITE = "Synchronization.ReadWrite.All"
OURS = ("BaseAddress", "SecretToken")
# A value Graph hides when it answers the GET: a password comes back as "*" (Microsoft support's
# Cloud Sync architecture overview shows {"key": "Password", "value": "*"} in its Graph sample;
# the skip-out-of-scope how-to has the reader type the password again before the PUT).
MASK_CHARACTERS = frozenset("*")
# Keys whose values are secrets in their own right: hidden from every message, like the token.
SECRET_KEYS = frozenset({"Password", "SecretToken", "AppKey", "ClientSecret", "ConsumerSecret", "TokenKey",
                         "Oauth2AccessToken", "Oauth2RefreshToken", "Oauth2ClientSecret",
                         "Oauth2AuthorizationCode", "ConnectionString"})


def _secrets_path(sp: str) -> str:
    return f"/servicePrincipals/{quote(sp)}/synchronization/secrets"


def masked(value: Any) -> bool:
    """True when Graph gave no usable value back: not text, empty, or only mask characters."""
    return not isinstance(value, str) or not value.strip() or set(value.strip()) <= MASK_CHARACTERS


def read_secrets(client: GraphClient, sp: str) -> list[dict[str, str]]:
    """The job's current secrets as [{"key", "value"}], in Graph's order. Any failure to read them
    is a GraphError saying that nothing was written."""
    try:
        answer = client.get(_secrets_path(sp), permission=WRITE)
    except GraphError as exc:
        if exc.kind in (GraphErrorKind.FORBIDDEN, GraphErrorKind.NOT_FOUND):
            raise GraphError(f"nothing was written: Entra did not let this account read the application's "
                             f"current provisioning secrets (HTTP {exc.status}), and writing only the Tenant "
                             "URL and token without them would erase its other provisioning settings "
                             "(notification e-mail, deletion threshold); grant Synchronization.ReadWrite.All "
                             "or set the credentials in the Entra admin center.",
                             kind=exc.kind, status=exc.status) from None
        raise
    values = answer.get("value") if isinstance(answer, dict) else answer
    if not isinstance(values, list) or not all(
            isinstance(p, dict) and isinstance(p.get("key"), str) and p["key"] for p in values):
        raise GraphError("nothing was written: Entra's answer for the application's provisioning secrets is "
                         "not the documented list of key and value pairs, so its other settings could not be "
                         "kept.", kind=GraphErrorKind.MALFORMED)
    return [{"key": p["key"], "value": p.get("value")} for p in values]


def merged(current: list[dict[str, Any]], tenant_url: str, secret_token: str) -> tuple[list[dict[str, str]], list[str]]:
    """(the whole set to PUT, the other keys kept). Our two keys take the new values (added when
    absent); every other key is written back exactly as read. A key of someone else's that came
    back masked cannot be written back (its real value is not known here, and Microsoft does not
    document that a masked value is kept), so that is a UserError and nothing is written."""
    hidden = sorted({p["key"] for p in current if p["key"] not in OURS and masked(p.get("value"))})
    if hidden:
        raise UserError(f"nothing was written: Entra returned the provisioning setting(s) {', '.join(hidden)} "
                        "masked or empty, and writing the set back would replace their real values; set the "
                        "Tenant URL and token in the Entra admin center (Provisioning, Admin credentials) "
                        "instead.")
    ours = {"BaseAddress": tenant_url, "SecretToken": secret_token}
    out: list[dict[str, str]] = []
    kept: list[str] = []
    for pair in current:
        key = pair["key"]
        if key in ours:
            if key not in {p["key"] for p in out}:
                out.append({"key": key, "value": ours[key]})
            continue
        out.append({"key": key, "value": pair["value"]})
        kept.append(key)
    for key, value in ours.items():
        if key not in {p["key"] for p in out}:
            out.append({"key": key, "value": value})
    return out, kept


def push_credentials(client: GraphClient, sp: str, tenant_url: str, secret_token: str) -> list[str]:
    """GET the secrets, put our BaseAddress and SecretToken in, PUT the whole set back (v1.0).
    Returns the names of the other keys written back. The token and any other secret value go
    only into the request body; messages never hold them."""
    if not tenant_url.startswith("https://"):
        raise UserError(f"the Tenant URL must start with https:// (got {tenant_url!r}).")
    if not secret_token:
        raise UserError("the secret token is empty.")
    current = read_secrets(client, sp)
    body, kept = merged(current, tenant_url, secret_token)
    hidden = [secret_token, *(p["value"] for p in body if p["key"] in SECRET_KEYS and isinstance(p["value"], str))]
    client.put(_secrets_path(sp), {"value": body}, permission=WRITE, secret_values=hidden)
    return kept


def kept_words(kept: list[str]) -> str:
    """'; its other settings were kept: A, B' for the sentence after a push ('' when none)."""
    return f"; its other settings were kept: {', '.join(kept)}" if kept else ""


def host_token(layout: HostLayout, connector: str) -> str | None:
    """The connector's secret token from the host's file, when this machine can read it (what
    `entra push` and the Entra page send when no token is given)."""
    from app.config.document import ConfigDocument
    from app.hostsecrets.dpapi import default_dpapi
    from app.hostsecrets.portable import text_of

    doc = ConfigDocument.load(layout.config_path)
    value = doc.find_connector(connector).secret_token
    return text_of(value, default_dpapi()) if value.strip() else None
