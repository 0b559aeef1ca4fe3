"""What the Entra page works with, without Qt: the settings, this host's links, a Graph client from
the stored sign-in (or one given, for tests and screenshots), and the calls the page makes. Every
method that calls Graph is slow: the page runs it through app/ui/background.py.

Use it like this::

    session = EntraSession(layout)
    session.gather()                      # [ConnectorState] of every linked connector
    session.restart("CSV", "QuarantineState")
    session.after_certificate_change("CSV")   # test from Entra, restart with QuarantineState
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.entra import jobs
from app.entra.credentials import kept_words
from app.entra.graph import DEFAULT_GRAPH, NOT_ASKED, GraphClient, GraphError
from app.entra.links import Candidate, EntraSettings, Link, detect, host_key, tenant_url
from app.entra.overview import ConnectorState, gather
from app.entra.provision import ProvisionResult, provision_user
from app.entra.signin import MsalSignIn
from app.errors import UserError
from app.host.layout import HostLayout
from app.secrets import SecretStore


class EntraSession:
    def __init__(self, layout: HostLayout, *, settings: EntraSettings | None = None,
                 client: Any = None, store: SecretStore | None = None, msal_module: Any = None) -> None:
        self.layout = layout
        self.settings = settings or EntraSettings.load()
        self.host = host_key(layout)
        self._client = client  # given: tests and screenshots; else built from the sign-in
        self._store = store
        self._msal = msal_module
        self.account: str | None = None

    # -- sign-in ----------------------------------------------------------------------------
    @property
    def graph_url(self) -> str:
        return self.settings.sign_in.graph_url or DEFAULT_GRAPH

    def signer(self, *, interactive: bool = False, device_code: bool = False,
               show: Callable[[str], None] = print) -> MsalSignIn:
        return MsalSignIn(self.settings.sign_in, store=self._store, interactive=interactive,
                          device_code=device_code, show=show, msal_module=self._msal)

    def sign_in(self, tenant: str, client_id: str, *, device_code: bool = False,
                show: Callable[[str], None] = print) -> str:
        """Interactive (browser or device code); returns who signed in. Slow: off the GUI thread."""
        if tenant.strip():
            self.settings.sign_in.tenant = tenant.strip()
        if client_id.strip():
            self.settings.sign_in.client_id = client_id.strip()
        signer = self.signer(interactive=True, device_code=device_code, show=show)
        signer.access_token()
        self.settings.save()
        self._client = GraphClient(signer, base_url=self.graph_url)
        self.account = signer.account or self.settings.sign_in.tenant
        if signer.not_remembered:
            return f"{self.account} (for this session only: {signer.not_remembered.rstrip('.')})"
        return self.account

    def sign_out(self) -> bool:
        self._client = None
        self.account = None
        if not self.settings.sign_in.tenant or not self.settings.sign_in.client_id:
            return False
        return self.signer().sign_out()

    def client(self) -> Any:
        if self._client is None:
            self._client = GraphClient(self.signer(), base_url=self.graph_url)
        return self._client

    # -- links ------------------------------------------------------------------------------
    def links(self) -> dict[str, Link]:
        return self.settings.links_for(self.host)

    def link(self, connector: str, link: Link) -> None:
        self.settings.link(self.host, connector, link)
        self.settings.save()

    def unlink(self, connector: str) -> None:
        self.settings.unlink(self.host, connector)
        self.settings.save()

    def find(self, connector: str, search: str | None = None) -> tuple[Link | None, list[Candidate]]:
        return detect(self.client(), connector, search)

    def _job(self, connector: str) -> tuple[str, str]:
        link = self.links().get(connector)
        if link is None:
            raise UserError(f"connector '{connector}' is not linked to an enterprise application.")
        if link.job:
            return link.service_principal, link.job
        found = jobs.list_jobs(self.client(), link.service_principal)
        if len(found) != 1:
            raise UserError(f"the application of '{connector}' has {len(found)} provisioning jobs; link "
                            "one job (ecma-wizard entra link --job ID).")
        return link.service_principal, found[0].job

    # -- calls ------------------------------------------------------------------------------
    def gather(self) -> list[ConnectorState]:
        return gather(self.client(), self.links())

    def start(self, connector: str) -> str:
        sp, job = self._job(connector)
        jobs.start(self.client(), sp, job)
        return f"Started the provisioning of '{connector}'."

    def pause(self, connector: str) -> str:
        sp, job = self._job(connector)
        jobs.pause(self.client(), sp, job)
        return f"Paused the provisioning of '{connector}'."

    def restart(self, connector: str, scope: str = "", *, confirmed_dangerous: bool = False) -> str:
        sp, job = self._job(connector)
        sent = jobs.restart(self.client(), sp, job, scope, confirmed_dangerous=confirmed_dangerous)
        return f"Restarted the provisioning of '{connector}' (reset scope: {sent or 'empty'})."

    def test_from_entra(self, connector: str) -> tuple[bool, str]:
        """(worked, sentence): Entra tests its saved Tenant URL and token against the host."""
        sp, job = self._job(connector)
        try:
            jobs.validate_saved_credentials(self.client(), sp, job)
        except GraphError as exc:
            if exc.kind in NOT_ASKED:
                raise
            return False, f"Entra could not reach '{connector}' with its saved credentials: {exc.sentence()}"
        return True, f"Entra reached '{connector}' with its saved Tenant URL and token."

    def after_certificate_change(self, connector: str) -> str:
        """Test from Entra; when that works, restart with QuarantineState and read the new state."""
        worked, sentence = self.test_from_entra(connector)
        if not worked:
            return sentence + " The job was not restarted."
        self.restart(connector, "QuarantineState")
        state = gather(self.client(), {connector: self.links()[connector]})[0]
        return f"{sentence} Restarted with QuarantineState; now: {state.summary()}."

    def push_credentials(self, connector: str, token: str, host_name: str, port: str) -> str:
        sp, _ = self._job(connector)
        url = tenant_url(host_name, port or "8585", connector)
        kept = jobs.push_credentials(self.client(), sp, url, token)
        return f"Entra now has the Tenant URL {url} and the connector's token (not shown){kept_words(kept)}."

    def provision(self, connector: str, user_id: str) -> ProvisionResult:
        sp, job = self._job(connector)
        return provision_user(self.client(), sp, job, user_id)
