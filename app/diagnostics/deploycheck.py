"""The doctor's check of connector DLL updates stopped midway (killed, power lost): the update's
record still "copying", temporary files beside the DLLs, partial backups (docs/journal.md §4)."""

from __future__ import annotations

from app.diagnostics.doctor import ERROR, INFO, OK, WARNING, Check, _short
from app.host import deployrecord
from app.host.layout import HostLayout

TITLE = "Connector DLL updates"


def deploy_checks(layout: HostLayout) -> list[Check]:
    root = layout.root
    if root is None:
        return []
    out: list[Check] = []
    where = f' --host-dir "{root}"'
    for record in deployrecord.unfinished(root):
        new, old, other = deployrecord.describe(record)
        out.append(Check("half-deployed", TITLE, ERROR,
                         f"Half-deployed: the update of {record.dll} started {record.started} did not finish "
                         f"({new} of {len(record.files)} file(s) are the new DLL, {old} the old one"
                         + (f", {other} neither" if other else "") + "); the connector may run mixed code.",
                         f"Finish or roll back: ecma-wizard connector deploy-dll --finish{where}, or --roll-back "
                         f"(the copies are in {record.folder})."))
    leftovers = deployrecord.temp_files(root)
    if leftovers:
        out.append(Check("deploy-temp-files", TITLE, WARNING,
                         f"{len(leftovers)} temporary file(s) a stopped copy left beside the DLLs "
                         f"({', '.join(_short(layout, p) for p in leftovers[:3])}).",
                         f"ecma-wizard connector deploy-dll --roll-back{where} (or --finish) removes them."))
    torn, temps = deployrecord.torn_backups(), deployrecord.backup_temp_files()
    if torn or temps:
        out.append(Check("deploy-partial-backups", TITLE, INFO,
                         f"{len(torn)} backup folder(s) of DLL updates stopped before they changed anything, and "
                         f"{len(temps)} temporary file(s), are left in {(torn or temps)[0].parent}.",
                         "The next deploy-dll --finish or --roll-back removes them; nothing on the host needs "
                         "repair for them."))
    if not any(c.id == "half-deployed" for c in out) and not leftovers:
        out.append(Check("half-deployed", TITLE, OK, "No DLL update was left half-done."))
    return out
