#!/usr/bin/env bash
# Build the Linux portable executables: dist/ecma-wizard (one file) and
# dist/ecma-wizard-<version>-linux-x64.zip (one folder). See installer/README.md.
#   installer/build_linux.sh [--only onefile|onedir]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

"$PYTHON" -c 'import PyInstaller, PySide6, lxml, cryptography, keyring, evtx, platformdirs' 2>/dev/null || {
    echo "build_linux.sh: install the app and PyInstaller first: $PYTHON -m pip install -e '.[build]'" >&2
    exit 2
}
# The xcb platform plugin links these; without them on the build machine they are not bundled
# and the GUI then needs them on the target host (offscreen and --self-test do not).
for lib in libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1; do
    ldconfig -p 2>/dev/null | grep -q "$lib" || echo "build_linux.sh: note: $lib is not installed here (apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1)" >&2
done
exec "$PYTHON" installer/build.py "$@"
