"""The details under the Entra table for the selected connector, as rich text: what the state
means, the quarantine's reason in plain words, the times, the last error, the link."""

from __future__ import annotations

from app.entra.jobs import quarantine_cause, start_refusal, steady_state_words
from app.entra.links import HOW, Link
from app.entra.overview import ConnectorState


def _e(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _t(stamp: str | None) -> str:
    return _e(stamp.replace("T", " ")[:19] + " UTC") if stamp else "—"


def details_html(name: str | None, link: Link | None, state: ConnectorState | None,
                 error: str = "#a61b1b") -> str:
    if name is None:
        return "Select a connector to see its provisioning job."
    if link is None:
        return (f"<b>{_e(name)}</b> is not linked to an enterprise application. Press <b>Link…</b> to find "
                "the one whose Tenant URL ends in <code>/ecma2host_" + _e(name) + "/scim</code>.")
    head = (f"<b>{_e(name)}</b> → {_e(link.display_name or link.service_principal)} "
            f"(object id {_e(link.service_principal)}, {HOW.get(link.how, _e(link.how))})")
    if state is None:
        return head + "<br>Not read yet: press Refresh."
    if state.problem:
        return head + f"<br><span style='color:{error}'>{_e(state.problem)}</span>"
    if not state.jobs:
        return head + "<br>This application has no provisioning job: provisioning is not set up for it in Entra."
    lines = [head]
    for job in state.jobs:
        lines.append(f"Job {_e(job.job)}: <b>{_e(job.state)}</b>")
        if job.in_quarantine:
            reason = job.quarantine_reason or "Unknown"
            lines.append(f"<span style='color:{error}'>In quarantine since {_t(job.quarantine_since)}: "
                         f"{_e(reason)}: {_e(quarantine_cause(reason))}."
                         f"</span> Next attempt {_t(job.quarantine_next_attempt)}. Fix the cause, then "
                         + ("<b>Test from Entra</b> and " if reason == "EncounteredQuarantineException" else "")
                         + "<b>Restart…</b> with QuarantineState.")
        lines.append(f"Last cycle: {_e(job.last_state or 'never ran')}, {_t(job.last_began)} to {_t(job.last_ended)}"
                     f"; last without errors ended {_t(job.last_success)}; "
                     f"{_e(steady_state_words(job, lambda t: t.replace('T', ' ')[:19] + ' UTC' if t else '—'))}.")
        if job.last_error:
            lines.append(f"Last error: {_e(job.last_error)}")
        refusal = start_refusal(job)
        if refusal:
            lines.append(f"<i>Start is not offered: {_e(refusal)}</i>")
        if job.troubleshooting_url:
            lines.append(f"<a href='{_e(job.troubleshooting_url)}'>Microsoft's troubleshooting page</a>")
    return "<br>".join(lines)
