"""The Windows certificate store and the HTTP.sys TLS binding, behind a small interface.

`WindowsCertificateStore` builds PowerShell and netsh command lines (docs/host-facts.md §10) and parses what
they print; the command lines and the parsing are unit-tested on any machine, and run for real only
on Windows. `UnavailableStore` says plainly that this needs Windows.

Secrets never go on a command line: the PFX passphrase reaches PowerShell through an environment
variable of the child process only. Thumbprints are checked to be 40 hex digits and paths are
single-quoted before they enter a script, so no user text is ever run as code.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import NoReturn

from cryptography import x509

from app.certs.inspect import CertificateInfo, describe, is_valid_thumbprint, normalize_thumbprint
from app.errors import UserError
from app.host.processes import (
    COMMAND_TIMEOUT,
    CommandError,
    CommandResult,
    Runner,
    powershell,
    ps_quote,
    run_command,
)

PASSPHRASE_ENV = "ECMA_WIZARD_PFX_PASSPHRASE"
MY = "My"
ROOT = "Root"
_HEX40 = re.compile(r"\b([0-9A-Fa-f]{40})\b")
_GUID = re.compile(r"\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}")
_IPPORT = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:]*\]):\d+$")


class StoreError(CommandError):
    """A store or binding command failed; the sentence carries Windows' own first line."""


class StoreUnavailable(UserError):
    """This system has no Windows certificate store."""


@dataclass(frozen=True)
class SslBinding:
    """One `netsh http show sslcert` entry."""

    ip_port: str
    certificate_hash: str
    app_id: str
    store_name: str | None = None


class CertificateStore(ABC):
    """Find, import and remove certificates; read and update the HTTP.sys binding of a port."""

    location = r"LocalMachine\My"

    @abstractmethod
    def available(self) -> bool: ...

    @property
    @abstractmethod
    def unavailable_reason(self) -> str | None: ...

    @abstractmethod
    def find(self, thumbprint: str, store: str = MY) -> CertificateInfo | None: ...

    @abstractmethod
    def import_pfx(self, pfx_path: str, passphrase: str) -> str:
        """Import into LocalMachine\\My (key not exportable); return the imported thumbprint."""

    @abstractmethod
    def import_root(self, cer_path: str) -> str:
        """Import a certificate (no key) into LocalMachine\\Root; return its thumbprint."""

    @abstractmethod
    def remove(self, thumbprint: str, store: str = MY) -> None: ...

    @abstractmethod
    def get_binding(self, port: int) -> SslBinding | None: ...

    @abstractmethod
    def update_binding(self, binding: SslBinding, thumbprint: str) -> None: ...


