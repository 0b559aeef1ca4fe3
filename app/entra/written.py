"""Every write to the tenant goes into the journal (docs/journal.md §2): GraphClient's POST and PUT
pass through `graph_write`, which names the action in the admin center's words and keeps what
undoes or explains it (the reset scope, the names of the secret keys written), never a value a
secret could be in: the body is read for the fields named here and nothing else.
"""

from __future__ import annotations

import re
from typing import Any

from app import journal

# /servicePrincipals/{id}/synchronization/jobs/{job}/{verb}, Graph v1.0 (docs/entra.md §2)
_JOB = re.compile(r"^/servicePrincipals/(?P<sp>[^/?]+)/synchronization/jobs/(?P<job>[^/?]+)(?:/(?P<verb>[^/?]+))?")
_SECRETS = re.compile(r"^/servicePrincipals/(?P<sp>[^/?]+)/synchronization/secrets")
_NAMES = {"start": "start provisioning", "pause": "pause provisioning", "restart": "restart provisioning",
          "provisionOnDemand": "provision on demand", "validateCredentials": "test saved credentials"}


def _unquote(text: str) -> str:
    from urllib.parse import unquote

    return unquote(text)


def application(sp: str) -> str:
    """'enterprise application "Name" (id)': the name the links remember for this service
    principal (entra link), else its id alone."""
    from app.entra.links import EntraSettings  # here: links imports graph, which imports this module
    from app.errors import UserError

    try:
        known = [link for links in EntraSettings.load().links.values() for link in links.values()
                 if link.service_principal == sp and link.display_name]
    except (OSError, UserError):  # unreadable settings: the id still names it
        known = []
    return f'enterprise application "{known[0].display_name}" ({sp})' if known else f"enterprise application {sp}"


def describe(method: str, path: str, body: Any) -> tuple[str, str, dict[str, Any]]:
    """(what, on which enterprise application, details) of one Graph write."""
    found = _SECRETS.match(path)
    if found:
        sp = _unquote(found["sp"])
        values = body.get("value") if isinstance(body, dict) else None
        items = [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []
        keys = [str(v.get("key")) for v in items]
        base = next((v.get("value") for v in items if v.get("key") == "BaseAddress"), None)
        details: dict[str, Any] = {"keys written": keys}
        if isinstance(base, str):
            details["tenant URL"] = base  # names the host and connector; not a secret
        return "push credentials", application(sp), details
    found = _JOB.match(path)
    if found:
        sp, job, verb = _unquote(found["sp"]), _unquote(found["job"]), found["verb"] or ""
        details = {"job": job}
        if verb == "restart" and isinstance(body, dict):
            criteria = body.get("criteria")
            scope = criteria.get("resetScope") if isinstance(criteria, dict) else None
            details["reset scope"] = scope if isinstance(scope, str) and scope else "(empty)"
        if verb == "provisionOnDemand" and isinstance(body, dict):
            subjects = [s for p in body.get("parameters") or [] if isinstance(p, dict)
                        for s in p.get("subjects") or [] if isinstance(s, dict)]
            details["users"] = [str(s.get("objectId")) for s in subjects]
        return _NAMES.get(verb, f"{method} {verb or 'job'}"), application(sp), details
    return f"Graph {method}", path.split("?", 1)[0], {}


def graph_write(method: str, path: str, body: Any) -> journal.Action:
    what, target, details = describe(method, path, body)
    return journal.action(what, target, **details)
