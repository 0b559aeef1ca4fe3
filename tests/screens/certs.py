"""Render the certificate dialog (each step), the banner states and the status widget to PNG.

Used by the screenshots command; the Windows steps are shown with an in-memory stand-in for the
Windows store (no command runs), so the pictures look the same on any machine.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from app.certs.generate import GenerationRequest, KeySpec, generate
from app.certs.regenerate import plan_factory
from app.certs.status import gather_status
from app.certs.store import CertificateStore, SslBinding, StoreError
from app.secrets import SecretStore

HOST_NAMES = ("ecmahost", "ecmahost.contoso.local")
OLD_THUMB = "1D8AE3E6B1F3A4BA5D3C8E2C6E9B33CBD0B7FF2A"


class DemoWindowsStore(CertificateStore):
    """An in-memory LocalMachine store with a binding on 0.0.0.0:8585; `fail_on` makes a step fail."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.fail_on = fail_on
        self.binding = SslBinding("0.0.0.0:8585", OLD_THUMB, "{4dc3e181-e14b-4a21-b022-59fc669b0914}", "My")
        self.imported: dict[str, set[str]] = {"My": set(), "Root": set()}
        self.pending = ""

    def available(self) -> bool:
        return True

    @property
    def unavailable_reason(self) -> None:
        return None

    def _step(self, name: str) -> None:
        if name == self.fail_on:
            raise StoreError(f"{name.replace('_', ' ')} failed: Access is denied "
                             "(run the wizard as administrator).")

    def find(self, thumbprint, store="My"):
        return None

    def import_pfx(self, pfx_path, passphrase):
        from app.certs.inspect import load_certificate

        thumb = load_certificate(pfx_path, password=passphrase.encode()).info().thumbprint
        self._step("import_pfx")
        self.imported["My"].add(thumb)
        return thumb

    def import_root(self, cer_path):
        from app.certs.inspect import load_certificate

        thumb = load_certificate(cer_path).info().thumbprint
        self._step("import_root")
        self.imported["Root"].add(thumb)
        return thumb

    def remove(self, thumbprint, store="My"):
        self.imported[store].discard(thumbprint)

    def get_binding(self, port):
        return self.binding

    def update_binding(self, binding, thumbprint):
        self._step("updating the HTTP.sys binding")
        self.binding = SslBinding(binding.ip_port, thumbprint, binding.app_id, binding.store_name)


class DemoTarget:
    description = r"C:\Program Files\Microsoft ECMA2Host\Service\Configuration\Configuration.xml"

    def __init__(self) -> None:
        self.value = OLD_THUMB

    def read(self) -> str:
        return self.value

    def write(self, thumbprint: str) -> None:
        self.value = thumbprint


class _DictBackend:
    name = "demo"

    def __init__(self) -> None:
        self.data: dict = {}

    def probe(self):
        return None

    def get(self, service, key):
        return self.data.get((service, key))

    def set(self, service, key, value):
        self.data[(service, key)] = value

    def delete(self, service, key):
        return self.data.pop((service, key), None) is not None


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def _save(widget, path: Path) -> Path:
    from PySide6.QtWidgets import QApplication

    widget.show()
    QApplication.processEvents()
    widget.grab().save(str(path))
    return path


def _dialog(out: Path, *, fail_on: str | None = None, keyring_reason: str | None = None):
    from app.ui.certs.dialog import CertificateDialog

    prepare = plan_factory(out_dir=out, store=DemoWindowsStore(fail_on), secrets=SecretStore(_DictBackend()),
                           target=DemoTarget(), port=8585)
    dialog = CertificateDialog(prepare, host_names=HOST_NAMES, keyring_reason=keyring_reason,
                               restart=lambda: "The Microsoft ECMA2Host service was restarted.")
    dialog.resize(820, 600)
    return dialog, prepare


def screenshots(outdir: Path) -> list[Path]:
    """Write the PNGs into `outdir` and return their paths."""
    app = _app()  # noqa: F841 - keeps the application alive while rendering
    from app.ui.certs.banner import ExpiryBanner
    from app.ui.certs.status_widget import CertificateStatusWidget

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dialog, prepare = _dialog(work / "ok")
        paths.append(_save(dialog, outdir / "cert-dialog-1-choose.png"))
        request = dialog.request()
        dialog.show_plan(prepare(request, None))
        paths.append(_save(dialog, outdir / "cert-dialog-2-steps.png"))
        dialog.show_result(dialog.plan.run())
        paths.append(_save(dialog, outdir / "cert-dialog-3-done.png"))
        dialog.close()

        failing, prepare = _dialog(work / "fail", fail_on="updating the HTTP.sys binding")
        failing.show_plan(prepare(failing.request(), None))
        failing.show_result(failing.plan.run())
        paths.append(_save(failing, outdir / "cert-dialog-3-failed-rolled-back.png"))
        failing.close()

        nokeyring, _ = _dialog(work / "nk", keyring_reason="no usable keyring on this system: no "
                               "keyring backend is installed or running")
        paths.append(_save(nokeyring, outdir / "cert-dialog-1-choose-no-keyring.png"))
        nokeyring.close()

    now = dt.datetime.now(dt.UTC)
    for label, days_left in (("60", 45), ("30", 21), ("7", 3), ("expired", -12)):
        issued = now - dt.timedelta(days=730 - days_left)
        info = generate(GenerationRequest(HOST_NAMES, KeySpec.P256, 730), now=issued).info()
        banner = ExpiryBanner()
        banner.resize(900, 60)
        banner.set_certificate(info, now)
        paths.append(_save(banner, outdir / f"cert-banner-{label}.png"))
        banner.close()

    from app.certs.inspect import describe

    other = generate(GenerationRequest(("otherhost",), KeySpec.RSA2048, 30))
    served = describe(other.certificate, source="served by localhost:8585")
    status = gather_status(OLD_THUMB, host_names=HOST_NAMES, endpoint=("localhost", 8585),
                           fetch=lambda host, port: served)
    widget = CertificateStatusWidget()
    widget.resize(820, 560)
    widget.set_status(status)
    paths.append(_save(widget, outdir / "cert-status.png"))
    widget.close()
    return paths


if __name__ == "__main__":  # python -m tests.screens.certs OUTDIR
    import sys

    for p in screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")):
        print(p)
