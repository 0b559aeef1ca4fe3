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
    assert re.search(r"binaries = \[.*contents\.keep", spec)
    assert "contents.prune_orphans(" in spec and "a.binaries = binaries" in spec
    assert re.search(r"a\.datas, _ = contents\.drop_dangling_links\(.*contents\.keep", spec)
    assert "rthook_keyring.py" in spec and "rthook_startup_probe.py" in spec
    assert "upx=False" in spec


GRAPH = {
    "/py/QtGui.abi3.so": ["libQt6Gui.so.6", "libQt6Core.so.6"],
    "/qt/libQt6Gui.so.6": ["libQt6Core.so.6", "libX11.so.6"],
    "/qt/libQt6Core.so.6": ["libicuuc.so.73"],
    "/qt/libicuuc.so.73": [],
    "/qt/plugins/platforms/libqxcb.so": ["libQt6Gui.so.6", "libX11.so.6"],
    "/qt/plugins/platformthemes/libqgtk3.so": ["libgtk-3.so.0", "libQt6Core.so.6", "libcairo.so.2"],
    "/sys/libgtk-3.so.0": ["libcairo.so.2", "libX11.so.6"],
    "/sys/libcairo.so.2": ["libpixman-1.so.0"],
    "/sys/libpixman-1.so.0": [],
    "/sys/libX11.so.6": [],
    "/py/_cairo_ext.cpython-311-x86_64-linux-gnu.so": ["libcairo.so.2"],
}


def _entry(dest: str, src: str, code: str = "BINARY") -> tuple[str, str, str]:
    return (dest, src, code)


def test_libraries_only_a_dropped_plugin_needed_go(bundle_contents):
    kept = [
        _entry("PySide6/QtGui.abi3.so", "/py/QtGui.abi3.so", "EXTENSION"),
        _entry("PySide6/Qt/lib/libQt6Gui.so.6", "/qt/libQt6Gui.so.6"),
        _entry("PySide6/Qt/lib/libQt6Core.so.6", "/qt/libQt6Core.so.6"),
        _entry("PySide6/Qt/lib/libicuuc.so.73", "/qt/libicuuc.so.73"),
        _entry("PySide6/Qt/plugins/platforms/libqxcb.so", "/qt/plugins/platforms/libqxcb.so"),
        _entry("libgtk-3.so.0", "/sys/libgtk-3.so.0"),
        _entry("libcairo.so.2", "/sys/libcairo.so.2"),
        _entry("libpixman-1.so.0", "/sys/libpixman-1.so.0"),
        _entry("libX11.so.6", "/sys/libX11.so.6"),
    ]
    dropped = [_entry("PySide6/Qt/plugins/platformthemes/libqgtk3.so",
                      "/qt/plugins/platformthemes/libqgtk3.so")]
    result, removed = bundle_contents.prune_orphans(kept, dropped, GRAPH.__getitem__)
    assert sorted(e[0] for e in removed) == ["libcairo.so.2", "libgtk-3.so.0", "libpixman-1.so.0"]
    names = {e[0] for e in result}
    assert {"libX11.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libicuuc.so.73"} <= names


def test_a_library_a_kept_extension_needs_stays(bundle_contents):
    kept = [
        _entry("_cairo_ext.cpython-311-x86_64-linux-gnu.so", "/py/_cairo_ext.cpython-311-x86_64-linux-gnu.so",
               "EXTENSION"),
        _entry("libcairo.so.2", "/sys/libcairo.so.2"),
        _entry("libpixman-1.so.0", "/sys/libpixman-1.so.0"),
        _entry("libgtk-3.so.0", "/sys/libgtk-3.so.0"),
    ]
    dropped = [_entry("PySide6/Qt/plugins/platformthemes/libqgtk3.so",
                      "/qt/plugins/platformthemes/libqgtk3.so")]
    result, removed = bundle_contents.prune_orphans(kept, dropped, GRAPH.get)
    assert [e[0] for e in removed] == ["libgtk-3.so.0"]
    assert {"libcairo.so.2", "libpixman-1.so.0"} <= {e[0] for e in result}


def test_windows_names_match_case_insensitively(bundle_contents):
    graph = {r"C:\qt\plugins\imageformats\qjpeg.dll": ["QT6GUI.DLL", "jpeg62.dll"],
             r"C:\qt\Qt6Gui.dll": [], r"C:\qt\jpeg62.dll": [], r"C:\py\QtGui.pyd": ["Qt6Gui.dll"]}
    kept = [_entry(r"PySide6\QtGui.pyd", r"C:\py\QtGui.pyd", "EXTENSION"),
            _entry(r"PySide6\Qt6Gui.dll", r"C:\qt\Qt6Gui.dll"),
            _entry(r"PySide6\jpeg62.dll", r"C:\qt\jpeg62.dll")]
    dropped = [_entry(r"PySide6\plugins\imageformats\qjpeg.dll", r"C:\qt\plugins\imageformats\qjpeg.dll")]
    result, removed = bundle_contents.prune_orphans(kept, dropped, graph.__getitem__)
    assert [e[0] for e in removed] == [r"PySide6\jpeg62.dll"]


def test_a_symlink_goes_with_its_target(bundle_contents):
    kept = [
        _entry("PySide6/QtGui.abi3.so", "/py/QtGui.abi3.so", "EXTENSION"),
        _entry("PySide6/Qt/lib/libQt6Gui.so.6", "/qt/libQt6Gui.so.6"),
        _entry("PySide6/Qt/lib/libQt6Core.so.6", "/qt/libQt6Core.so.6"),
        _entry("libcairo.so.2", "/sys/libcairo.so.2"),
        _entry("libpixman-1.so.0", "/sys/libpixman-1.so.0"),
        _entry("libgtk-3.so.0", "/sys/libgtk-3.so.0"),
        _entry("libX11.so.6", "/sys/libX11.so.6"),
        _entry("PySide6/Qt/lib/libQt6Egl.so.6", "/qt/libQt6Egl.so.6"),
        # PyInstaller's top-level links: (link name, the target's path inside the bundle)
        _entry("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        _entry("libQt6Egl.so.6", "PySide6/Qt/lib/libQt6Egl.so.6", "SYMLINK"),
    ]
    graph = dict(GRAPH, **{"/qt/plugins/egldeviceintegrations/libkms.so": ["libQt6Egl.so.6"],
                           "/qt/libQt6Egl.so.6": []})
    dropped = [_entry("PySide6/Qt/plugins/egldeviceintegrations/libkms.so",
                      "/qt/plugins/egldeviceintegrations/libkms.so")]
    result, removed = bundle_contents.prune_orphans(kept, dropped, graph.__getitem__)
    assert sorted(e[0] for e in removed) == ["PySide6/Qt/lib/libQt6Egl.so.6", "libQt6Egl.so.6"]
    assert ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK") in result


def test_links_to_dropped_libraries_go(bundle_contents):
    binaries = [_entry("PySide6/Qt/lib/libQt6Core.so.6", "/qt/libQt6Core.so.6")]
    datas = [_entry("resources/schema/configuration.xsd", "/r/configuration.xsd", "DATA"),
             _entry("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
             _entry("libQt6EglFsKmsSupport.so.6", "PySide6/Qt/lib/libQt6EglFsKmsSupport.so.6", "SYMLINK")]
    kept, removed = bundle_contents.drop_dangling_links(datas, binaries)
    assert [e[0] for e in removed] == ["libQt6EglFsKmsSupport.so.6"]
    assert [e[0] for e in kept] == ["resources/schema/configuration.xsd", "libQt6Core.so.6"]
