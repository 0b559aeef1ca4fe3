# Build the Windows portable executables: dist\ecma-wizard.exe (one file) and
# dist\ecma-wizard-<version>-windows-x64.zip (one folder, for hosts that block programs in %TEMP%).
#   powershell -ExecutionPolicy Bypass -File installer\build_windows.ps1 [-Only onefile|onedir] [-Sign]
# With -Sign, signs both executables with signtool (certificate from SIGN_CERT_THUMBPRINT, in the
# current user's store) before zipping is repeated. See installer/README.md.
param(
    [ValidateSet("onefile", "onedir")] [string] $Only,
    [switch] $Sign
)
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)
$python = if ($env:PYTHON) { $env:PYTHON } else { "python" }

& $python -c "import PyInstaller, PySide6, lxml, cryptography, keyring, evtx, platformdirs, win32ctypes"
if ($LASTEXITCODE -ne 0) {
    Write-Error "install the app and PyInstaller first: $python -m pip install -e .[build]"
    exit 2
}

$buildArgs = @("installer\build.py")
if ($Only) { $buildArgs += @("--only", $Only) }
& $python @buildArgs
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

if ($Sign) {
    if (-not $env:SIGN_CERT_THUMBPRINT) { Write-Error "-Sign needs SIGN_CERT_THUMBPRINT"; exit 2 }
    $stamp = "http://timestamp.digicert.com"
    $targets = @("dist\ecma-wizard.exe", "build\onedir-dist\ecma-wizard\ecma-wizard.exe") | Where-Object { Test-Path $_ }
    foreach ($t in $targets) {
        & signtool sign /sha1 $env:SIGN_CERT_THUMBPRINT /fd SHA256 /tr $stamp /td SHA256 /d "ECMA Host Wizard" $t
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
    # Re-zip so the archive holds the signed executable.
    if (Test-Path "build\onedir-dist\ecma-wizard") {
        & $python -c "import sys; sys.path.insert(0, 'installer'); import build; build.make_zip(build.WORK / 'onedir-dist' / 'ecma-wizard', build.zip_path())"
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
}
Get-ChildItem dist | Format-Table Name, @{n = "MB"; e = { "{0:N1}" -f ($_.Length / 1MB) } }
