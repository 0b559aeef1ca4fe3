"""CLI: `entra status|start|pause|restart|validate|push-credentials|provision|link|sign-in|sign-out`.

Exit codes: 0 healthy or done, 1 a job is in quarantine or has errors (status) or Entra refused
the credentials (validate), 2 bad input, or Graph unreachable or unable to tell (one sentence on
stderr).
"""

from __future__ import annotations

import argparse
import os
import sys

from app.cli.common import add_location_options, command_group, layout_from_args, print_json
from app.config.document import ConfigDocument
from app.entra import jobs
from app.entra.credentials import host_token, kept_words
from app.entra.graph import DEFAULT_GRAPH, NOT_ASKED, GraphClient, GraphError, GraphErrorKind, TokenSource
from app.entra.links import (
    HOW,
    Candidate,
    EntraSettings,
    Link,
    connector_of_tenant_url,
    detect,
    display_name,
    host_key,
    tenant_url,
)
from app.entra.overview import ConnectorState, gather
from app.entra.provision import provision_user
from app.entra.signin import EnvToken, MsalSignIn
from app.errors import UserError
from app.host.layout import HostLayout


def _common(p: argparse.ArgumentParser, connector: str = "required") -> None:
    add_location_options(p)
    if connector == "required":
        p.add_argument("connector", help="the connector name (case sensitive)")
    elif connector == "optional":
        p.add_argument("connector", nargs="?", help="one connector (default: every linked one)")
    p.add_argument("--graph-url", metavar="URL", help=f"Microsoft Graph's address (default {DEFAULT_GRAPH}; "
                   "a national cloud has its own)")
    p.add_argument("--access-token-env", metavar="VAR", help="use the Graph access token in this "
                   "environment variable instead of the stored sign-in")
    p.add_argument("--service-principal", metavar="ID", help="the enterprise application's object id, "
                   "in place of the stored link")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    entra = command_group(sub, "entra", "the Entra side of each connector: provisioning job status, "
                          "start, pause, restart, credentials (Microsoft Graph)")
    p = entra.add_parser("status", help="state, quarantine, last cycle and errors of each linked "
                         "connector's provisioning job (exit 0 healthy, 1 quarantine or errors, 2 bad "
                         "input or Graph unreachable)")
    _common(p, "optional")
    p.add_argument("--json", action="store_true", help="{connector, service_principal, job, state, "
                   "quarantine, last_cycle, errors} (a list without CONNECTOR)")
    p.set_defaults(func=cmd_status)
    for name, text in (("start", "start the job (a paused job continues; a quarantine is cleared)"),
                       ("pause", "pause the job (its state is kept)"),
                       ("validate", "ask Entra to test its saved Tenant URL and token against the host "
                        "(exit 1 when Entra says they do not work)")):
        p = entra.add_parser(name, help=text)
        _common(p)
        p.set_defaults(func=cmd_action, action_name=name)
    p = entra.add_parser("restart", help="restart the job; no --scope is the admin center's Restart "
                         "provisioning")
    _common(p)
    p.add_argument("--scope", default="", help="resetScope: a comma-separated combination of "
                   + ", ".join(jobs.RESET_SCOPES))
    p.add_argument("--yes-reset-dangerous-scope", action="store_true", help="the second confirmation "
                   "that " + ", ".join(jobs.DANGEROUS_SCOPES) + " is meant")
    p.set_defaults(func=cmd_action, action_name="restart")
    p = entra.add_parser("push-credentials", help="write the connector's Tenant URL and secret token "
                         "into the job's secrets, so host and Entra agree")
    _common(p)
    p.add_argument("--secret-token-env", metavar="VAR", help="the token, from this environment variable "
                   "(default: read from the host's file where this machine can decrypt it)")
    p.add_argument("--tenant-url", metavar="URL", help="default https://<this machine>:<port>/ecma2host_"
                   "<connector>/scim")
    p.add_argument("--host", metavar="NAME", help="host name in the Tenant URL (default this machine's)")
    p.set_defaults(func=cmd_push)
    p = entra.add_parser("provision", help="provision one user on demand and show each step Entra reports")
    _common(p)
    p.add_argument("--user", required=True, metavar="USER", help="the user's object id, or user principal "
                   "name (name@domain)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_provision)
    p = entra.add_parser("link", help="link a connector to its enterprise application (found by its "
                         "Tenant URL or a search, or given with --service-principal)")
    _common(p)
    p.add_argument("--search", metavar="TEXT", help="display name or application id to search for "
                   "(default: the connector's name)")
    p.add_argument("--job", metavar="ID", help="the job id, when the application has several")
    p.add_argument("--unlink", action="store_true", help="forget the link")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_link)
    p = entra.add_parser("sign-in", help="sign in to Entra (browser, or a device code on a machine "
                         "without one); the sign-in is kept in the keyring")
    _common(p, "none")
    p.add_argument("--tenant", help="tenant id or domain (kept for next time)")
    p.add_argument("--client-id", help="the application (client) id to sign in with (kept for next time)")
    p.add_argument("--authority-host", help="sign-in address (default https://login.microsoftonline.com)")
    p.add_argument("--device-code", action="store_true", help="use a device code instead of the browser")
    p.set_defaults(func=cmd_sign_in)
    p = entra.add_parser("sign-out", help="forget the sign-in (removes it from the keyring)")
    _common(p, "none")
    p.set_defaults(func=cmd_sign_out)


