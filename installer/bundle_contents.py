"""What goes into the frozen build and what stays out, as data the spec and the tests share.

PyInstaller's Qt hooks collect every plugin and translation of the Qt modules in use. This app
uses QtCore, QtGui and QtWidgets only, loads no translator (its text is English) and shows no
images, so most of that is dead weight: `opengl32sw.dll` alone is about 20 MB. The lists follow
the idea of Electrum's spec (exclude unused Qt modules); the names are ours.
"""

from __future__ import annotations

import fnmatch
from pathlib import PurePosixPath

# The Qt bindings the app imports (checked by tests/installer against app/ui/).
QT_MODULES_USED = ("QtCore", "QtGui", "QtWidgets")

# Every other PySide6 module of PySide6-Essentials: never imported by the app, so never bundled.
QT_MODULES_EXCLUDED = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtAxContainer", "QtBluetooth", "QtCharts", "QtConcurrent", "QtDBus", "QtDataVisualization",
    "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp", "QtHttpServer", "QtLabsStyleKit",
    "QtLocation", "QtMultimedia", "QtMultimediaWidgets", "QtNetwork", "QtNetworkAuth", "QtNfc",
    "QtOpenGL", "QtOpenGLWidgets", "QtPdf", "QtPdfWidgets", "QtPositioning", "QtPrintSupport",
    "QtQml", "QtQmlFeatures", "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickTest",
    "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus", "QtSerialPort",
    "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvg", "QtSvgWidgets", "QtTest",
    "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick",
    "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
)

# Python packages that are present here but are not the app's: test tools, other GUI toolkits,
# and keyring backends the frozen app must not pick up (keyrings.alt writes plaintext).
PYTHON_EXCLUDED = (
    "tkinter", "_tkinter", "turtle", "pydoc_data", "lib2to3", "idlelib", "test",
    "pytest", "_pytest", "pytestqt", "hypothesis", "ruff", "pip", "setuptools", "pkg_resources",
    "IPython", "numpy", "matplotlib", "PyQt5", "PyQt6", "PySide2",
    "keyrings", "keyring.backends.kwallet", "keyring.backends.libsecret", "keyring.backends.macOS",
    "dbus", "gi",
)

# The keyring backends app/secrets.py may use when frozen (installer/hooks/rthook_keyring.py).
KEYRING_IMPORTS = {
    "win32": ("keyring.backends.Windows", "keyring.backends.fail", "win32ctypes.core"),
    "linux": ("keyring.backends.SecretService", "keyring.backends.fail", "secretstorage",
              "jeepney"),
}

# Qt plugins kept, as "<type>/<file stem without lib prefix>" patterns; every other plugin goes.
QT_PLUGINS_KEPT = (
    "platforms/qwindows", "platforms/qxcb", "platforms/qwayland*", "platforms/qoffscreen",
    "platforms/qminimal",
    "styles/*",                      # the Windows 11 / Vista look
    "platforminputcontexts/*",       # compose keys and input methods on Linux
    "xcbglintegrations/*",           # the xcb platform plugin asks for one even without GL use
    "wayland-shell-integration/*", "wayland-decoration-client/*",
    "wayland-graphics-integration-client/*",
    "platformthemes/qxdgdesktopportal",  # native file dialogs through the portal; the gtk3 one
                                         # would drag the host's GTK libraries into the bundle
)

# Files dropped wherever they appear (case-insensitive basename patterns).
FILES_EXCLUDED = (
    "opengl32sw.dll",      # Mesa software OpenGL for Qt Quick; widgets paint with the CPU
    "*.qm",                # Qt's translations: the app installs no translator
    "libqt6quick*", "qt6quick*", "libqt6qml*", "qt6qml*", "libqt6pdf*", "qt6pdf*",
    "libqt6network*", "qt6network*", "libqt6virtualkeyboard*", "qt6virtualkeyboard*",
)


