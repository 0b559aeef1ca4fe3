"""Known errors of docs/host-facts.md §7, recognised in event messages, with the fix and what the app can do.

Each entry has a pattern (case-insensitive, matched in the message), the fix in one or two
sentences, and what the app can do about it, which the viewer turns into a button: open the
certificate dialog, open a connector's page (the name is read from the message), run the host
doctor, or nothing when only the user can act (Entra portal, WinSxS copy...). The action is a type
(`ActionKind` + `Action`), decided here once, so the windows dispatch on it instead of parsing text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

_CONNECTOR = [
    re.compile(r"Connector '([^']+)'", re.I),
    re.compile(r"\\ECMA\\Cache\\([^\\\s'\"]+)", re.I),
    re.compile(r"ecma2host_([A-Za-z0-9_.-]+)"),
]


class ActionKind(Enum):
    """What the app can do about a known error."""

    CERTIFICATE = "certificate"  # open the certificate dialog
    CONNECTOR = "connector"      # open the connector's page named in the message
    DOCTOR = "doctor"            # run the host doctor


@dataclass(frozen=True)
class Action:
    """A concrete action: its kind, and for CONNECTOR the connector's name (never empty then)."""

    kind: ActionKind
    connector: str = ""

    def __post_init__(self) -> None:
        if (self.kind is ActionKind.CONNECTOR) != bool(self.connector):
            raise ValueError("a connector action names its connector, and only it does")

    def __str__(self) -> str:
        # the id shown to the user when no main window can act ("connector:HR", "doctor")
        return f"connector:{self.connector}" if self.connector else self.kind.value


@dataclass(frozen=True)
class KnownError:
    key: str
    title: str
    pattern: re.Pattern[str]
    fix: str
    action: ActionKind | None  # None when only the user can act
    source: str  # where the fact comes from (docs/host-facts.md §7)

    def action_for(self, message: str) -> Action | None:
        """The concrete action: a connector action needs the connector's name from the message;
        without one the doctor is the next best help."""
        if self.action is None:
            return None
        if self.action is not ActionKind.CONNECTOR:
            return Action(self.action)
        name = connector_in(message)
        return Action(ActionKind.CONNECTOR, name) if name else Action(ActionKind.DOCTOR)


def connector_in(message: str) -> str | None:
    for pattern in _CONNECTOR:
        found = pattern.search(message)
        if found:
            return found.group(1)
    return None


def _k(key: str, title: str, pattern: str, fix: str, action: ActionKind | None, source: str) -> KnownError:
    return KnownError(key, title, re.compile(pattern, re.I | re.S), fix, action, source)


CERTIFICATE, CONNECTOR, DOCTOR = ActionKind.CERTIFICATE, ActionKind.CONNECTOR, ActionKind.DOCTOR