# -- shared ---------------------------------------------------------------------------------
def _graph_url(args: argparse.Namespace, settings: EntraSettings) -> str:
    return args.graph_url or settings.sign_in.graph_url or DEFAULT_GRAPH


def token_source(args: argparse.Namespace, settings: EntraSettings) -> TokenSource:
    if args.access_token_env:
        return EnvToken(args.access_token_env)
    sign_in = settings.sign_in
    sign_in.graph_url = _graph_url(args, settings)
    return MsalSignIn(sign_in, show=lambda text: print(text, file=sys.stderr))


def client_for(args: argparse.Namespace, settings: EntraSettings) -> GraphClient:
    return GraphClient(token_source(args, settings), base_url=_graph_url(args, settings))


def _layout(args: argparse.Namespace) -> HostLayout:
    """The host whose connectors are meant (links are kept per host configuration)."""
    return layout_from_args(args)


def _linked(args: argparse.Namespace, settings: EntraSettings, layout: HostLayout) -> dict[str, Link]:
    """The connectors to act on: one (by its link or --service-principal), or every linked one."""
    links = settings.links_for(host_key(layout))
    name = getattr(args, "connector", None)
    if args.service_principal:
        return {name or "": Link(args.service_principal, how="manual")}
    if name:
        if name not in links:
            known = ", ".join(sorted(links)) or "none yet"
            raise UserError(f"connector '{name}' is not linked to an enterprise application (linked: {known}); "
                            f"run `ecma-wizard entra link {name}` or give --service-principal ID.")
        return {name: links[name]}
    if not links:
        raise UserError("no connector is linked to an enterprise application yet; run `ecma-wizard entra "
                        "link CONNECTOR` or give --service-principal ID.")
    return links


def _one_job(state: ConnectorState) -> jobs.JobStatus:
    if state.problem:
        raise GraphError(state.problem, kind=state.problem_kind or GraphErrorKind.REFUSED)
    if not state.jobs:
        raise UserError(f"the enterprise application {state.link.service_principal} has no provisioning job.")
    if len(state.jobs) > 1:
        ids = ", ".join(j.job for j in state.jobs)
        raise UserError(f"the application has several provisioning jobs ({ids}); link one with "
                        "`ecma-wizard entra link CONNECTOR --service-principal ID --job ID`.")
    return state.jobs[0]


