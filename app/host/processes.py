"""Is Microsoft's wizard running? (The seed: close it before editing Configuration.xml by hand.)"""

from __future__ import annotations

import csv
import io
import subprocess
import sys

WIZARD_IMAGE = "Microsoft.ECMA2Host.ConfigWizard.exe"


def tasklist_command(image: str = WIZARD_IMAGE) -> list[str]:
    return ["tasklist", "/FI", f"IMAGENAME eq {image}", "/FO", "CSV", "/NH"]


def parse_tasklist(output: str, image: str = WIZARD_IMAGE) -> list[int]:
    """PIDs of `image` in `tasklist /FO CSV /NH` output (an INFO line when there are none)."""
    pids = []
    for row in csv.reader(io.StringIO(output)):
        if len(row) >= 2 and row[0].lower() == image.lower() and row[1].strip().isdigit():
            pids.append(int(row[1]))
    return pids


def microsoft_wizard_running() -> bool | None:
    """True/False on Windows; None elsewhere (the wizard only runs on a Windows host)."""
    if sys.platform != "win32":
        return None
    try:
        out = subprocess.run(tasklist_command(), capture_output=True, text=True, timeout=10,
                             check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return bool(parse_tasklist(out))


def wizard_warnings() -> list[str]:
    """What to say after a save of Configuration.xml while Microsoft's wizard runs (it keeps its
    own copy in memory and would overwrite the change when it saves)."""
    if microsoft_wizard_running():
        return ["Microsoft's ECMA Host Configuration Wizard is running: close it without saving, "
                "or it may overwrite this change when it saves."]
    return []
