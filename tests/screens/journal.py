"""Render the journal dialog to PNG: a few hundred actions of a realistic week (saves, restores,
service, DLL updates, certificates, Entra), some failed and one that did not finish."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.journal import Action, Journal, read_journal

HOSTS = (r"C:\Program Files\Microsoft ECMA2Host", r"D:\ECMA2Host-HA")
STEPS = (
    ("save Configuration.xml", "{host}\\Service\\Configuration\\Configuration.xml", {"bytes": 48211}),
    ("save Microsoft.ECMA2Host.Service.exe.config", "{host}\\Service\\Microsoft.ECMA2Host.Service.exe.config",
     {"bytes": 1347}),
    ("stop service", "Microsoft ECMA2Host", {"service": "Microsoft.ECMA2Host", "was": "running"}),
    ("start service", "Microsoft ECMA2Host", {"service": "Microsoft.ECMA2Host", "was": "stopped"}),
    ("deploy DLL", "{host}", {"dll": "Microsoft.IAM.Connector.GenericSql.dll", "connectors": ["HRDatabase"],
                              "files": 3}),
    ("restart provisioning", "enterprise application 5b1f6a2e-93c4-4f7e-b0d1-4c2a8e7f9d10",
     {"job": "ECMA2Host.a1b2c3d4.Scim", "reset scope": "(empty)"}),
    ("push credentials", "enterprise application 5b1f6a2e-93c4-4f7e-b0d1-4c2a8e7f9d10",
     {"keys written": ["BaseAddress", "SecretToken", "SyncNotificationSettings"],
      "tenant URL": "https://ecma01.contoso.com:8585/ecma2host_HRDatabase/scim"}),
    ("provision on demand", "enterprise application 5b1f6a2e-93c4-4f7e-b0d1-4c2a8e7f9d10",
     {"job": "ECMA2Host.a1b2c3d4.Scim", "users": ["0f8e4c1a-2b3d-4e5f-8a9b-1c2d3e4f5a6b"]}),
    ("new certificate", "C:\\Users\\admin\\Documents\\ECMA certificates", {"thumbprint": "3F2A9C" + "0" * 34}),
    ("restore backup", "{host}\\Service\\Configuration\\Configuration.xml", {"backup": "1"}),
)


FAILURES = {
    "stop service": "The Microsoft ECMA2Host service did not stop within 90 seconds (it is stop pending); "
                    "look at the ECMA2Host event log for the reason.",
    "push credentials": "Microsoft Graph refused the request (403 Forbidden): the signed-in account lacks "
                        "Synchronization.ReadWrite.All.",
    "save Configuration.xml": "Configuration.xml: was changed on disk by another program since it was loaded; "
                              "reload it first. Nothing was saved.",
}


def fill(journal: Journal, count: int, *, now: datetime | None = None) -> None:
    """`count` actions over the last week, a few minutes apart; some fail as they do on a host
    (a service slow to stop, a missing Graph permission, a file changed under the editor), and
    the newest DLL update did not finish."""
    when = (now or datetime.now(UTC)) - timedelta(minutes=18 * count)
    lines = []
    for n in range(count):
        what, target, details = STEPS[n % len(STEPS)]
        host = HOSTS[1] if n % 7 == 3 else HOSTS[0]
        action = Action(what, target.format(host=host), details, journal)
        when += timedelta(minutes=17, seconds=n % 50)
        started = action._entry("started") | {"time": _iso(when), "user": "CONTOSO\\adm-jdoe", "machine": "ECMA01"}
        finished = started | {"phase": "finished", "time": _iso(when + timedelta(seconds=2 + n % 9)),
                              "outcome": "ok"}
        if what.startswith(("save", "restore")):
            finished["undo"] = (r"C:\Users\adm-jdoe\AppData\Local\ECMAHostWizard\backups\Configuration.xml-3be1"
                                f"\\20261201T0{n % 10}1522Z-Configuration.xml.bak")
        if what == "deploy DLL":
            finished["undo"] = r"C:\Users\adm-jdoe\AppData\Local\ECMAHostWizard\backups\connector-dlls" \
                               f"\\2026120{n % 6 + 1}T101500Z-Microsoft.IAM.Connector.GenericSql"
        if what in FAILURES and n % 3 == 1:
            finished |= {"outcome": "failed", "reason": FAILURES[what]}
            finished.pop("undo", None)
        lines += [started, finished]
    last = Action("deploy DLL", HOSTS[0], {"dll": "Microsoft.IAM.Connector.GenericSql.dll", "files": 3}, journal)
    lines.append(last._entry("started") | {"time": _iso(when + timedelta(minutes=9)), "pid": 999_999,
                                           "user": "CONTOSO\\adm-jdoe", "machine": "ECMA01"})
    for entry in lines:
        journal.append(entry)


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _settle(seconds: float = 0.3) -> None:
    app = QApplication.instance()
    assert app is not None
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def screenshots(outdir: Path) -> list[Path]:
    from app.ui.journal.dialog import JournalDialog
    from app.ui.launch import ensure_app

    ensure_app()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    out = []
    with tempfile.TemporaryDirectory(prefix="ecma-journal-screens-") as tmp:
        journal = Journal(tmp)
        fill(journal, 300)
        dialog = JournalDialog(read_journal(journal))
        for name, text, shown in (("journal", "", 0), ("journal-problems", "", 1), ("journal-filter", "HRDatabase", 0)):
            dialog.search.setText(text)
            dialog.shown.setCurrentIndex(shown)
            dialog.table.selectRow(0)
            dialog.show()
            _settle()
            path = outdir / f"dialog-{name}.png"
            dialog.grab().save(str(path))
            out.append(path)
        dialog.close()
    return out