# -- commands -------------------------------------------------------------------------------
def cmd_status(args: argparse.Namespace) -> int:
    """Exit 2 whenever Graph could not tell a connector's state (unreachable, token refused,
    permission missing, application deleted, an answer of the wrong shape): "unknown" is not
    "unhealthy", and a monitoring script must not read it as either."""
    settings = EntraSettings.load()
    linked = _linked(args, settings, _layout(args))
    states = gather(client_for(args, settings), linked)
    unknown = [s for s in states if s.problem]
    if args.json:
        records = [j.to_json(s.connector or None) for s in states for j in s.jobs]
        if not unknown:
            print_json(records[0] if args.connector and len(records) == 1 else records)
    else:
        for s in states:
            name = s.connector or s.link.service_principal
            mark = "OK" if s.healthy else "UNKNOWN" if s.problem else "PROBLEM"
            print(f"{mark:8} {name}: {s.summary()}")
            for j in s.jobs:
                if j.in_quarantine:
                    print(f"         what it means: {jobs.quarantine_cause(j.quarantine_reason)}")
                if j.last_error and not j.healthy:
                    print(f"         last error: {j.last_error}")
                if j.state not in ("NotConfigured", "NotRun"):
                    print(f"         {jobs.steady_state_words(j)}")
    if unknown:
        first = unknown[0]
        prefix = f"connector '{first.connector}': " if first.connector and len(states) > 1 else ""
        raise GraphError(prefix + (first.problem or ""), kind=first.problem_kind or GraphErrorKind.REFUSED)
    return 0 if all(s.healthy for s in states) else 1


def cmd_action(args: argparse.Namespace) -> int:
    settings = EntraSettings.load()
    client = client_for(args, settings)
    (name, link), = _linked(args, settings, _layout(args)).items()
    job = _one_job(gather(client, {name: link})[0]) if not link.job else None
    job_id = link.job or (job.job if job else "")
    sp = link.service_principal
    if args.action_name == "start":
        jobs.start(client, sp, job_id)
        print(f"Started the provisioning job {job_id}.")
    elif args.action_name == "pause":
        jobs.pause(client, sp, job_id)
        print(f"Paused the provisioning job {job_id}.")
    elif args.action_name == "validate":
        try:
            jobs.validate_saved_credentials(client, sp, job_id)
        except GraphError as exc:
            if exc.kind in NOT_ASKED:
                raise
            print(f"Entra could not use its saved Tenant URL and token: {exc.sentence()}")
            return 1
        print("Entra reached the host with its saved Tenant URL and token.")
    else:
        confirmed = args.yes_reset_dangerous_scope or _confirm_dangerous(args.scope)
        scope = jobs.restart(client, sp, job_id, args.scope, confirmed_dangerous=confirmed)
        print(f"Restarted the provisioning job {job_id} with reset scope "
              f"{scope or '(empty: as the admin center’s Restart provisioning)'}.")
    return 0


def _confirm_dangerous(scope: str) -> bool:
    dangerous = [p.strip() for p in scope.split(",") if p.strip() in jobs.DANGEROUS_SCOPES]
    if not dangerous or not sys.stdin.isatty():
        return False
    why = jobs.danger_words(dangerous)
    typed = input(f"The reset scope {', '.join(dangerous)} needs a second confirmation ({why}). "
                  f"Type {dangerous[0]} to go ahead: ").strip()
    return typed == dangerous[0]


def cmd_push(args: argparse.Namespace) -> int:
    settings = EntraSettings.load()
    layout = _layout(args)
    if args.secret_token_env:
        token = os.environ.get(args.secret_token_env, "").strip()
        if not token:
            raise UserError(f"the environment variable {args.secret_token_env} is not set or empty (it "
                            "should hold the connector's secret token).")
    else:
        token = host_token(layout, args.connector) or ""
        if not token:
            raise UserError(f"the secret token of connector '{args.connector}' cannot be read from "
                            f"{layout.config_path} on this machine (it is empty, or encrypted for another "
                            "machine); give it with --secret-token-env VAR.")
    url = args.tenant_url
    if not url:
        doc = ConfigDocument.load(layout.config_path)
        doc.find_connector(args.connector)
        port = doc.setting.port.strip() or "8585"
        from app.host.machine import local_host_names

        url = tenant_url(args.host or local_host_names()[-1], port, args.connector)
    if connector_of_tenant_url(url) != args.connector:
        raise UserError(f"the Tenant URL {url} does not name connector '{args.connector}' "
                        f"(expected .../ecma2host_{args.connector}/scim).")
    (_, link), = _linked(args, settings, layout).items()
    kept = jobs.push_credentials(client_for(args, settings), link.service_principal, url, token)
    print(f"Entra's provisioning credentials now hold the Tenant URL {url} and the connector's token "
          f"(not shown){kept_words(kept)}.")
    return 0


