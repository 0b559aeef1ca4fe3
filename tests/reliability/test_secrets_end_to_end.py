"""Secrets end to end: plant a known token and password in a host,
drive the CLI and the GUI through a session, then search everything the app wrote and printed.

The user's own Configuration.xml holds the planted values (that is where a connector's secrets
live, and Microsoft's host keeps them there too, DPAPI-encrypted); so do the backups of that file,
which are copies of the user's file kept for them. Everything else must be free of them: the
data folder's other files, bundles (decompressed), exports, reports, logs, the crash log,
stdout/stderr, exception texts, and every subprocess's argv.
"""

from __future__ import annotations

import base64
import io
import shutil
import sys
import zipfile
from pathlib import Path

from app.cli import main
from app.config.store import ConfigStore
from app.host.layout import from_host_dir
from app.wizard.page_keys import SUMMARY

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "diagnostics"))
from diag_scim_responder import TOKEN, ScimResponder

from tests.reliability.planted import PASSWORD  # planted by conftest.planted_host

PASSPHRASE = "bundle-passphrase-9f3a7c"
PLANTED = [TOKEN, PASSWORD, PASSPHRASE]


def needles() -> list[bytes]:
    out = []
    for value in PLANTED:
        raw = value.encode()
        out += [raw, value.encode("utf-16-le"), base64.b64encode(raw)]
    return out


def leaks(data: bytes) -> list[str]:
    return [n.decode("latin-1") for n in needles() if n in data]


def zip_members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(i.filename, archive.read(i)) for i in archive.infolist()]