def _plugin_id(parts: tuple[str, ...]) -> str | None:
    """'platforms/qxcb' for '.../plugins/platforms/libqxcb.so', None when not a Qt plugin."""
    if "plugins" not in parts:
        return None
    i = len(parts) - 1 - parts[::-1].index("plugins")
    if len(parts) < i + 3:
        return None
    stem = parts[-1].split(".")[0]
    if stem.startswith("lib"):
        stem = stem[3:]
    return f"{parts[i + 1]}/{stem}"


def keep(dest_name: str) -> bool:
    """Whether a collected file (its path inside the bundle) belongs in the build."""
    path = PurePosixPath(dest_name.replace("\\", "/"))
    name = path.name.lower()
    if any(fnmatch.fnmatch(name, pattern) for pattern in FILES_EXCLUDED):
        return False
    if "PySide6" in path.parts:
        plugin = _plugin_id(path.parts)
        if plugin is not None:
            return any(fnmatch.fnmatch(plugin, pattern) for pattern in QT_PLUGINS_KEPT)
    return True


def excluded_modules() -> list[str]:
    return [f"PySide6.{name}" for name in QT_MODULES_EXCLUDED] + list(PYTHON_EXCLUDED)


def _is_root(dest: str, typecode: str) -> bool:
    """Files loaded by name at run time (Python extensions, Qt plugins, libpython): never orphans."""
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    name = parts[-1].lower()
    return (typecode == "EXTENSION" or "plugins" in parts or name.startswith(("libpython", "python3"))
            or ".cpython-" in name or ".abi3." in name or name.endswith(".pyd"))


def _name(dest: str) -> str:
    return PurePosixPath(dest.replace("\\", "/")).name.lower()


def prune_orphans(kept: list[tuple], dropped: list[tuple], imports) -> tuple[list[tuple], list[tuple]]:
    """Drop libraries that are in the build only because a dropped file needed them.

    PyInstaller analyses dependencies before the spec filters, so the gtk3 theme plugin leaves
    GTK, cairo and pango behind. `imports(src)` names the libraries a binary links to (its
    basenames). A library a kept binary reaches is kept; only what dropped files alone reached
    goes. A SYMLINK entry (dest, target's bundle path) goes with its target. Returns (kept
    entries, removed entries).
    """
    links = [entry for entry in kept if entry[2] == "SYMLINK"]
    kept = [entry for entry in kept if entry[2] != "SYMLINK"]
    source = {_name(dest): src for dest, src, code in [*kept, *dropped] if code != "SYMLINK"}

    def reach(starts: list[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(starts)
        while todo:
            for name in imports(todo.pop()):
                name = PurePosixPath(str(name).replace("\\", "/")).name.lower()
                if name in source and name not in seen:
                    seen.add(name)
                    todo.append(source[name])
        return seen

    suspects = reach([src for _, src, _ in dropped])
    roots = [src for dest, src, code in kept if _is_root(dest, code) or _name(dest) not in suspects]
    needed = reach(roots)
    result, removed = [], []
    for entry in kept:
        dest, _, code = entry
        orphan = _name(dest) in suspects and _name(dest) not in needed and not _is_root(dest, code)
        (removed if orphan else result).append(entry)
    present = {dest.replace("\\", "/") for dest, _, _ in result}
    for entry in links:
        (result if entry[1].replace("\\", "/") in present else removed).append(entry)
    return result, removed


def drop_dangling_links(datas: list[tuple], binaries: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """Remove SYMLINK entries (PyInstaller files them under datas) whose target is gone."""
    present = {dest.replace("\\", "/") for dest, _, code in [*datas, *binaries] if code != "SYMLINK"}
    kept, removed = [], []
    for entry in datas:
        dangling = entry[2] == "SYMLINK" and entry[1].replace("\\", "/") not in present
        (removed if dangling else kept).append(entry)
    return kept, removed
