"""The Entra state of every linked connector at once, for `entra status` and the Entra page.

One failed application does not hide the others; Graph unreachable stops at the first attempt
(every other call would fail the same way, each after its own timeout).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.entra.graph import GraphClient, GraphError, GraphErrorKind
from app.entra.jobs import JobStatus, list_jobs
from app.entra.links import Link

STOPPING = frozenset({GraphErrorKind.OFFLINE, GraphErrorKind.EXPIRED, GraphErrorKind.UNTRUSTED})


@dataclass
class ConnectorState:
    connector: str
    link: Link
    jobs: list[JobStatus] = field(default_factory=list)
    problem: str | None = None       # one sentence when Graph could not tell
    problem_kind: GraphErrorKind | None = None

    @property
    def healthy(self) -> bool:
        return self.problem is None and all(j.healthy for j in self.jobs)

    def summary(self) -> str:
        if self.problem:
            return self.problem
        if not self.jobs:
            return "no provisioning job (provisioning is not set up for this application)"
        return "; ".join(j.summary() for j in self.jobs)


def gather(client: GraphClient, links: dict[str, Link]) -> list[ConnectorState]:
    out: list[ConnectorState] = []
    stop: GraphError | None = None
    for connector, link in sorted(links.items()):
        state = ConnectorState(connector, link)
        if stop is not None:
            state.problem, state.problem_kind = stop.sentence(), stop.kind
        else:
            try:
                jobs = list_jobs(client, link.service_principal)
                state.jobs = [j for j in jobs if link.job in (None, j.job)] or jobs
            except GraphError as exc:
                state.problem, state.problem_kind = exc.sentence(), exc.kind
                if exc.kind in STOPPING:
                    stop = exc
        out.append(state)
    return out
