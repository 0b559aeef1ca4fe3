"""What the wizard does with a secret the user typed (a SecretToken, an EncryptedString value).

A host stores secrets encrypted (docs/host-secrets.md). When a way to write them as the host does is
proven on this machine (app.hostsecrets.writing), typed secrets are encrypted on Finish. When none
is, a plain secret is never written without the user's explicit choice:
- LEAVE_FOR_HOST (the default): the file keeps what it had for that field, and a finding lists what
  must be entered on the host;
- STORE_AS_TYPED: the value is written as typed, with a warning finding.
No Qt here; app/ui/wizard shows `sentence()` and the two choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from app import journal
from app.config.document import ConfigDocument, Connector
from app.config.rules import INFO, PARAMETER_PAGES, WARNING, Finding
from app.config.secretfields import secret_fields
from app.config.secretvalues import looks_encrypted
from app.hostsecrets.where import SecretPlace, parameter_name
from app.hostsecrets.writing import RouteUnproven, SecretPlan

LEAVE_FOR_HOST, STORE_AS_TYPED = "leave-for-host", "store-as-typed"


@dataclass
class TypedSecret:
    place: SecretPlace
    value: str = field(repr=False)

    @property
    def page(self) -> str:
        if self.place.key == "SecretToken":
            return "properties"
        if self.place.key.startswith("RunStep/"):
            return "run-profiles"
        return PARAMETER_PAGES.get(self.place.key.split("/", 2)[1], "connectivity")


class SecretChoice:
    def __init__(self, plan: SecretPlan) -> None:
        self.plan = plan
        self.choice = LEAVE_FOR_HOST

    @property
    def can_encrypt(self) -> bool:
        return self.plan.route is not None

    def sentence(self) -> str:
        """What saving will do with a typed secret, in one sentence."""
        if self.plan.route is not None:
            return self.plan.sentence()
        why = self.plan.reason.rstrip(".")
        if self.choice == STORE_AS_TYPED:
            return (f"Secrets you type are saved as typed, in plain text, which the host may not read "
                    f"(they cannot be encrypted here: {why}).")
        return (f"Secrets you type are not saved here but left to be entered on the host "
                f"(they cannot be encrypted here: {why}).")

    # -- what was typed ---------------------------------------------------------------------------
    @staticmethod
    def typed(connector: Connector, before: dict[str, str]) -> list[TypedSecret]:
        """Secrets whose value differs from `before` (key -> value in the file on disk) and is not
        already an encrypted value: what the user typed in this session."""
        out = []
        for f in secret_fields(connector.el):
            value = f.value
            if value.strip() and value != before.get(f.key, "") and not looks_encrypted(value):
                place = SecretPlace(connector.name, parameter_name(f.key), f.key, f.el)
                out.append(TypedSecret(place, value))
        return out

    def findings(self, typed: list[TypedSecret], page: str | None = None) -> list[Finding]:
        """The validation findings for typed secrets (of one rules page, or all)."""
        return [self._finding(t) for t in typed if page is None or t.page == page]

    def _finding(self, t: TypedSecret) -> Finding:
        where, name, connector = t.place.where, t.place.parameter, t.place.connector or None
        if self.plan.route is not None:
            check = f" {connector}" if connector else ""
            return Finding(INFO, f"{where}: encrypted for this host when saved.",
                           "After saving, restart the service (ecma-wizard service restart) and check "
                           f"that the host reads it: ecma-wizard test-connection{check}.",
                           connector, t.page, name, "secret-encrypted")
        if self.choice == STORE_AS_TYPED:
            return Finding(WARNING, f"{where}: saved as typed, in plain text; the host stores secrets "
                           "encrypted and may not read it.", "Enter it again on the host (Microsoft's "
                           "wizard, or this one on Windows), then restart the service.",
                           connector, t.page, name, "secret-plain")
        return Finding(WARNING, f"{where}: not saved; it must be entered on the host.",
                       "After saving, enter it on the host (Microsoft's wizard, or this one on Windows), "
                       "then restart the service and run test-connection.", connector, t.page, name,
                       "secret-for-host")

    # -- Finish -----------------------------------------------------------------------------------
    def apply(self, document: ConfigDocument, connector: Connector, before: dict[str, str]) -> list[Finding]:
        """Put each typed secret of `connector` (in `document`, the copy about to be saved) in the
        form decided: encrypted through the proven route, as typed, or left as the file had it.
        Returns what was done, as findings (no value in them)."""
        done = []
        for t in self.typed(connector, before):
            el: etree._Element = t.place.el
            if self.plan.route is not None:
                try:
                    with journal.action("encrypt host secret", t.place.where, connector=t.place.connector,
                                        parameter=t.place.parameter, way="DPAPI, machine scope"):
                        document.xml.set_text(el, self.plan.route.encrypt(t.value))
                    done.append(self._finding(t))
                    continue
                except RouteUnproven as exc:  # never plain by default: fall back to leaving it
                    self.plan = SecretPlan(None, str(exc))
            if self.choice != STORE_AS_TYPED:
                document.xml.set_text(el, before.get(t.place.key, ""))
            else:  # the value goes to the file unencrypted: the user chose it, the journal says so
                journal.record("host secret stored as typed (plain text)", t.place.where,
                               connector=t.place.connector, parameter=t.place.parameter)
            done.append(self._finding(t))
        return done


def values_by_key(connector: Connector | None) -> dict[str, str]:
    """key -> value of every secret of a connector as it is in the file (empty for a new one)."""
    if connector is None:
        return {}
    return {f.key: f.value for f in secret_fields(connector.el)}