def run(capsys, *argv) -> tuple[int, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out + err


def session(host: list, sample_host, root, outputs) -> list[tuple[list, tuple[int, ...]]]:
    """Every command with the planted host (argv, the exit codes it may end with): every command
    the parser knows is here or in DRIVEN_ELSEWHERE (test_every_command_is_driven)."""
    ok, refused = (0, 1), (2,)
    return [
        (["validate", *host], ok), (["validate", *host, "--json"], ok), (["show", *host, "--json"], ok),
        (["diff", sample_host, root], ok), (["diff", sample_host, root, "--json"], ok),
        (["set-timer", *host, "CSV", "15"], ok), (["backups", "list", *host], ok),
        (["export", "CSV", *host, "--out", outputs / "csv-export.xml"], ok),
        (["report", *host, "--out", outputs / "asbuilt.html"], ok),
        (["report", *host, "--out", outputs / "asbuilt.md"], ok),
        (["bundle", "create", *host, "--out", outputs / "omit.zip"], ok),
        (["bundle", "create", *host, "--out", outputs / "enc.zip", "--secrets", "encrypt",
          "--passphrase-env", "BUNDLE_PASS"], ok),
        (["logs", root / "Logs" / "ECMA2Host.xml", "--format", "jsonl"], ok),
        (["doctor", *host], ok), (["cert", "status", *host], ok),
        (["set-timer", *host, "csv", "10"], refused),  # an error that names the connector
        (["test-connection", "Nope", *host, "--token-env", "ECMA_TOKEN"], refused),
        (["secrets", *host], ok), (["secrets", *host, "--json"], ok),
        (["logging", "show", *host, "--json"], ok), (["logging", "set", *host, "Verbose"], ok + refused),
        (["service", "status", "--json"], ok + refused),
        (["cert", "regenerate", *host, "--hostname", "ecmahost", "--out", outputs / "cert",
          "--pfx-password-env", "BUNDLE_PASS"], ok + refused),
        (["connector", "inspect", *host, "--json", "--secret-env", "Password=ECMA_TOKEN"], ok + refused),
        (["connector", "add", "--dll", root / "missing.dll", *host, "--token-env", "ECMA_TOKEN"], refused),
        (["connector", "deploy-dll", *host, "--dry-run", root / "missing.dll"], refused),
        (["import-ma", *host, root / "missing-ma.xml"], refused),
        (["import", *host, "--on-clash", "rename", outputs / "csv-export.xml"], ok),
        (["bundle", "restore", *host, "--passphrase-env", "BUNDLE_PASS", "--yes",
          outputs / "enc.zip"], ok),
        (["backups", "restore", *host, "1"], ok),
        # last: the journal of every change above, read back as text and as JSON
        (["journal", *host], ok), (["journal", *host, "--json"], ok),
    ]


# Commands the session above does not run, and where their secrets are checked instead.
DRIVEN_ELSEWHERE = {
    "entra": "test_entra_secrets.py (against the Graph stand-in)",
    "host-report": "test_report_secrets.py",
    "gui": "opens a window: tests/ui",
    "screenshots": "renders the windows with sample data: tests/ui",
}


def cli_commands() -> set[tuple[str, ...]]:
    """Every command the parser knows, as its words ('backups', 'restore')."""
    import argparse

    from app.cli import build_parser

    def walk(parser: argparse.ArgumentParser, words: tuple[str, ...]):
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs and words:
            yield words
        for action in subs:
            for name, child in action.choices.items():
                yield from walk(child, (*words, name))

    return set(walk(build_parser(), ()))


def test_every_command_is_driven():
    """A new command joins the secrets session (or says where its secrets are checked)."""
    commands, root = cli_commands(), Path("host")
    driven = set()
    for argv, _ in session(["--host-dir", root], Path("sample"), root, Path("out")):
        words = tuple(map(str, argv))
        driven |= {c for c in commands if words[:len(c)] == c}
    missing = {c for c in commands - driven if c[0] not in DRIVEN_ELSEWHERE}
    assert not missing, f"not run with planted secrets: {sorted(missing)}"


def test_cli_session_leaks_no_secret(planted_host, tmp_path, capsys, monkeypatch, argv_log,
                                     _private_data_dir, sample_host):
    layout, cert = planted_host
    host = ["--host-dir", layout.root]
    printed: list[str] = []
    monkeypatch.setenv("ECMA_TOKEN", TOKEN)
    monkeypatch.setenv("BUNDLE_PASS", PASSPHRASE)
    outputs = tmp_path / "outputs"
    outputs.mkdir()

    for argv, codes in session(host, sample_host, layout.root, outputs):
        code, text = run(capsys, *argv)
        assert code in codes, (argv, text)
        printed.append(text)

    for mode in ("ok", "401", "500"):
        (tmp_path / mode).mkdir()
        responder = ScimResponder(tmp_path / mode, {"good": cert, "other": cert, "expired": cert}, mode)
        try:
            code, text = run(capsys, "test-connection", "CSV", *host, "--host", "127.0.0.1",
                             "--port", responder.port, "--token-env", "ECMA_TOKEN", "--timeout", "2")
            printed.append(text)
            if mode == "ok":
                assert code == 0, text  # the planted token really was sent, and accepted
        finally:
            responder.close()

    for text in printed:
        assert not leaks(text.encode()), text
    for path in outputs.rglob("*"):
        data = path.read_bytes()
        assert not leaks(data), path
        if path.suffix == ".zip":
            for name, member in zip_members(data):
                assert not leaks(member), (path, name)
    # the app's own data folder: everything but backups of the user's own Configuration.xml
    for path in Path(_private_data_dir).rglob("*"):
        if path.is_file() and not path.name.endswith("Configuration.xml.bak"):
            assert not leaks(path.read_bytes()), path
    for argv in argv_log:
        assert not leaks(" ".join(argv).encode()), argv
    assert TOKEN.encode() in layout.config_path.read_bytes()  # the user's file keeps its token


def test_encrypted_bundle_restores_the_secrets_only_with_the_passphrase(planted_host, tmp_path,
                                                                       capsys, monkeypatch):
    layout, _ = planted_host
    monkeypatch.setenv("BUNDLE_PASS", PASSPHRASE)
    bundle = tmp_path / "enc.zip"
    code, text = run(capsys, "bundle", "create", "--host-dir", layout.root, "--out", bundle,
                     "--secrets", "encrypt", "--passphrase-env", "BUNDLE_PASS")
    assert code == 0, text
    assert not leaks(bundle.read_bytes())


def test_crash_log_and_exception_texts_hold_no_secret(planted_host, capsys, monkeypatch,
                                                      _private_data_dir):
    """An internal error while the token is in memory: the crash log has the trace, not values."""
    layout, _ = planted_host
    import app.cli.config as commands

    def boom(args):
        token = ConfigStore(layout.config_path).load().find_connector("CSV").secret_token
        raise RuntimeError("failed while working on a connector") from ValueError(len(token))

    monkeypatch.setattr(commands, "cmd_show", boom)
    code, text = run(capsys, "show", "--host-dir", layout.root)
    assert code == 3 and "internal error" in text and not leaks(text.encode())
    crash = Path(_private_data_dir) / "crash.log"
    assert crash.exists() and not leaks(crash.read_bytes())


def test_gui_session_masks_and_leaks_no_secret(planted_host, qtbot, _private_data_dir):
    """The main window and the wizard on the planted host: the token is masked everywhere it is
    shown, the connector list shows its state only, and a save writes nothing of it elsewhere."""
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWizard

    from app.ui.launch import main_window_for
    from app.ui.wizard.connector_wizard import ConnectorWizard

    layout, _ = planted_host
    window = main_window_for(layout, certificate_status=None)
    qtbot.addWidget(window)
    try:
        model = window.connector_actions.proxy
        cells = [str(model.index(r, c).data()) for r in range(model.rowCount())
                 for c in range(model.columnCount())]
        assert not any(leaks(cell.encode()) for cell in cells), cells

        store = window.store
        wizard = ConnectorWizard(window.document, store, layout, "CSV", parent=window)
        qtbot.addWidget(wizard)
        wizard.show()
        shown = [e.displayText() for e in wizard.findChildren(QLineEdit) if e.isVisible()]
        assert not any(TOKEN in t or PASSWORD in t for t in shown), shown
        page = wizard.currentPage()
        page.timer.clear()
        qtbot.keyClicks(page.timer, "25")
        while wizard.current_key() != SUMMARY:
            wizard.next()
            shown = [e.displayText() for e in wizard.findChildren(QLineEdit) if e.isVisible()]
            assert not any(TOKEN in t or PASSWORD in t for t in shown), (wizard.current_key(), shown)
        summary_text = " ".join(w.toPlainText()
                                for w in wizard.currentPage().findChildren(QPlainTextEdit))
        assert not leaks(summary_text.encode())
        with qtbot.waitSignal(wizard.saved, timeout=10_000):
            wizard.button(QWizard.WizardButton.FinishButton).click()
    finally:
        window.document = None
        window.store.lock.release()
    for path in Path(_private_data_dir).rglob("*"):
        if path.is_file() and not path.name.endswith("Configuration.xml.bak"):
            assert not leaks(path.read_bytes()), path


def test_host_secret_paths_leak_no_secret(planted_host, tmp_path, capsys, monkeypatch, argv_log,
                                          _private_data_dir, sample_host, qtbot):
    """The host-secrets paths (docs/host-secrets.md) on a host whose values this machine can
    decrypt (the fake DPAPI): `secrets`, the doctor, the host comparison by value, a bundle carrying
    the texts and its restore on another host, and the wizard encrypting a typed token."""
    from PySide6.QtWidgets import QWizard

    import app.cli.hostsecrets as secrets_commands
    import app.migrate.bundle as bundle_module
    import app.migrate.hostdiff as hostdiff
    import app.migrate.restore as restore_module
    from app.ui.wizard.connector_wizard import ConnectorWizard
    from tests.hostsecrets.fake_dpapi import FakeDpapi
    from tests.hostsecrets.helpers import host_blob

    layout, _ = planted_host
    store = ConfigStore(layout.config_path)
    doc = store.load()
    doc.find_connector("CSV").secret_token = host_blob(TOKEN, machine="HOST-A")
    doc.find_connector("HRDatabase").secret_token = host_blob(PASSWORD, machine="HOST-A")
    store.save(doc)
    twin = tmp_path / "twin"
    shutil.copytree(layout.root, twin)
    here = FakeDpapi("HOST-A")
    for module in (secrets_commands, bundle_module, hostdiff):
        monkeypatch.setattr(module, "default_dpapi", lambda: here)
    monkeypatch.setenv("BUNDLE_PASS", PASSPHRASE)
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    host = ["--host-dir", layout.root]
    printed = []
    for argv in (["secrets", *host], ["secrets", *host, "--json"], ["doctor", *host, "--json"],
                 ["diff", twin, layout.root], ["diff", twin, layout.root, "--json"],
                 ["bundle", "create", *host, "--out", outputs / "enc.zip", "--secrets", "encrypt",
                  "--passphrase-env", "BUNDLE_PASS"]):
        code, text = run(capsys, *argv)
        assert code in (0, 1), (argv, text)
        printed.append(text)
    assert '"decryptable": true' in printed[1]  # the values really were decrypted here

    other = tmp_path / "other"
    shutil.copytree(sample_host, other)
    target = from_host_dir(other)
    other_doc = ConfigStore(target.config_path).load()
    other_doc.find_connector("HRDatabase").parameter("Password").value = host_blob("b-own-1234", "HOST-B")
    ConfigStore(target.config_path).save(other_doc)
    loaded = bundle_module.read_bundle((outputs / "enc.zip").read_bytes(), "enc.zip")
    report = restore_module.restore_bundle(loaded, target, passphrase=PASSPHRASE, here="HOST-B",
                                           dpapi=FakeDpapi("HOST-B"))
    assert "CSV: Secret Token" in report.secrets_encrypted
    printed.append(report.text())
    assert not leaks(target.config_path.read_bytes())

    wizard = ConnectorWizard(store.load(), store, layout, "CSV", dpapi=here)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.currentPage()
    page.token.start_replace()
    page.token.set_text(TOKEN + "-new")
    wizard.go_to(SUMMARY)
    printed.append(wizard.currentPage().diff.toPlainText())
    with qtbot.waitSignal(wizard.saved, timeout=10_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert (TOKEN + "-new").encode() not in layout.config_path.read_bytes()
    from app.config.secretvalues import read_secret

    saved = read_secret(ConfigStore(layout.config_path).load().find_connector("CSV").secret_token)
    assert here.unprotect(saved.payload) == (TOKEN + "-new").encode("utf-16-le")  # encrypted, not dropped

    for text in printed:
        assert not leaks(text.encode()), text
    for path in outputs.rglob("*"):
        assert not leaks(path.read_bytes()), path
        for name, member in zip_members(path.read_bytes()):
            assert not leaks(member), (path, name)
    for path in Path(_private_data_dir).rglob("*"):
        if path.is_file() and not path.name.endswith("Configuration.xml.bak"):
            assert not leaks(path.read_bytes()), path
    for argv in argv_log:
        assert not leaks(" ".join(argv).encode()), argv
