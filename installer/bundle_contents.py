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