class UnavailableStore(CertificateStore):
    """Every operation says why it cannot run here."""

    def __init__(self, platform: str | None = None, *, reason: str | None = None) -> None:
        self._platform = platform or sys.platform
        self._reason = reason

    def available(self) -> bool:
        return False

    @property
    def unavailable_reason(self) -> str:
        return self._reason or (r"The LocalMachine\My store and HTTP.sys bindings exist only on Windows; "
                                f"this system is {self._platform}, so certificate files are written instead.")

    def _refuse(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise StoreUnavailable(self.unavailable_reason)

    find = import_pfx = import_root = remove = get_binding = update_binding = _refuse


def default_store(host_root: str | Path | None = None) -> CertificateStore:
    """This machine's store; refusing (one sentence) when the open host folder is on another
    machine, whose store this is not (app/host/location.py)."""
    from app.host.location import local_only_sentence, other_machine

    if host_root is not None:
        machine = other_machine(host_root)
        if machine is not None:
            return UnavailableStore(reason=local_only_sentence(host_root, machine))
    return WindowsCertificateStore() if sys.platform == "win32" else UnavailableStore()


# ---- command lines -------------------------------------------------------------------------


def _thumb(thumbprint: str) -> str:
    if not is_valid_thumbprint(thumbprint):
        raise ValueError("a thumbprint must be 40 hex digits")
    return normalize_thumbprint(thumbprint)


def _store_name(store: str) -> str:
    if store not in (MY, ROOT):
        raise ValueError(f"unknown store {store!r}")
    return store


def find_command(thumbprint: str, store: str = MY) -> list[str]:
    path = f"Cert:\\LocalMachine\\{_store_name(store)}\\{_thumb(thumbprint)}"
    return powershell(
        f"$c = Get-Item -LiteralPath {ps_quote(path)} -ErrorAction SilentlyContinue; "
        "if ($null -eq $c) { 'NOT-FOUND' } else { 'FOUND'; [Convert]::ToBase64String($c.RawData); "
        "[string]$c.HasPrivateKey }")


def import_pfx_command(pfx_path: str) -> list[str]:
    return powershell(
        f"$pw = ConvertTo-SecureString -String $env:{PASSPHRASE_ENV} -AsPlainText -Force; "
        f"$c = Import-PfxCertificate -FilePath {ps_quote(str(PureWindowsPath(pfx_path)))} "
        "-CertStoreLocation 'Cert:\\LocalMachine\\My' -Password $pw; $c.Thumbprint")


def import_root_command(cer_path: str) -> list[str]:
    return powershell(
        f"$c = Import-Certificate -FilePath {ps_quote(str(PureWindowsPath(cer_path)))} "
        "-CertStoreLocation 'Cert:\\LocalMachine\\Root'; $c.Thumbprint")


def remove_command(thumbprint: str, store: str = MY) -> list[str]:
    path = f"Cert:\\LocalMachine\\{_store_name(store)}\\{_thumb(thumbprint)}"
    delete_key = " -DeleteKey" if store == MY else ""
    return powershell(f"Remove-Item -LiteralPath {ps_quote(path)}{delete_key}")


def _ipport(port: int) -> str:
    if not 1 <= int(port) <= 65535:
        raise ValueError("a port is 1..65535")
    return f"0.0.0.0:{int(port)}"


def show_binding_command(port: int) -> list[str]:
    return ["netsh", "http", "show", "sslcert", f"ipport={_ipport(port)}"]


def _store_or_my(name: str | None) -> str:
    """A binding made without a store name shows "(null)" (netsh prints the NULL pointer, in
    every language), and HTTP.sys then reads the certificate from MY (Microsoft:
    "HTTP_SERVICE_CONFIG_SSL_PARAM": "If set to NULL, MY is assumed")."""
    name = (name or "").strip()
    return "MY" if not name or name.lower() == "(null)" else name


def update_binding_command(binding: SslBinding, thumbprint: str) -> list[str]:
    if not _GUID.fullmatch(binding.app_id) or not _IPPORT.match(binding.ip_port):
        raise ValueError("the binding's address or application id is malformed")
    store = _store_or_my(binding.store_name)
    if not re.fullmatch(r"[A-Za-z]+", store):
        raise ValueError("the binding's store name is malformed")
    return ["netsh", "http", "update", "sslcert", f"ipport={binding.ip_port}",
            f"certhash={_thumb(thumbprint)}", f"appid={binding.app_id}", f"certstorename={store.upper()}"]


# ---- parsing -------------------------------------------------------------------------------


def parse_find_output(stdout: str) -> tuple[bytes, bool] | None:
    """(DER bytes, has private key) from `find_command`'s output, or None when not found."""
    lines = [ln.strip() for ln in stdout.splitlines() if ln.strip()]
    if "NOT-FOUND" in lines:
        return None
    if "FOUND" not in lines:
        raise StoreError("the certificate store answered in an unexpected way.")
    rest = lines[lines.index("FOUND") + 1:]
    if len(rest) < 2:
        raise StoreError("the certificate store's answer was cut short.")
    try:
        der = base64.b64decode(rest[0], validate=True)
    except (binascii.Error, ValueError):
        raise StoreError("the certificate store returned unreadable certificate data.") from None
    return der, rest[1].lower() == "true"


def parse_thumbprint_output(stdout: str) -> str:
    """The last 40-hex token printed (Import-PfxCertificate / Import-Certificate thumbprint)."""
    found = _HEX40.findall(stdout)
    if not found:
        raise StoreError("the import printed no certificate thumbprint.")
    return found[-1].upper()


def parse_sslcert_output(stdout: str) -> SslBinding | None:
    """The first binding in `netsh http show sslcert` output, or None when there is none.

    Matched by the shape of the values (address, 40 hex digits, {GUID}), so a localized Windows,
    whose labels differ, parses the same."""
    pairs = []
    for line in stdout.splitlines():
        key, sep, value = line.partition(" : ")
        if sep:
            pairs.append((key.strip().lower(), value.strip()))
    start = next((i for i, (_k, v) in enumerate(pairs) if _IPPORT.match(v)), None)
    if start is None:
        return None
    ip_port = pairs[start][1]
    entry = pairs[start + 1:]
    end = next((i for i, (_k, v) in enumerate(entry) if _IPPORT.match(v)), len(entry))
    entry = entry[:end]  # this binding only
    cert_hash = next((v.upper() for _k, v in entry if _HEX40.fullmatch(v)), None)
    app_at = next((i for i, (_k, v) in enumerate(entry) if _GUID.fullmatch(v)), None)
    if cert_hash is None or app_at is None:
        return None
    app_id = entry[app_at][1]
    store = next((v for k, v in entry if k == "certificate store name"), None)
    if store is not None and store.lower() == "(null)":
        store = None  # no store name given when the binding was made: MY (see _store_or_my)
    if store is None and app_at + 1 < len(entry) and entry[app_at + 1][1].isalpha():
        store = entry[app_at + 1][1]  # localized label: the store name follows the app id
    return SslBinding(ip_port, cert_hash, app_id, store)


def _first_line(result: CommandResult) -> str:
    for text in (result.stderr, result.stdout):
        for line in text.splitlines():
            if line.strip() and not set(line.strip()) <= {"-", "+", " "}:
                return line.strip().rstrip(".")
    return f"exit code {result.returncode}"


class WindowsCertificateStore(CertificateStore):
    """LocalMachine stores through PowerShell, HTTP.sys bindings through netsh (needs elevation)."""

    def __init__(self, run: Runner = run_command) -> None:
        self._run = run

    def available(self) -> bool:
        return True

    @property
    def unavailable_reason(self) -> None:
        return None

    def _check(self, argv: list[str], what: str, secret_env: Mapping[str, str] | None = None) -> CommandResult:
        result = self._run(argv, COMMAND_TIMEOUT, secret_env)
        if result.returncode != 0:
            raise StoreError(f"{what} failed: {_first_line(result)} (run the wizard as administrator).")
        return result

    def find(self, thumbprint: str, store: str = MY) -> CertificateInfo | None:
        result = self._check(find_command(thumbprint, store), f"looking up {thumbprint} in LocalMachine\\{store}")
        parsed = parse_find_output(result.stdout)
        if parsed is None:
            return None
        der, has_key = parsed
        return describe(x509.load_der_x509_certificate(der), has_private_key=has_key,
                        source=f"LocalMachine\\{store}")

    def import_pfx(self, pfx_path: str, passphrase: str) -> str:
        result = self._check(import_pfx_command(pfx_path), r"importing the PFX into LocalMachine\My",
                             {PASSPHRASE_ENV: passphrase})
        return parse_thumbprint_output(result.stdout)

    def import_root(self, cer_path: str) -> str:
        result = self._check(import_root_command(cer_path), r"importing into LocalMachine\Root")
        return parse_thumbprint_output(result.stdout)

    def remove(self, thumbprint: str, store: str = MY) -> None:
        self._check(remove_command(thumbprint, store), f"removing {thumbprint} from LocalMachine\\{store}")

    def get_binding(self, port: int) -> SslBinding | None:
        result = self._run(show_binding_command(port), COMMAND_TIMEOUT)
        binding = parse_sslcert_output(result.stdout)
        if binding is None and result.returncode not in (0, 1):
            raise StoreError(f"reading the HTTP.sys binding of port {port} failed: {_first_line(result)}.")
        return binding

    def update_binding(self, binding: SslBinding, thumbprint: str) -> None:
        self._check(update_binding_command(binding, thumbprint),
                    f"updating the HTTP.sys binding of {binding.ip_port}")
