"""Render the MIM import dialog and the host comparison to PNG, with realistic data.

The import dialog is shown on the bundled test exports (a Granfeldt-style saved configuration,
and a two-class agent before and after the object type is chosen) and, in a source checkout, on
the PowerShell agent export of tests/data. The comparison runs on two temporary copies of the sample
host with typical HA drift (timer, token, logging level, a stale cache DLL, a missing file).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.config.document import ConfigDocument
from app.paths import resources_dir

ROOT = Path(__file__).resolve().parents[2]
TEST_DATA = ROOT / "tests" / "migrate" / "data"
POWERSHELL_EXPORT = ROOT / "tests" / "data" / "ma-export-powershell.xml"
_APP = None


def _shot(widget, path: Path) -> Path:
    widget.show()
    app = QApplication.instance()
    assert app is not None  # the screenshots command made it
    end = time.monotonic() + 0.2
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    widget.grab().save(str(path))
    widget.close()
    widget.deleteLater()  # freed now, by Qt, not later by Python's collector
    app.processEvents()
    return path


def _drifted_pair(work: Path) -> tuple[Path, Path]:
    a, b = work / "active", work / "passive"
    for target in (a, b):
        shutil.copytree(resources_dir() / "sample-host", target)
    config = b / "Service" / "Configuration" / "Configuration.xml"
    doc = ConfigDocument.load(config)
    doc.find_connector("CSV").autosync_timer = "60"
    doc.find_connector("HRDatabase").secret_token = ""
    csv = doc.find_connector("CSV")
    module_name = csv.parameter("Common Module Script Name (with extension)")
    assert module_name is not None  # the sample host's CSV connector has it
    module_name.value = "Contoso.Common.psm1"
    config.write_bytes(doc.to_bytes())
    service = b / "Service" / "Microsoft.ECMA2Host.Service.exe.config"
    service.write_bytes(service.read_bytes().replace(b'switchValue="Verbose"', b'switchValue="Error"'))
    (b / "Service/ECMA/Cache/CSV/Microsoft.IAM.Connector.PowerShell.dll").write_bytes(b"build 1.1.1365")
    (b / "Service/ECMA/Contoso.Badges.Connector.dll").unlink()
    return a, b


def screenshots(outdir: Path) -> list[Path]:
    from app.ui.migrate.host_compare import HostComparisonWidget
    from app.ui.migrate.import_dialog import MimImportDialog

    global _APP
    _APP = QApplication.instance() or QApplication([])  # kept alive: a dropped QApplication crashes
    outdir.mkdir(parents=True, exist_ok=True)
    shots = []
    dialog = MimImportDialog.for_file(TEST_DATA / "granfeldt-saved-ma-configuration.xml", ["CSV"])
    shots.append(_shot(dialog, outdir / "mim-import-granfeldt.png"))
    dialog = MimImportDialog.for_file(TEST_DATA / "lithnet-ma-data-utf16.xml")
    shots.append(_shot(dialog, outdir / "mim-import-choose-object-type.png"))
    dialog = MimImportDialog.for_file(TEST_DATA / "lithnet-ma-data-utf16.xml")
    dialog.choose_object_type("user")
    dialog.name_edit.setText("LithnetRest")
    shots.append(_shot(dialog, outdir / "mim-import-lithnet-user.png"))
    if POWERSHELL_EXPORT.exists():
        dialog = MimImportDialog.for_file(POWERSHELL_EXPORT)
        dialog.choose_object_type("User")
        shots.append(_shot(dialog, outdir / "mim-import-powershell.png"))
    with tempfile.TemporaryDirectory() as tmp:
        a, b = _drifted_pair(Path(tmp))
        widget = HostComparisonWidget()
        widget.resize(1100, 560)
        widget.compare(a, b)
        shots.append(_shot(widget, outdir / "host-compare.png"))
        widget = HostComparisonWidget()
        widget.resize(1100, 560)
        widget.compare(a, a)
        shots.append(_shot(widget, outdir / "host-compare-identical.png"))
    widget = HostComparisonWidget()
    widget.resize(1100, 360)
    widget.compare(Path(tmp) / "missing", Path(tmp) / "missing2")
    shots.append(_shot(widget, outdir / "host-compare-error.png"))
    return shots
