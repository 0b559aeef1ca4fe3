#!/usr/bin/env bash
# Build the Linux one-file executable and smoke-test it, away from the checkout:
# --version, --self-test, `validate` on the sample host, the GUI offscreen for a few seconds,
# portable mode (data beside the executable, nothing left in the extraction folder), the
# one-folder zip when built; then size and start-up figures (installer/measure_startup.py).
#   installer/smoke_test.sh [--no-build] [--runs N] [--cold-cache]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
build=1; measure_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --runs) measure_args+=(--runs "$2"); shift ;;
        --cold-cache) measure_args+=(--cold-cache) ;;
        *) echo "smoke_test.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ "$build" = 1 ] && installer/build_linux.sh

EXE=$ROOT/dist/ecma-wizard
[ -x "$EXE" ] || { echo "smoke_test.sh: $EXE is missing; build it first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"   # nothing may depend on the checkout being the working folder
export QT_QPA_PLATFORM=offscreen ECMA_WIZARD_DATA="$work/data"
unset PYTHON_KEYRING_BACKEND
pass() { echo "ok    $*"; }
fail() { echo "FAIL  $*" >&2; exit 1; }

"$EXE" --version | grep -q '^ecma-wizard ' && pass "--version: $("$EXE" --version)"

"$EXE" --self-test > selftest.txt 2>&1 || { cat selftest.txt; fail "--self-test"; }
sed 's/^/      /' selftest.txt
pass "--self-test"

cp -r "$ROOT/resources/sample-host" host
"$EXE" validate --host-dir host > validate.txt 2>&1 || { cat validate.txt; fail "validate on the sample host"; }
pass "validate on the sample host: $(tail -n 1 validate.txt)"
echo '<Configuration' > broken.xml
set +e; "$EXE" validate --config broken.xml > broken.txt 2>&1; rc=$?; set -e
[ "$rc" = 2 ] && ! grep -q Traceback broken.txt || { cat broken.txt; fail "a broken file should exit 2 with one sentence"; }
pass "validate on a broken file: exit 2, $(head -c 100 broken.txt)"

# The GUI offscreen for 5 seconds: still running when stopped (exit 124), no traceback, no crash log.
set +e; timeout 5 "$EXE" > gui.txt 2>&1; rc=$?; set -e
[ "$rc" = 124 ] || { cat gui.txt; fail "the GUI exited by itself (exit $rc)"; }
! grep -q Traceback gui.txt && [ ! -e data/crash.log ] || { cat gui.txt data/crash.log 2>/dev/null; fail "the GUI failed"; }
[ -f data/sample-host/Service/Configuration/Configuration.xml ] || fail "the GUI did not open the sample host copy"
pass "GUI offscreen for 5 s on the sample host (copied to the data folder)"

# Portable mode: the marker beside the executable puts the data there, not in the extraction folder.
mkdir portable && cp "$EXE" portable/ && touch portable/ecma-wizard.portable
before=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name "_MEI*" | wc -l)
( unset ECMA_WIZARD_DATA; ECMA_WIZARD_STARTUP_PROBE=quit ./portable/ecma-wizard > portable.txt 2>&1 ) \
    || { cat portable.txt; fail "portable GUI run"; }
[ -f portable/data/sample-host/Service/Configuration/Configuration.xml ] || fail "portable data is not beside the executable"
after=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name "_MEI*" | wc -l)
[ "$after" -le "$before" ] || fail "the extraction folder was left behind"
pass "portable mode: data in portable/data, extraction folder removed"

zip=$(ls "$ROOT"/dist/ecma-wizard-*-linux-x64.zip 2>/dev/null | head -n 1 || true)
if [ -n "$zip" ]; then
    if command -v unzip > /dev/null; then unzip -q "$zip" -d folder
    else "$PYTHON" -m zipfile -e "$zip" folder && chmod +x folder/ecma-wizard/ecma-wizard; fi
    # The executable bit must travel in the archive (unzip honours it; Python's zipfile does not).
    "$PYTHON" -c "import sys, zipfile; i = zipfile.ZipFile(sys.argv[1]).getinfo('ecma-wizard/ecma-wizard'); sys.exit(0 if i.external_attr >> 16 & 0o111 else 1)" "$zip" \
        || fail "the zip does not mark ecma-wizard as executable"
    folder/ecma-wizard/ecma-wizard --self-test > folder.txt 2>&1 || { cat folder.txt; fail "one-folder --self-test"; }
    pass "one-folder build from $(basename "$zip"): --self-test"
fi

cd "$ROOT"
echo
echo "size: one-file $(du -m dist/ecma-wizard | cut -f1) MB ($(stat -c %s dist/ecma-wizard) bytes)${zip:+, zip $(du -m "$zip" | cut -f1) MB}"
"$PYTHON" installer/measure_startup.py "${measure_args[@]}"
