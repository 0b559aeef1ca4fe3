"""The provisioning job of an enterprise application, as Microsoft Graph v1.0 describes it
(synchronizationJob, synchronizationStatus, synchronizationQuarantine, synchronizationTaskExecution;
docs/entra.md §2), and the actions on it.

Use it like this::

    for job in list_jobs(client, sp_id):       # JobStatus records
        job.state, job.quarantine, job.healthy
    start(client, sp_id, job_id); pause(...); restart(client, sp_id, job_id, scope="")
    push_credentials(client, sp_id, tenant_url, secret_token)

Fields Graph leaves out are None: a job that never ran has no lastExecution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.entra.graph import GraphClient, GraphError, GraphErrorKind, clean, quote
from app.errors import UserError

READ = "Synchronization.Read.All"
WRITE = "Synchronization.ReadWrite.All"
# The values of synchronizationJobRestartCriteria.resetScope (a comma-separated combination).
RESET_SCOPES = ("Escrows", "Watermark", "QuarantineState", "ForceDeletes", "Full", "None", "ConnectorDataStore")
# Scopes that need a second, explicit confirmation, and why (Graph's synchronizationJobRestartCriteria
# page; Microsoft's "How provisioning works": a restart with Full breaks the links between source and
# target objects, which the admin center's Restart provisioning keeps).
DANGER = {
    "None": "Microsoft says not to use it (use start instead)",
    "ConnectorDataStore": "Microsoft says not to use it without Microsoft Support: it clears the provisioning "
                          "cache of every user",
    "Full": "every reset at once, ConnectorDataStore included, which breaks the links between Entra's users "
            "and the host's objects",
    "ForceDeletes": "it carries out the deletions the accidental-deletion threshold held back",
}
DANGEROUS_SCOPES = tuple(DANGER)
HEALTHY_LAST_RUN = ("Succeeded", None)
# synchronizationStatus.code values that can be healthy: NotConfigured is a job Entra cannot run yet
# (provisioning not set up), and a code we do not know is not called healthy either.
HEALTHY_STATES = ("Active", "Paused", "NotRun")
# Graph writes DateTime.MinValue for a time that never happened (a job that never reached steady
# state, a timeBegan it did not record): Microsoft support's Cloud Sync overview shows
# "timeBegan": "0001-01-01T00:00:00Z" in a real answer.
NEVER = "0001-01-01"


# What each documented quarantine reason (synchronizationQuarantine.reason) means, in our words, from
# Microsoft's "Application provisioning in quarantine status": only EncounteredQuarantineException is
# about reaching the host (credentials, connection); the others are not a certificate problem.
QUARANTINE_CAUSES = {
    "EncounteredQuarantineException": "Entra could not connect to the host with the saved credentials "
                                      "(Tenant URL, secret token, provisioning agent, or the host's "
                                      "certificate: the last error says which)",
    "EncounteredBaseEscrowThreshold": "too many users failed to provision (object errors, not the "
                                      "connection): see the provisioning logs",
    "EncounteredTotalEscrowThreshold": "too many users failed to provision (object errors, not the "
                                       "connection): see the provisioning logs",
    "EncounteredEscrowProportionThreshold": "too large a share of users failed to provision (Microsoft: "
                                            "more than 40%; object errors, not the connection): see the "
                                            "provisioning logs",
    "TooManyDeletes": "more deletions than the accidental-deletion threshold allows (not a connection "
                      "problem): review them, then allow them (restart with ForceDeletes) or not",
    "QuarantinedOnDemand": "Microsoft put the job into quarantine after detecting an issue with the "
                           "application (not a connection problem)",
    "IngestionInterrupted": "the import of objects was interrupted (not a certificate problem)",
    "Unknown": "Entra does not say why: the last error may",
}


def quarantine_cause(reason: str | None) -> str:
    """The meaning of a quarantine reason for people."""
    return QUARANTINE_CAUSES.get(reason or "Unknown", "a reason Microsoft's documentation does not list: "
                                 "the last error may say more")


@dataclass(frozen=True)
class JobStatus:
    service_principal: str
    job: str
    template: str
    state: str                        # Graph's code: Active, Paused, Quarantine, NotRun, NotConfigured
    quarantine_reason: str | None
    quarantine_since: str | None      # seriesBegan (first imposed in this series), else currentBegan
    quarantine_next_attempt: str | None
    last_state: str | None            # lastExecution.state: Succeeded, Failed, EntryLevelErrors
    last_began: str | None
    last_ended: str | None
    last_success: str | None          # lastSuccessfulExecution.timeEnded
    last_error: str | None            # lastExecution.error (code: message), or the quarantine's
    escrowed: int                     # lastExecution.countEscrowed: objects that failed last cycle
    consecutive_failures: int         # countSuccessiveCompleteFailures
    steady_state_since: str | None    # steadyStateFirstAchievedTime: first reached steady state
    troubleshooting_url: str | None
    steady_state_last: str | None = None  # steadyStateLastAchievedTime: last reached steady state

    @classmethod
    def from_graph(cls, sp: str, job: dict[str, Any]) -> JobStatus:
        if not isinstance(job, dict) or not isinstance(job.get("id"), str):
            raise GraphError("Microsoft Graph answered with a synchronization job that has no id; the "
                             "answer does not have the documented shape.", kind=GraphErrorKind.MALFORMED)
        status = _obj(job.get("status"))
        quarantine = _obj(status.get("quarantine"))
        last = _obj(status.get("lastExecution"))
        success = _obj(status.get("lastSuccessfulExecution"))
        error = _error_text(last.get("error")) or _error_text(quarantine.get("error"))
        return cls(
            service_principal=sp, job=clean(job["id"]), template=clean(str(job.get("templateId") or "")),
            state=clean(str(status.get("code") or "Unknown")),
            quarantine_reason=_text(quarantine.get("reason")) if quarantine else None,
            quarantine_since=(_time(quarantine.get("seriesBegan")) or _time(quarantine.get("currentBegan")))
            if quarantine else None,
            quarantine_next_attempt=_time(quarantine.get("nextAttempt")) if quarantine else None,
            last_state=_text(last.get("state")), last_began=_time(last.get("timeBegan")),
            last_ended=_time(last.get("timeEnded")), last_success=_time(success.get("timeEnded")),
            last_error=error, escrowed=_int(last.get("countEscrowed")),
            consecutive_failures=_int(status.get("countSuccessiveCompleteFailures")),
            steady_state_since=_time(status.get("steadyStateFirstAchievedTime")),
            troubleshooting_url=_text(status.get("troubleshootingUrl")),
            steady_state_last=_time(status.get("steadyStateLastAchievedTime")),
        )

    @property
    def in_quarantine(self) -> bool:
        return self.state == "Quarantine" or self.quarantine_reason is not None

    @property
    def healthy(self) -> bool:
        """No quarantine, no failed cycles, no object errors in the last cycle (paused counts as
        healthy: it is the administrator's choice)."""
        return (self.state in HEALTHY_STATES and not self.in_quarantine and self.consecutive_failures == 0
                and self.escrowed == 0 and self.last_state in HEALTHY_LAST_RUN)

    def summary(self) -> str:
        """One line for people: the state and what is wrong."""
        if self.in_quarantine:
            text = f"in quarantine ({self.quarantine_reason or 'reason not given'}"
            text += f", since {when(self.quarantine_since)})" if self.quarantine_since else ")"
        else:
            text = {"Active": "active", "Paused": "paused", "NotRun": "not run yet",
                    "NotConfigured": "not configured"}.get(self.state, self.state)
        if self.last_state:
            text += f"; last cycle {self.last_state}"
            if self.last_ended:
                text += f" at {when(self.last_ended)}"
        if self.escrowed:
            text += f"; {self.escrowed} object error(s)"
        if self.consecutive_failures:
            text += f"; {self.consecutive_failures} failed cycle(s) in a row"
        return text

    def to_json(self, connector: str | None) -> dict[str, Any]:
        """The shape `entra status --json` prints (docs/entra.md §4)."""
        return {
            "connector": connector,
            "service_principal": self.service_principal,
            "job": self.job,
            "state": self.state,
            "quarantine": ({"reason": self.quarantine_reason, "since": self.quarantine_since}
                           if self.in_quarantine else None),
            "last_cycle": ({"state": self.last_state, "began": self.last_began, "ended": self.last_ended,
                            "last_success": self.last_success, "steady_state_since": self.steady_state_since,
                            "steady_state_last": self.steady_state_last}
                           if self.last_state or self.last_began else None),
            "errors": {"escrowed_last_cycle": self.escrowed,
                       "consecutive_failures": self.consecutive_failures,
                       "last_error": self.last_error},
        }


def when(stamp: str | None) -> str:
    """Graph's UTC time for people: '2026-12-06T01:40:41Z' -> '2026-12-06 01:40 UTC'."""
    if stamp and stamp.startswith(NEVER):
        return "never"
    return f"{stamp.replace('T', ' ')[:16]} UTC" if stamp else "an unknown time"


def steady_state_words(job: JobStatus, time_words: Callable[[str | None], str] = when) -> str:
    """When the job last reached steady state (nothing left to change), for people."""
    if job.steady_state_last:
        first = f" (first {time_words(job.steady_state_since)})" if job.steady_state_since else ""
        return f"steady state last reached {time_words(job.steady_state_last)}{first}"
    if job.steady_state_since:
        return f"steady state first reached {time_words(job.steady_state_since)}"
    return "has never reached steady state"


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    """Graph's value as text for people: control characters (ESC, CR, NUL) made visible."""
    return clean(str(value)) if value not in (None, "") else None


def _time(value: Any) -> str | None:
    """A Graph time, None when absent or Graph's "never" (0001-01-01)."""
    text = _text(value)
    return None if text is None or text.startswith(NEVER) else text


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _error_text(error: Any) -> str | None:
    if not isinstance(error, dict):
        return None
    text = ": ".join(str(error[k]) for k in ("code", "message") if error.get(k))
    return clean(" ".join(text.split()))[:300] or None


def _jobs_path(sp: str, job: str | None = None) -> str:
    path = f"/servicePrincipals/{quote(sp)}/synchronization/jobs"
    return path if job is None else f"{path}/{quote(job)}"


def list_jobs(client: GraphClient, sp: str) -> list[JobStatus]:
    """GET /servicePrincipals/{id}/synchronization/jobs (v1.0)."""
    answer = client.get(_jobs_path(sp), permission=READ)
    values = answer.get("value") if isinstance(answer, dict) else None
    if not isinstance(values, list):
        raise GraphError("Microsoft Graph answered the list of synchronization jobs without a 'value' "
                         "list; the answer does not have the documented shape.",
                         kind=GraphErrorKind.MALFORMED)
    return [JobStatus.from_graph(sp, job) for job in values]




def get_job(client: GraphClient, sp: str, job: str) -> JobStatus:
    """GET /servicePrincipals/{id}/synchronization/jobs/{jobId} (v1.0)."""
    return JobStatus.from_graph(sp, client.get(_jobs_path(sp, job), permission=READ))


# Graph's "Start synchronizationJob": use start only when the job is paused or in quarantine; calling
# it on a running job again and again can stop the service.
STARTABLE = ("Paused", "Quarantine")


def start_refusal(job: JobStatus) -> str | None:
    """Why start is not offered for this job (one sentence), None when it may be started."""
    if job.state in STARTABLE or job.in_quarantine:
        return None
    words = {"Active": "is running", "NotRun": "has not run yet", "NotConfigured": "is not configured"}
    how = words.get(job.state, f"is {job.state}")
    return (f"the provisioning job {how}, and Microsoft says to use start only when a job is paused or in "
            "quarantine (to run it again now use restart; to begin a job that never ran, start "
            "provisioning in the Entra admin center).")


def start(client: GraphClient, sp: str, job: str) -> None:
    """POST .../start (v1.0): a paused job continues; a quarantined one has its quarantine cleared.
    Reads the job first and refuses (UserError) unless it is paused or in quarantine."""
    refusal = start_refusal(get_job(client, sp, job))
    if refusal:
        raise UserError(refusal)
    client.post(_jobs_path(sp, job) + "/start", permission=WRITE)


def pause(client: GraphClient, sp: str, job: str) -> None:
    """POST .../pause (v1.0): stops the job; its state is kept for the next start."""
    client.post(_jobs_path(sp, job) + "/pause", permission=WRITE)


def danger_words(scopes: list[str]) -> str:
    """Why these reset scopes need a second confirmation, in one clause."""
    return DANGER[scopes[0]] if len(scopes) == 1 else "; ".join(f"{p}: {DANGER[p]}" for p in scopes)


def check_scope(scope: str, *, confirmed_dangerous: bool = False) -> str:
    """The resetScope as Graph wants it ("" = the admin center's Restart provisioning). Raises
    UserError for an unknown value, or a dangerous one without the second confirmation."""
    parts = [p.strip() for p in scope.split(",") if p.strip()]
    unknown = [p for p in parts if p not in RESET_SCOPES]
    if unknown:
        raise UserError(f"unknown reset scope {', '.join(unknown)}; use a comma-separated combination "
                        f"of {', '.join(RESET_SCOPES)}, or nothing (what the admin center's Restart "
                        "provisioning does).")
    dangerous = [p for p in parts if p in DANGEROUS_SCOPES]
    if dangerous and not confirmed_dangerous:
        why = danger_words(dangerous)
        raise UserError(f"the reset scope {', '.join(dangerous)} needs a second confirmation ({why}); confirm "
                        "it a second time to go ahead.")
    return ", ".join(parts)


def restart(client: GraphClient, sp: str, job: str, scope: str = "", *, confirmed_dangerous: bool = False) -> str:
    """POST .../restart with criteria.resetScope (v1.0); returns the scope sent."""
    scope = check_scope(scope, confirmed_dangerous=confirmed_dangerous)
    client.post(_jobs_path(sp, job) + "/restart", {"criteria": {"resetScope": scope}}, permission=WRITE)
    return scope


def validate_saved_credentials(client: GraphClient, sp: str, job: str) -> None:
    """POST .../validateCredentials with useSavedCredentials (v1.0): Entra tests its Tenant URL and
    token against the host; 204 means they work, a failure arrives as a GraphError."""
    client.post(_jobs_path(sp, job) + "/validateCredentials", {"useSavedCredentials": True}, permission=WRITE)


def push_credentials(client: GraphClient, sp: str, tenant_url: str, secret_token: str) -> list[str]:
    """Read the job's secrets, merge BaseAddress and SecretToken in, write the whole set back
    (app/entra/credentials.py); returns the other keys kept."""
    from app.entra.credentials import push_credentials as push

    return push(client, sp, tenant_url, secret_token)