KNOWN_ERRORS: tuple[KnownError, ...] = (
    _k("certificate", "Certificate expired, changed or not trusted",
       r"(certificate|ssl|tls).{0,200}(expired|not valid|untrusted|changed|quarantine|thumbprint)",
       "The host's certificate changed (for example Cloud Sync on the same host) or expired: "
       "regenerate it, save, then test the connection again in Entra.",
       CERTIFICATE, "seed, [doc]"),
    # a quarantine alone says nothing about the certificate: Microsoft's quarantine-status page lists
    # several reasons, and only EncounteredQuarantineException is a connection or certificate matter
    _k("quarantine", "Provisioning job in quarantine",
       r"quarantine",
       "Entra quarantined the application's provisioning job. Its quarantine reason says why (the "
       "Entra tab, or `ecma-wizard entra status`): only EncounteredQuarantineException points at the "
       "connection or the certificate; the other reasons are fixed in Entra.",
       None, "[doc]"),
    _k("powershell-libraries", "Windows PowerShell 5.1 libraries not found",
       r"Unable to find Windows PowerShell 5\.1 libraries",
       "Copy System.Management.Automation.resources.dll, Microsoft.PowerShell.Security.resources.dll "
       "and Microsoft.WSMan.Management.resources.dll from C:\\Windows\\WinSxS into the connector's "
       "Cache folder (often needed when the host is a domain controller).",
       CONNECTOR, "seed"),
    _k("invalid-resource", "Entra reports \"invalid resource\"",
       r"invalid resource",
       "Check the Tenant URL format (https://HOST:8585/ecma2host_<ConnectorName>/scim) and the "
       "connector name's case.", CONNECTOR, "[doc]"),
    # the fixes below follow the "Common errors" table of Microsoft's "Troubleshoot on-premises
    # application provisioning" page (docs/host-facts.md §7)
    _k("ldap-dn", "Invalid LDAP style of object's DN",
       r"Invalid LDAP style (of object'?s )?DN|ValidByLdapStyle",
       "Both are needed: untick 'DN is Anchor' on the connector's Connectivity page, and tick "
       "'Autogenerated' (DN) on its Object Types page.",
       CONNECTOR, "[doc]"),
    _k("cache-access", "Connector cache folder not accessible",
       r"Could not load file or assembly.{0,400}Cache.{0,400}Access is denied",
       "Give Network Service full control of the Service\\ECMA\\Cache folder, then restart the "
       "service. If it has that and .NET still makes its own copy of the connector DLL, add the DLL "
       "to the Global Assembly Cache (gacutil), as Microsoft's troubleshooting page advises.",
       DOCTOR, "[doc]"),
    _k("service-exists", "The specified service already exists",
       r"The specified service already exists",
       "An earlier uninstall of the host failed: remove the old service (sc.exe delete) and install "
       "again.", DOCTOR, "[doc]"),
    _k("metrics", "Metrics collector not initialised",
       r"Unable to initiali[sz]e metrics collector",
       "Add NT SERVICE\\AADConnectProvisioningAgent to the local group Performance Log Users.",
       DOCTOR, "[doc]"),
    _k("dsn", "ODBC data source not found",
       r"Data source name not found and no default driver specified",
       "The DSN file is probably not saved as UTF-8: save it as UTF-8 and test the connection.",
       CONNECTOR, "[doc]"),
    _k("dtd", "DTD prohibited in an imported XML file",
       r"DTD is prohibited in this XML document",
       "The file being imported declares a DTD, which the host refuses: remove the <!DOCTYPE> line.",
       CONNECTOR, "https://github.com/microsoft/MIMPowerShellConnectors/issues/11"),
    _k("objectclass-single", "LDAP objectClass value the directory does not accept",
       r"objectClass: value #?\s*\d* ?(number )?invalid per syntax|ExportErrorCustomContinueRun.{0,200}objectClass",
       "Make the Entra mapping to objectClass send only names of object classes the directory server "
       "knows (its schema's structural and auxiliary classes, such as inetOrgPerson); keep objectClass "
       "multivalued and build it with Split(\"inetOrgPerson,...\", \",\"), as Microsoft's Generic LDAP "
       "tutorial does.", CONNECTOR, "[doc]"),
    _k("entra-cannot-reach", "Entra's Test Connection could not reach the host",
       r"CredentialValidationUnavailable|An error occurred while sending the request",
       "The host's certificate must have a subject that matches this server's host name (the one the "
       "host generates does, but is meant for testing). Also check that the provisioning agent and the "
       "ECMA2Host service run and the port is open; then test the connection again in Entra.",
       CERTIFICATE, "[doc]"),
    _k("importing", "The host is still importing",
       r"currently importing data from the target application",
       "Normal after an agent assignment or a service restart: the host imports first. Wait 10-20 "
       "minutes, then try again.", None, "[doc]"),
    _k("powershell-assemblies", "PowerShell 5.1 assemblies could not be loaded",
       r"RegisterNotLoadedAssemblies.{0,200}System\.Management\.Automation",
       "Install .NET Framework 4.7.1 or later, and copy the Windows PowerShell 5.1 resource DLLs "
       "from C:\\Windows\\WinSxS into the connector's Cache folder.", CONNECTOR, "[doc]"),
    _k("sql-null", "A required database column received no value",
       r"Cannot insert the value NULL into column",
       "Map the NOT NULL column's attribute in Entra, and select that attribute on the connector's "
       "Select Attributes page.", CONNECTOR, "[doc]"),
    _k("psma-powershell7", "PowerShell connector scripts ran under PowerShell 7",
       r"PSCustomObject.{0,80}not marked as serializable|CannotUnloadAppDomainException|0x80131015",
       "The Granfeldt PowerShell connector needs Windows PowerShell 5.1: run its scripts there, not "
       "under PowerShell 7.", CONNECTOR, "https://github.com/sorengranfeldt/psma/issues/37"),
    _k("agent-start", "The provisioning agent's service failed to start",
       r"Microsoft Entra Connect Provisioning Agent'? failed to start",
       "Give the agent's service account the rights it needs (log on as a service), or reinstall the "
       "agent with its default account.", DOCTOR, "[doc]"),
    _k("execution-policy", "PowerShell scripts are not allowed to run",
       r"running scripts is disabled on this system|execution polic(y|ies)",
       "Allow the connector's scripts: Set-ExecutionPolicy RemoteSigned -Scope LocalMachine (or sign "
       "the scripts).", DOCTOR, "[doc]"),
)


@dataclass(frozen=True)
class Diagnosis:
    known: KnownError
    action: Action | None  # None when the user must act elsewhere

    @property
    def title(self) -> str:
        return self.known.title

    @property
    def fix(self) -> str:
        return self.known.fix


def diagnose(message: str) -> Diagnosis | None:
    """The first known error the message matches, with its concrete action."""
    if not message:
        return None
    for known in KNOWN_ERRORS:
        if known.pattern.search(message):
            return Diagnosis(known, known.action_for(message))
    return None
