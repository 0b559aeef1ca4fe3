"""What the frozen build keeps and drops (installer/bundle_contents.py, used by the spec)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _app_imports() -> tuple[set[str], set[str]]:
    """(PySide6 modules, top-level packages) the app's code imports."""
    qt: set[str] = set()
    top: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top.add(name.split(".")[0])
                if name.startswith("PySide6."):
                    qt.add(name.split(".")[1])
    return qt, top


def test_the_app_imports_only_the_qt_modules_the_bundle_keeps(bundle_contents):
    qt, _ = _app_imports()
    assert qt, "no PySide6 import found under app/: the scan is broken"
    assert qt <= set(bundle_contents.QT_MODULES_USED), (
        f"app/ imports {sorted(qt - set(bundle_contents.QT_MODULES_USED))}: add to QT_MODULES_USED "
        "and take it out of QT_MODULES_EXCLUDED")
    assert not set(bundle_contents.QT_MODULES_USED) & set(bundle_contents.QT_MODULES_EXCLUDED)


def test_no_package_the_app_imports_is_excluded(bundle_contents):
    _, top = _app_imports()
    excluded_tops = {name for name in bundle_contents.PYTHON_EXCLUDED if "." not in name}
    assert not top & excluded_tops


def test_the_excluded_modules_name_every_unused_qt_module_and_keyrings_alt(bundle_contents):
    excluded = bundle_contents.excluded_modules()
    for name in ("PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtPdf",
                 "PySide6.QtOpenGL", "PySide6.QtSvg", "keyrings"):
        assert name in excluded
    assert not any(m in excluded for m in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"))


@pytest.mark.parametrize("dest", [
    "PySide6/opengl32sw.dll",
    r"PySide6\opengl32sw.dll",
    "PySide6/Qt/translations/qtbase_de.qm",
    r"PySide6\translations\qt_fr.qm",
    "PySide6/Qt/plugins/imageformats/libqjpeg.so",
    r"PySide6\plugins\imageformats\qgif.dll",
    r"PySide6\plugins\imageformats\qsvg.dll",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-kms-integration.so",
    r"PySide6\plugins\platforms\qdirect2d.dll",
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/platforms/libqeglfs.so",
    r"PySide6\plugins\networkinformation\qnetworklistmanager.dll",
    r"PySide6\plugins\tls\qschannelbackend.dll",
    "PySide6/Qt/lib/libQt6Quick.so.6",
    r"PySide6\Qt6Qml.dll",
    r"PySide6\Qt6Network.dll",
])
def test_dropped(bundle_contents, dest):
    assert not bundle_contents.keep(dest)


@pytest.mark.parametrize("dest", [
    "PySide6/Qt/lib/libQt6Core.so.6",
    "PySide6/Qt/lib/libQt6Widgets.so.6",
    "PySide6/Qt/lib/libQt6DBus.so.6",          # libQt6Gui needs it on Linux
    "PySide6/Qt/lib/libQt6XcbQpa.so.6",
    r"PySide6\Qt6Widgets.dll",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    r"PySide6\plugins\platforms\qwindows.dll",
    r"PySide6\plugins\platforms\qoffscreen.dll",
    r"PySide6\plugins\styles\qmodernwindowsstyle.dll",
    "PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
    "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
    "lxml/etree.cpython-311-x86_64-linux-gnu.so",
    "cryptography/hazmat/bindings/_rust.abi3.so",
    "resources/schema/configuration.xsd",
    "resources/sample-host/Service/ECMA/Microsoft.IAM.Connector.PowerShell.dll",
    "plugins/something-not-qt.txt",
])
def test_kept(bundle_contents, dest):
    assert bundle_contents.keep(dest)


def test_every_resource_file_is_kept(bundle_contents):
    files = [p for p in (ROOT / "resources").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert len(files) > 10
    dropped = [p for p in files if not bundle_contents.keep(str(Path("resources") / p.relative_to(ROOT / "resources")))]
    assert dropped == []


def test_the_spec_uses_the_shared_lists_and_both_hooks():
    spec = (ROOT / "installer" / "ecma-wizard.spec").read_text(encoding="utf-8")
    compile(spec, "ecma-wizard.spec", "exec")  # at least valid Python
    assert "excludes=contents.excluded_modules()" in spec
    assert re.search(r"a\.binaries = \[.*contents\.keep", spec)
    assert re.search(r"a\.datas = \[.*contents\.keep", spec)
    assert "rthook_keyring.py" in spec and "rthook_startup_probe.py" in spec
    assert "upx=False" in spec
