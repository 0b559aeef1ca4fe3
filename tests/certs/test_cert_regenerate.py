"""The regeneration plan: steps shown before running, rollback of completed steps on failure."""

from __future__ import annotations

import pytest

from app.certs.regenerate import build_plan, keyring_key
from app.certs.store import CertificateStore, SslBinding, StoreError, UnavailableStore
from app.secrets import SecretStore

OLD = "0" * 40
APPID = "{4dc3e181-e14b-4a21-b022-59fc669b0914}"


class RecordingStore(CertificateStore):
    """A Windows-like store kept in memory; `fail_on` names an operation that raises."""

    def __init__(self, fail_on=None, binding=True):
        self.fail_on = fail_on
        self.certs = {"My": set(), "Root": set()}
        self.binding = SslBinding("0.0.0.0:8585", OLD, APPID, "My") if binding else None
        self.log = []

    def available(self):
        return True

    @property
    def unavailable_reason(self):
        return None

    def _maybe_fail(self, op):
        self.log.append(op)
        if op == self.fail_on:
            raise StoreError(f"{op} failed: Access is denied (run the wizard as administrator).")

    def find(self, thumbprint, store="My"):
        return None

    def import_pfx(self, pfx_path, passphrase):
        self._maybe_fail("import_pfx")
        self.certs["My"].add(self.expected)
        return self.expected

    def import_root(self, cer_path):
        self._maybe_fail("import_root")
        self.certs["Root"].add(self.expected)
        return self.expected

    def remove(self, thumbprint, store="My"):
        self._maybe_fail(f"remove_{store}")
        self.certs[store].discard(thumbprint)

    def get_binding(self, port):
        return self.binding

    def update_binding(self, binding, thumbprint):
        self._maybe_fail("update_binding")
        self.binding = SslBinding(binding.ip_port, thumbprint, binding.app_id, binding.store_name)


class Target:
    description = "Configuration.xml"

    def __init__(self, value=OLD, fail=False):
        self.value, self.fail = value, fail

    def read(self):
        return self.value

    def write(self, thumbprint):
        if self.fail and thumbprint != OLD:
            raise OSError("disk full")
        self.value = thumbprint


@pytest.fixture
def gen(make_cert):
    return make_cert()


def windows_plan(tmp_path, gen, *, store, target, secrets=None):
    store.expected = gen.thumbprint
    return build_plan(gen, out_dir=tmp_path / "out", passphrase="pp-123", store=store,
                      secrets=secrets or SecretStore(), target=target, port=8585)


def test_windows_steps_are_exact_and_shown_before_anything_runs(tmp_path, gen):
    store, target = RecordingStore(), Target()
    plan = windows_plan(tmp_path, gen, store=store, target=target)
    titles = [t for t, _ in plan.describe()]
    assert titles == ["Write the certificate files", "Keep the PFX passphrase in the keyring",
                      r"Import into LocalMachine\My", r"Trust it: import into LocalMachine\Root",
                      "Point the HTTP.sys binding 0.0.0.0:8585 at the new certificate",
                      "Write the thumbprint to the configuration"]
    details = "\n".join(d for _, d in plan.describe())
    assert "Import-PfxCertificate" in details and f"certhash={gen.thumbprint}" in details
    assert f"{OLD} -> {gen.thumbprint}" in details
    assert "pp-123" not in details
    assert not (tmp_path / "out").exists() and store.log == []  # nothing ran yet


def test_windows_run_does_everything(tmp_path, gen, memory_keyring):
    store, target = RecordingStore(), Target()
    plan = windows_plan(tmp_path, gen, store=store, target=target)
    result = plan.run()
    assert result.ok, result.summary()
    assert gen.thumbprint in store.certs["My"] and gen.thumbprint in store.certs["Root"]
    assert store.binding.certificate_hash == gen.thumbprint
    assert target.value == gen.thumbprint
    assert SecretStore().get(keyring_key(gen.thumbprint)) == "pp-123"
    assert plan.files.pfx.exists() and plan.files.pfx.with_suffix(".cer").exists()
    assert plan.files.key_pem is None  # on Windows the key lives in the store, not a PEM


@pytest.mark.parametrize("fail_on", ["import_pfx", "import_root", "update_binding", "config"])
def test_a_failing_step_rolls_back_the_completed_ones(tmp_path, gen, fail_on):
    store = RecordingStore(fail_on=None if fail_on == "config" else fail_on)
    target = Target(fail=fail_on == "config")
    secrets = SecretStore()
    plan = windows_plan(tmp_path, gen, store=store, target=target, secrets=secrets)
    result = plan.run()
    assert not result.ok
    assert store.certs == {"My": set(), "Root": set()}
    assert store.binding.certificate_hash == OLD
    assert target.value == OLD
    assert secrets.get(keyring_key(gen.thumbprint)) is None
    assert not any((tmp_path / "out").glob("*"))
    states = {o.title: o.state for o in result.outcomes}
    assert "failed" in states.values() and "rollback failed" not in states.values()
    assert "undone" in result.summary()


def test_a_rollback_that_fails_is_reported_not_hidden(tmp_path, gen):
    class Stubborn(RecordingStore):
        def update_binding(self, binding, thumbprint):
            raise StoreError("updating the HTTP.sys binding failed: The parameter is incorrect.")

        def remove(self, thumbprint, store="My"):
            raise StoreError("removing failed: Access is denied.")

    plan = windows_plan(tmp_path, gen, store=Stubborn(), target=Target())
    result = plan.run()
    assert not result.ok
    assert [o.state for o in result.outcomes if o.state == "rollback failed"] == ["rollback failed"] * 2
    assert "need a look" in result.summary()


def test_elsewhere_files_and_thumbprint_only(tmp_path, gen):
    target = Target(value="")
    plan = build_plan(gen, out_dir=tmp_path / "out", passphrase="pp", store=UnavailableStore("linux"),
                      secrets=None, target=target, port=8585)
    assert [t for t, _ in plan.describe()] == ["Write the certificate files",
                                                "Write the thumbprint to the configuration"]
    assert any("only on Windows" in n for n in plan.notes)
    result = plan.run()
    assert result.ok and target.value == gen.thumbprint
    assert plan.files.key_pem.exists() and plan.files.cert_pem.exists()
    assert not plan.files.pfx.with_suffix(".cer").exists()


def test_no_binding_on_the_port_is_a_note(tmp_path, gen):
    plan = windows_plan(tmp_path, gen, store=RecordingStore(binding=False), target=None)
    assert not any("HTTP.sys" in t for t, _ in plan.describe())
    assert any("No HTTP.sys binding" in n for n in plan.notes)
    assert any("not written anywhere" in n for n in plan.notes)