def cmd_provision(args: argparse.Namespace) -> int:
    settings = EntraSettings.load()
    client = client_for(args, settings)
    (name, link), = _linked(args, settings, _layout(args)).items()
    job_id = link.job or _one_job(gather(client, {name: link})[0]).job
    result = provision_user(client, link.service_principal, job_id, args.user)
    if args.json:
        print_json({"result": result.result, "error_code": result.error_code,
                    "error_message": result.error_message,
                    "steps": [vars(s) for s in result.steps]})
    else:
        print(f"Provision on demand: {result.result}"
              + (f" ({result.error_code}: {result.error_message})" if result.error_code else ""))
        for s in result.steps:
            print(f"  {s.status:9} {s.kind:9} {s.description}")
    return 0 if result.succeeded else 1


def cmd_link(args: argparse.Namespace) -> int:
    settings = EntraSettings.load()
    layout = _layout(args)
    ConfigDocument.load(layout.config_path).find_connector(args.connector)  # a known connector only
    key = host_key(layout)
    if args.unlink:
        removed = settings.unlink(key, args.connector)
        settings.save()
        print(f"Connector '{args.connector}' {'is no longer linked' if removed else 'was not linked'}.")
        return 0
    client = client_for(args, settings)
    if args.service_principal:
        found = jobs.list_jobs(client, args.service_principal)  # proves the id exists here
        job = args.job or (found[0].job if len(found) == 1 else None)
        link = Link(args.service_principal, display_name(client, args.service_principal), job=job, how="manual")
        candidates: list[Candidate] = []
    else:
        detected, candidates = detect(client, args.connector, args.search)
        if detected is None:
            if args.json:
                print_json({"linked": None, "candidates": [c.to_json() for c in candidates]})
            else:
                print(f"No single application's Tenant URL names '{args.connector}'. Candidates:")
                for c in candidates:
                    print(f"  {c.id}  {c.display_name}  (app id {c.app_id}; Tenant URL "
                          f"{c.tenant_url or 'not readable'})")
                print(f"Link one with `ecma-wizard entra link {args.connector} --service-principal ID`.")
            return 1
        link = Link(detected.service_principal, detected.display_name, job=args.job, how=detected.how)
    settings.link(key, args.connector, link)
    settings.save()
    if args.json:
        print_json({"linked": vars(link), "candidates": [c.to_json() for c in candidates]})
    else:
        print(f"Connector '{args.connector}' is linked to {link.display_name or link.service_principal} "
              f"({link.service_principal}, {HOW.get(link.how, link.how)}).")
    return 0


def cmd_sign_in(args: argparse.Namespace) -> int:
    settings = EntraSettings.load()
    s = settings.sign_in
    s.tenant = args.tenant or s.tenant
    s.client_id = args.client_id or s.client_id
    s.authority_host = args.authority_host or s.authority_host
    s.graph_url = _graph_url(args, settings)
    if args.access_token_env:
        raise UserError("sign-in is not needed with --access-token-env (that token is used as it is).")
    signer = MsalSignIn(s, interactive=True, device_code=args.device_code,
                        show=lambda text: print(text, file=sys.stderr))
    signer.access_token()
    settings.save()
    if signer.not_remembered:
        raise UserError(f"signed in, but the sign-in cannot be kept for the next command: "
                        f"{signer.not_remembered} Give a token with --access-token-env VAR instead.")
    print(f"Signed in{' as ' + signer.account if signer.account else ''} to tenant {s.tenant}; the sign-in "
          "is kept in the keyring (ecma-wizard entra sign-out forgets it).")
    return 0


def cmd_sign_out(args: argparse.Namespace) -> int:
    settings = EntraSettings.load()
    if not settings.sign_in.tenant:
        print("Not signed in.")
        return 0
    removed = MsalSignIn(settings.sign_in).sign_out()
    print("Signed out: the sign-in was removed from the keyring." if removed else "Not signed in.")
    return 0

