"""Regeneration as a plan: the exact steps are shown first, then run; a failure undoes what was done.

The key and certificate are made when the plan is built (so the steps can show the real
thumbprint); nothing touches the disk, the keyring, the stores or the configuration until `run`.
The previous certificate stays in the stores: rolling back only has to point things back at it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app import journal
from app.certs import store as winstore
from app.certs.generate import (
    GeneratedCertificate,
    GenerationRequest,
    PfxEncryption,
    WrittenFiles,
    planned_files,
    write_files,
)
from app.certs.store import CertificateStore, SslBinding
from app.errors import UserError
from app.filestore import atomic_write
from app.secrets import SecretStore

if TYPE_CHECKING:  # a ConfigStore comes in from the caller; this module never opens one
    from app.config.store import ConfigStore

KEYRING_PREFIX = "certificate-pfx:"


def keyring_key(thumbprint: str) -> str:
    """Where the PFX passphrase of a certificate is kept in the keyring."""
    return KEYRING_PREFIX + thumbprint


class ThumbprintTarget(Protocol):
    """Where the thumbprint is written: Configuration.xml's <Setting><Certificate>, via its store."""

    description: str

    def read(self) -> str | None: ...

    def write(self, thumbprint: str) -> None: ...


class ConfigThumbprint:
    """<Setting><Certificate> of a Configuration.xml, read and written through its store (a
    ConfigStore, e.g. `HostLayout.config_store()`)."""

    def __init__(self, store: ConfigStore) -> None:
        self.store = store
        self.path = Path(store.path)
        self.description = str(self.path)

    def read(self) -> str | None:
        return self.store.load().setting.certificate or None

    def port(self) -> int | None:
        text = (self.store.load().setting.port or "").strip()
        return int(text) if text.isdigit() else None

    def write(self, thumbprint: str) -> None:
        store = self.store
        doc = store.load()
        doc.setting.certificate = thumbprint
        store.save(doc)


def format_command(argv: list[str]) -> str:
    """The command as a Windows prompt would show it (exactly what runs)."""
    return subprocess.list2cmdline(argv)


@dataclass
class Step:
    title: str
    detail: str
    action: Callable[[], object] = field(repr=False)  # what it returns is not used
    undo: Callable[[], object] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class StepOutcome:
    title: str
    state: str  # "done", "failed", "rolled back", "rollback failed", "not run"
    message: str = ""


@dataclass
class PlanResult:
    ok: bool
    thumbprint: str
    outcomes: list[StepOutcome]
    error: str | None = None
    failed_step: str | None = None

    def summary(self) -> str:
        if self.ok:
            return f"Done: certificate {self.thumbprint} is in place."
        undone = [o for o in self.outcomes if o.state == "rolled back"]
        stuck = [o for o in self.outcomes if o.state == "rollback failed"]
        text = f"Step \"{self.failed_step}\" failed: {(self.error or 'no reason given').rstrip('.')}."
        if stuck:
            text += " These steps could not be undone and need a look: " + "; ".join(
                f"{o.title} ({o.message})" for o in stuck) + "."
        elif undone:
            text += f" The {len(undone)} step(s) already done were undone; nothing is changed."
        else:
            text += " Nothing was changed."
        return text


@dataclass
class RegenerationPlan:
    generated: GeneratedCertificate
    files: WrittenFiles
    steps: list[Step]
    notes: list[str] = field(default_factory=list)
    passphrase_in_keyring: bool = False

    @property
    def thumbprint(self) -> str:
        return self.generated.thumbprint

    def describe(self) -> list[tuple[str, str]]:
        return [(s.title, s.detail) for s in self.steps]

    def run(self, progress: Callable[[int, str], None] | None = None) -> PlanResult:
        """Run each step; on the first failure undo the completed ones, newest first."""
        with journal.action("new certificate", self.files.pfx.parent, thumbprint=self.thumbprint,
                            steps=[s.title for s in self.steps]) as whole:
            result = self._run_steps(progress)
            if not result.ok:
                whole.fail(result.summary())
            return result

    def _run_steps(self, progress: Callable[[int, str], None] | None) -> PlanResult:
        outcomes: list[StepOutcome] = []
        done: list[tuple[int, Step]] = []
        for index, step in enumerate(self.steps):
            if progress:
                progress(index, step.title)
            try:
                with journal.action(step.title, self.thumbprint):  # each step: the binding, the import...
                    step.action()
            except Exception as exc:  # a step's failure must never skip the rollback
                message = exc.sentence() if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
                outcomes.append(StepOutcome(step.title, "failed", message))
                outcomes.extend(StepOutcome(s.title, "not run") for s in self.steps[index + 1:])
                rollback = self._rollback(done)
                ordered = {o.title: o for o in outcomes}
                ordered.update({o.title: o for o in rollback})
                return PlanResult(False, self.thumbprint, [ordered[s.title] for s in self.steps],
                                  message, step.title)
            done.append((index, step))
            outcomes.append(StepOutcome(step.title, "done"))
        return PlanResult(True, self.thumbprint, outcomes)

    @staticmethod
    def _rollback(done: list[tuple[int, Step]]) -> list[StepOutcome]:
        results = []
        for _index, step in reversed(done):
            if step.undo is None:
                results.append(StepOutcome(step.title, "done", "nothing to undo"))
                continue
            try:
                with journal.action(f"undo: {step.title}", None):
                    step.undo()
            except Exception as exc:
                msg = exc.sentence() if isinstance(exc, UserError) else type(exc).__name__
                results.append(StepOutcome(step.title, "rollback failed", msg))
            else:
                results.append(StepOutcome(step.title, "rolled back"))
        return results


