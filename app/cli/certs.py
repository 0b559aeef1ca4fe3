"""`ecma-wizard cert status|regenerate`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from app.certs.generate import (
    DEFAULT_DAYS,
    GenerationRequest,
    KeySpec,
    PfxEncryption,
    generate,
    new_passphrase,
)
from app.certs.inspect import CertificateInfo, load_certificate
from app.certs.regenerate import ConfigThumbprint, build_plan, keyring_key
from app.certs.status import CertificateStatus, gather_status
from app.certs.store import default_store
from app.errors import UserError
from app.host.machine import local_host_names
from app.secrets import SecretStore

DEFAULT_PORT = 8585
MIN_PASSPHRASE = 12
RESTART_HINT = ("Restart the Microsoft ECMA2Host service so it serves the new certificate "
                "(elevated: Restart-Service -DisplayName 'Microsoft ECMA2Host'), then retest the "
                "connection in Entra.")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from app.cli.common import add_location_options

    cert = sub.add_parser("cert", help="the host's TLS certificate: status, regeneration")
    cert_sub = cert.add_subparsers(dest="cert_command", metavar="ACTION", required=True,
                                   parser_class=sub._parser_class)

    # allow_abbrev=False: "--pfx-password SECRET" must not pass as an abbreviation of --pfx-password-env
    status = cert_sub.add_parser("status", allow_abbrev=False, help="show the configured certificate and what is wrong with it")
    add_location_options(status)
    status.add_argument("--file", metavar="PATH", help="a PFX/PEM/DER file holding the certificate")
    status.add_argument("--password-env", metavar="VAR",
                        help="environment variable holding the --file PFX password")
    status.add_argument("--endpoint", metavar="HOST[:PORT]",
                        help="read the certificate this TLS endpoint serves (default on Windows: "
                             "localhost and the configured port)")
    status.add_argument("--no-endpoint", action="store_true", help="do not contact any endpoint")
    status.add_argument("--hostname", action="append", metavar="NAME",
                        help="a name the certificate must cover (default: this host's name and FQDN)")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=run_status)

    regen = cert_sub.add_parser(
        "regenerate", allow_abbrev=False, help="make a new self-signed certificate and put it in place",
        description="Without a usable keyring the PFX passphrase comes from --pfx-password-env or a "
                    "terminal prompt; it is never accepted on the command line.")
    add_location_options(regen)
    regen.add_argument("--hostname", action="append", required=True, metavar="H",
                       help="a DNS name for the certificate (repeat; the first is the subject)")
    regen.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"validity (default {DEFAULT_DAYS})")
    regen.add_argument("--key", choices=[k.value for k in KeySpec], default=KeySpec.RSA2048.value)
    regen.add_argument("--out", required=True, metavar="DIR", help="folder for the PFX and PEM files")
    regen.add_argument("--pfx-password-env", metavar="VAR",
                       help="environment variable holding the PFX passphrase (else a random one "
                            "is kept in the keyring)")
    regen.add_argument("--pfx-encryption", choices=[e.value for e in PfxEncryption],
                       default=PfxEncryption.AES256.value,
                       help="3des for Windows Server 2016, which cannot import AES-protected PFX")
    regen.add_argument("--no-key-pem", action="store_true",
                       help="off Windows: do not write the (encrypted) key PEM beside the PFX")
    regen.add_argument("--no-config", action="store_true", help="do not write the thumbprint")
    regen.add_argument("--dry-run", action="store_true", help="show the steps, run nothing")
    regen.add_argument("--yes", action="store_true", help="run the steps without asking")
    regen.set_defaults(func=run_regenerate)


# ---- status --------------------------------------------------------------------------------


def _parse_endpoint(text: str, default_port: int) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or "]" in port:
        return text.strip("[]"), default_port
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise UserError(f"{text!r} is not HOST:PORT.")
    return host.strip("[]"), int(port)


def _configured(args: argparse.Namespace) -> tuple[str | None, int, str]:
    from app.cli.common import layout_from_args

    layout = layout_from_args(args)
    target = ConfigThumbprint(layout.config_store())
    return target.read(), target.port() or DEFAULT_PORT, str(layout.config_path)


def _host_root(args: argparse.Namespace) -> Path | None:
    from app.cli.common import layout_from_args

    return layout_from_args(args).root


def run_status(args: argparse.Namespace) -> int:
    configured, port, where = _configured(args)
    loaded = None
    if args.file:
        password = _env_secret(args.password_env, "--password-env").encode() if args.password_env else None
        loaded = load_certificate(args.file, password=password)
    root = _host_root(args)
    store = default_store(root)
    endpoint = None
    if args.endpoint and not args.no_endpoint:
        endpoint = _parse_endpoint(args.endpoint, port)
    elif sys.platform == "win32" and not args.no_endpoint and store.available():
        endpoint = ("localhost", port)  # not for a host folder on another machine: localhost is this one
    names = args.hostname or list(dict.fromkeys(local_host_names()))
    status = gather_status(configured, host_names=names, store=store, file=loaded,
                           endpoint=endpoint, port=port)
    if args.json:
        from app.cli.common import print_json

        data = status.to_json()
        data["configuration"] = where
        print_json(data)
    else:
        print(format_status(status, where))
    return 1 if status.has_errors else 0


def _info_lines(info: CertificateInfo, names: tuple[str, ...]) -> list[str]:
    match = info.host_match(names)
    covered = ", ".join(f"{n}: {'yes' if n in match.matched else 'NO'}" for n in names)
    return [
        f"  Source       {info.source}",
        f"  Subject      {info.subject}",
        f"  Names (SAN)  {', '.join(info.sans) or '(none)'}",
        f"  Issuer       {info.issuer}{' (self-signed)' if info.self_signed else ''}",
        f"  Valid        {info.not_before:%Y-%m-%d} to {info.not_after:%Y-%m-%d} "
        f"({info.days_left()} days left)",
        f"  Key          {info.key_description}, private key "
        f"{'present' if info.has_private_key else 'not present here'}",
        f"  Purpose      {', '.join(info.ekus) or '(any: no EKU extension)'}",
        f"  This host    {covered}",
    ]


def format_status(status: CertificateStatus, where: str) -> str:
    lines = [f"Configured thumbprint: {status.configured_thumbprint or '(none)'}  ({where})"]
    if status.certificate is not None:
        lines.append(f"Certificate {status.certificate.thumbprint}")
        lines += _info_lines(status.certificate, status.host_names)
    if status.served is not None and status.served is not status.certificate:
        same = status.served.thumbprint == (status.certificate and status.certificate.thumbprint)
        lines.append(f"{status.served.source}: {'the same certificate' if same else status.served.thumbprint}")
    if status.findings:
        lines.append("Findings:")
        for f in status.findings:
            lines.append(f"  {f.severity:<7} {f.message}")
            if f.action:
                lines.append(f"          -> {f.action}")
    elif status.certificate is None:
        lines.append("No problems in the configured value; the certificate itself was not examined.")
    else:
        lines.append("No problems found.")
    lines += [f"Note: {n}" for n in status.notes]
    return "\n".join(lines)


# ---- regenerate ----------------------------------------------------------------------------


def _env_secret(var: str, option: str = "--pfx-password-env") -> str:
    value = os.environ.get(var, "")
    if not value:  # never echo `var`: a user may have typed the passphrase itself there
        raise UserError(f"{option} names an environment variable that is not set or empty "
                        "(give the variable's name, not the passphrase).")
    return value


def choose_passphrase(args: argparse.Namespace, secrets: SecretStore, *, stdin_tty: bool | None = None,
                      prompt: Callable[[str], str] | None = None) -> tuple[str, bool]:
    """(passphrase, keep it in the keyring?) from --pfx-password-env, the keyring or a prompt."""
    if args.pfx_password_env:
        value = _env_secret(args.pfx_password_env)
        if len(value) < MIN_PASSPHRASE:
            raise UserError(f"the PFX passphrase in the environment variable is shorter than "
                            f"{MIN_PASSPHRASE} characters.")
        return value, False
    if secrets.available():
        return new_passphrase(), True
    tty = sys.stdin.isatty() if stdin_tty is None else stdin_tty
    if not tty:
        raise UserError(f"{secrets.unavailable_reason}, so the PFX passphrase cannot be kept for you: "
                        "give it with --pfx-password-env VAR (never on the command line).")
    print(f"{secrets.unavailable_reason}; enter a passphrase for the PFX and keep it yourself.",
          file=sys.stderr)
    if prompt is None:
        import getpass

        prompt = getpass.getpass
    first = prompt("PFX passphrase: ")
    if len(first) < MIN_PASSPHRASE:
        raise UserError(f"the passphrase is shorter than {MIN_PASSPHRASE} characters.")
    if prompt("Again: ") != first:
        raise UserError("the two passphrases differ.")
    return first, False


def run_regenerate(args: argparse.Namespace) -> int:
    request = GenerationRequest(tuple(args.hostname), KeySpec(args.key), args.days).validated()
    target, port, root = None, DEFAULT_PORT, None
    if not args.no_config:
        from app.cli.common import layout_from_args

        layout = layout_from_args(args)
        target, root = ConfigThumbprint(layout.config_store()), layout.root
        port = target.port() or DEFAULT_PORT
    secrets = SecretStore()
    if args.dry_run:  # nothing is written: a throwaway passphrase shows the same steps
        passphrase, to_keyring = new_passphrase(), secrets.available() and not args.pfx_password_env
    else:
        passphrase, to_keyring = choose_passphrase(args, secrets)
    generated = generate(request)
    plan = build_plan(generated, out_dir=Path(args.out), passphrase=passphrase, store=default_store(root),
                      secrets=secrets if to_keyring else None, target=target, port=port,
                      with_key_pem=False if args.no_key_pem else None,
                      encryption=PfxEncryption(args.pfx_encryption))
    print(f"New certificate {plan.thumbprint} for {', '.join(request.host_names)} "
          f"({request.key.label.replace(' (default)', '')}, {request.days} days). Steps:")
    for number, (title, detail) in enumerate(plan.describe(), 1):
        print(f"  {number}. {title}")
        for line in detail.splitlines():
            print(f"       {line}")
    for note in plan.notes:
        print(f"  Note: {note}")
    if args.dry_run:
        print("Dry run: nothing was done.")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError("add --yes to run these steps without a terminal to confirm them.")
        if input("Run these steps? [y/N] ").strip().lower() not in ("y", "yes"):
            print("Nothing was done.")
            return 0
    result = plan.run(lambda i, title: print(f"  running {i + 1}. {title}"))
    for outcome in result.outcomes:
        if outcome.state != "done" or outcome.message:
            print(f"  {outcome.state}: {outcome.title}{' - ' + outcome.message if outcome.message else ''}")
    if not result.ok:
        print(result.summary(), file=sys.stderr)
        return 1
    print(result.summary())
    if to_keyring:
        print(f'The PFX passphrase is in the keyring: service "{secrets.service}", '
              f'entry "{keyring_key(plan.thumbprint)}".')
    else:
        print("The PFX passphrase is the one you gave; it was not stored.")
    print(RESTART_HINT)
    return 0
