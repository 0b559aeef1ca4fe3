"""Render the host report's windows to PNG: the Create dialog with its list of files, and a report
of the sample host opened read-only on each of its tabs."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.host.layout import from_host_dir, sample_host_copy
from app.report.build import build_report, write_report
from app.report.reader import read_report


def _settle(seconds: float = 0.4) -> None:
    app = QApplication.instance()
    assert app is not None
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def _shot(widget, path: Path) -> Path:
    widget.show()
    _settle()
    widget.grab().save(str(path))
    return path


def _host_with_test_connectors(work: Path):
    """The sample host plus the .NET test connectors (a checkout with Mono), so the DLL pages tab
    has pages to show; the plain sample host otherwise."""
    from tests.bridge import dotnet_build

    layout = sample_host_copy()
    if dotnet_build.missing_tools() or layout.root is None:
        return layout
    dlls = dotnet_build.build()
    root = work / "host"
    shutil.copytree(layout.root, root)
    shutil.copy(dlls.interface, root / "Service")
    for dll in (dlls.sql, dlls.ldap):
        shutil.copy(dll, root / "Service" / "ECMA")
    return from_host_dir(root)


def screenshots(outdir: Path) -> list[Path]:
    from app.ui.launch import ensure_app
    from app.ui.report.actions import CreateReportDialog
    from app.ui.report.window import ReportWindow

    ensure_app()
    outdir.mkdir(parents=True, exist_ok=True)
    out = []
    with tempfile.TemporaryDirectory(prefix="ecma-report-screens-") as tmp:
        dialog = CreateReportDialog(_host_with_test_connectors(Path(tmp)))
        dialog.redact.setText("ECMA01, contoso.com")
        built = build_report(dialog.options())
        dialog.show_plan(built)
        out.append(_shot(dialog, outdir / "create-report.png"))
        dialog.close()
        path = write_report(Path(tmp) / "host-report.zip", built)
        report = read_report(path.read_bytes(), str(path))
        window = ReportWindow(report)
        window.resize(1180, 760)
        for i in range(window.tabs.count()):
            window.tabs.setCurrentIndex(i)
            if window.tabs.currentWidget() is window.files_view:
                window.files_view.show_file("host/Configuration.xml")
            name = window.tabs.tabText(i).replace("&", "").lower().replace(" ", "-")
            out.append(_shot(window, outdir / f"report-{i + 1}-{name}.png"))
        window.close()
    return out