def build_plan(generated: GeneratedCertificate, *, out_dir: Path, passphrase: str,
               store: CertificateStore, secrets: SecretStore | None = None,
               target: ThumbprintTarget | None = None, port: int | None = None,
               with_key_pem: bool | None = None,
               encryption: PfxEncryption = PfxEncryption.AES256) -> RegenerationPlan:
    """The steps for this system. `secrets` given: the passphrase goes to the keyring.
    `with_key_pem` defaults to True off Windows (files are the product there), False on Windows."""
    on_windows = store.available()
    if with_key_pem is None:
        with_key_pem = not on_windows
    files = planned_files(out_dir, generated, with_key_pem=with_key_pem)
    cer = files.pfx.with_suffix(".cer")
    thumb = generated.thumbprint
    steps: list[Step] = []
    notes: list[str] = []

    def write() -> None:
        write_files(out_dir, generated, passphrase, with_key_pem=with_key_pem, encryption=encryption)
        if on_windows:
            atomic_write(cer, generated.cert_der())

    def unwrite() -> None:
        for path in [*files.all(), cer]:
            path.unlink(missing_ok=True)

    listed = [str(p) for p in files.all()] + ([str(cer)] if on_windows else [])
    key_note = " (key PEM: encrypted PKCS#8, owner-only)" if files.key_pem else ""
    steps.append(Step("Write the certificate files", "\n".join(listed) + key_note, write, unwrite))

    plan = RegenerationPlan(generated, files, steps, notes)
    if secrets is not None:
        key = keyring_key(thumb)
        steps.append(Step("Keep the PFX passphrase in the keyring",
                          f'service "{secrets.service}", entry "{key}" (the passphrase itself is never shown)',
                          lambda: secrets.set(key, passphrase), lambda: secrets.delete(key)))
        plan.passphrase_in_keyring = True

    if on_windows:
        steps.append(Step(r"Import into LocalMachine\My",
                          format_command(winstore.import_pfx_command(str(files.pfx))) +
                          f"\n(passphrase passed in the environment variable {winstore.PASSPHRASE_ENV})",
                          lambda: _expect(store.import_pfx(str(files.pfx), passphrase), thumb),
                          lambda: store.remove(thumb, winstore.MY)))
        steps.append(Step(r"Trust it: import into LocalMachine\Root",
                          format_command(winstore.import_root_command(str(cer))),
                          lambda: _expect(store.import_root(str(cer)), thumb),
                          lambda: store.remove(thumb, winstore.ROOT)))
        binding: SslBinding | None = store.get_binding(port) if port else None
        if binding is not None:
            old = binding.certificate_hash
            steps.append(Step(f"Point the HTTP.sys binding {binding.ip_port} at the new certificate",
                              format_command(winstore.update_binding_command(binding, thumb)) +
                              f"\n(was {old})",
                              lambda: store.update_binding(binding, thumb),
                              lambda: store.update_binding(binding, old)))
        elif port:
            notes.append(f"No HTTP.sys binding exists on 0.0.0.0:{port}; none is created "
                         "(the service binds its configured certificate when it starts).")
    else:
        notes.append(store.unavailable_reason or "")

    if target is not None:
        previous = target.read()
        steps.append(Step("Write the thumbprint to the configuration",
                          f"{target.description}\n<Setting><Certificate>: {previous or '(empty)'} -> {thumb}",
                          lambda: target.write(thumb),
                          lambda: target.write(previous or "")))
    else:
        notes.append("No configuration file was given: the thumbprint is not written anywhere.")
    plan.notes = [n for n in notes if n]
    return plan


def _expect(imported: str, thumbprint: str) -> None:
    if imported.upper() != thumbprint:
        raise UserError(f"the store reports thumbprint {imported}, expected {thumbprint}.")


def plan_factory(*, out_dir: Path, store: CertificateStore, secrets: SecretStore | None,
                 target: ThumbprintTarget | None, port: int | None,
                 encryption: PfxEncryption = PfxEncryption.AES256,
                 ) -> Callable[[GenerationRequest, str | None], RegenerationPlan]:
    """A `prepare(request, passphrase)` for the dialog: generates the certificate and builds the plan.
    passphrase None: a random one, kept in `secrets` (the keyring); else the user's, not stored."""
    from app.certs.generate import generate, new_passphrase

    def prepare(request: GenerationRequest, passphrase: str | None) -> RegenerationPlan:
        keep = passphrase is None
        if keep and (secrets is None or not secrets.available()):
            reason = secrets.unavailable_reason if secrets else "no keyring was given"
            raise UserError(f"{reason}; enter a PFX passphrase to keep yourself.")
        generated = generate(request)
        return build_plan(generated, out_dir=out_dir, passphrase=passphrase or new_passphrase(),
                          store=store, secrets=secrets if keep else None, target=target, port=port,
                          encryption=encryption)

    return prepare
