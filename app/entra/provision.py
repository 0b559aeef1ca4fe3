"""Provision on demand for one user (POST .../jobs/{id}/provisionOnDemand, v1.0): Entra runs one
user through the job now and reports each step (import, matching, scoping, action, export).

The answer is a stringKeyStringValuePair whose key and value are themselves JSON text: the key the
overall result, the value the steps (documented by example only: [open] in docs/entra.md).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.entra.graph import GraphClient, GraphError, GraphErrorKind, clean, load_json, quote
from app.entra.jobs import WRITE
from app.entra.links import GUID
from app.errors import UserError


@dataclass(frozen=True)
class ProvisionStep:
    name: str
    kind: str           # Import, Matching, Scoping, Action, Export (Graph's "type")
    status: str         # Success, Skipped, Failure, ...
    description: str
    timestamp: str
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class ProvisionResult:
    result: str                     # Success, Skipped, Failure
    error_code: str | None
    error_message: str | None
    steps: list[ProvisionStep]
    started: str | None = None
    ended: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.result in ("Success", "Skipped")


class RateLimit:
    """At most `calls` requests in any `per` seconds: waits (off the GUI thread) for the oldest to
    age out rather than send a request Graph would refuse. Graph's "synchronizationJob:
    provisionOnDemand" page: "The rate limit for this API is 5 requests per 10 seconds"."""

    def __init__(self, calls: int = 5, per: float = 10.0, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.calls, self.per, self.clock, self.sleep = calls, per, clock, sleep
        self.sent: deque[float] = deque()
        self.waits: list[float] = []  # what was waited, for tests and the log
        self._lock = threading.Lock()

    def wait_turn(self) -> None:
        with self._lock:  # one window for every thread of this process (the GUI runs calls in threads)
            now = self.clock()
            while self.sent and now - self.sent[0] >= self.per:
                self.sent.popleft()
            if len(self.sent) >= self.calls:
                wait = self.per - (now - self.sent[0])
                self.waits.append(wait)
                self.sleep(wait)
                self.sent.popleft()
                now = self.clock()
            self.sent.append(now)


PROVISION_LIMIT = RateLimit()


def _jobs(sp: str, job: str) -> str:
    return f"/servicePrincipals/{quote(sp)}/synchronization/jobs/{quote(job)}"


def provisioning_rule(client: GraphClient, sp: str, job: str) -> str:
    """The id of the job's first synchronization rule (GET .../schema, v1.0); an ECMA application
    has one, from Entra to the host [open]."""
    schema = client.get(_jobs(sp, job) + "/schema", permission="Synchronization.Read.All")
    rules = schema.get("synchronizationRules") if isinstance(schema, dict) else None
    ids = [r.get("id") for r in rules or [] if isinstance(r, dict) and r.get("id")]
    if not ids:
        raise GraphError("the job's schema has no synchronization rule to provision with.",
                         kind=GraphErrorKind.MALFORMED)
    return str(ids[0])


def resolve_user(client: GraphClient, user: str) -> str:
    """A user's object id from an object id or a user principal name (GET /users/{upn}, v1.0;
    reading other users needs User.ReadBasic.All)."""
    user = user.strip()
    if GUID.match(user):
        return user
    if "@" not in user or "/" in user:
        raise UserError(f"{user!r} is neither a user's object id (a GUID) nor a user principal name "
                        "(name@domain).")
    answer = client.get(f"/users/{quote(user)}?$select=id,userPrincipalName", permission="User.ReadBasic.All",
                        missing=f"Entra has no user {user} (404); check the name, or give the object id.")
    found = answer.get("id") if isinstance(answer, dict) else None
    if not isinstance(found, str) or not GUID.match(found):
        raise GraphError(f"Entra's answer for {user} has no object id.", kind=GraphErrorKind.MALFORMED)
    return found


def provision_user(client: GraphClient, sp: str, job: str, user: str, rule_id: str | None = None,
                   limit: RateLimit | None = None) -> ProvisionResult:
    """Provision one user (object id or user principal name) now, within Graph's 5 requests per
    10 seconds for this call (PROVISION_LIMIT, shared by every caller in this process)."""
    user_id = resolve_user(client, user)
    rule = rule_id or provisioning_rule(client, sp, job)
    body = {"parameters": [{"ruleId": rule, "subjects": [{"objectId": user_id, "objectTypeName": "User"}]}]}
    (limit or PROVISION_LIMIT).wait_turn()
    return parse_answer(client.post(_jobs(sp, job) + "/provisionOnDemand", body, permission=WRITE))


def _json_text(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        parsed = load_json(value) if isinstance(value, str) else None
    except ValueError:  # not JSON, or nested too deeply to read
        parsed = None
    if not isinstance(parsed, dict):
        raise GraphError("Entra's provision-on-demand answer does not hold the documented JSON text in "
                         "its key and value.", kind=GraphErrorKind.MALFORMED)
    return parsed


def parse_answer(answer: Any) -> ProvisionResult:
    if not isinstance(answer, dict):
        raise GraphError("Entra's provision-on-demand answer is empty.", kind=GraphErrorKind.MALFORMED)
    head = _json_text(answer.get("key"))
    body = _json_text(answer.get("value"))
    details: dict[str, Any] = head["details"] if isinstance(head.get("details"), dict) else {}
    steps = []
    for s in body.get("provisioningSteps") or []:
        if not isinstance(s, dict):
            continue
        extra: dict[str, Any] = s["details"] if isinstance(s.get("details"), dict) else {}
        name, kind, status, description, stamp = (clean(str(s.get(k, ""))) for k in
                                                  ("name", "type", "status", "description", "timestamp"))
        steps.append(ProvisionStep(name, kind, status, description, stamp,
                                   {clean(str(k)): clean(str(v)) for k, v in extra.items()}))
    return ProvisionResult(clean(str(head.get("result") or "Unknown")), _opt(details.get("errorCode")),
                           _opt(details.get("errorMessage")), steps, _opt(body.get("startTime")),
                           _opt(body.get("endTime")))


def _opt(value: Any) -> str | None:
    return None if value is None else clean(str(value))
