"""deploy-dll killed mid-copy (SIGKILL: no handler runs) leaves a host that is old, new, or found
half-deployed by the doctor and the journal and put right by `--finish` / `--roll-back`; no
temporary file beside the DLLs goes unnoticed."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app import journal
from app.cli import main
from app.diagnostics.doctor import run_doctor
from app.host import deployrecord
from app.host.layout import from_host_dir
from app.host.service import UnavailableServiceControl
from tests.host.test_deploy_dll import SQL, fake_pe

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is a POSIX signal")

# Runs a real deploy that SIGKILLs itself while writing the Nth file on the host: after the
# temporary file is complete and before it replaces the DLL (the widest window of a real kill).
KILL_AT_NTH_COPY = textwrap.dedent("""
    import os, signal, sys
    from app.config.store import ConfigStore
    from app.host import deploy
    from app.host.layout import from_host_dir
    from app.host.service import UnavailableServiceControl
    root, dll, nth = sys.argv[1], sys.argv[2], int(sys.argv[3])
    real, count = deploy.atomic_write, [0]
    def killing(path, data, **kw):
        if str(path).startswith(root):
            count[0] += 1
            if count[0] == nth:
                kw["_after_write"] = lambda tmp: os.kill(os.getpid(), signal.SIGKILL)
        return real(path, data, **kw)
    deploy.atomic_write = killing
    layout = from_host_dir(root)
    plan = deploy.make_plan(layout, ConfigStore(layout.config_path).load(), __import__("pathlib").Path(dll))
    deploy.execute(plan, UnavailableServiceControl("linux"), without_service=True, wizard_running=lambda: False)
""")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture
def host(tmp_path, sample_host):
    root = tmp_path / "host"
    shutil.copytree(sample_host, root)
    return from_host_dir(root)


def places(layout):
    ecma = layout.ecma_dir
    return [ecma / SQL, ecma / "Cache" / "HRDatabase" / SQL, ecma / "Cache" / "HRDatabase" / "AutosyncService" / SQL]


def state_of(layout, old: bytes, new: bytes) -> str:
    found = {p.read_bytes() if p.exists() else b"" for p in places(layout)}
    return "old" if found == {old} else "new" if found == {new} else "mixed"


def doctor_findings(layout) -> dict[str, str]:
    report = run_doctor(layout, service=UnavailableServiceControl("linux"))
    return {c.id: c.severity for c in report.checks
            if c.id in ("half-deployed", "deploy-temp-files", "deploy-partial-backups")}


@pytest.mark.parametrize("how", ["finish", "roll-back"])
def test_killed_after_the_second_copy_is_found_and_repaired(host, tmp_path, how, capsys):
    new_dll = tmp_path / SQL
    new_dll.write_bytes(fake_pe((9, 0, 0, 1), os.urandom(200_000)))
    old, new = places(host)[0].read_bytes(), new_dll.read_bytes()
    child = subprocess.run([sys.executable, "-c", KILL_AT_NTH_COPY, str(host.root), str(new_dll), "2"],
                           env=_env(), timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert state_of(host, old, new) == "mixed"  # the first copy is new, the second was cut short
    leftovers = deployrecord.temp_files(host.root)
    assert len(leftovers) == 1 and leftovers[0].stat().st_size == len(new)
    (deploy,) = [a for a in journal.read_journal().actions if a.action == "deploy DLL"]
    assert deploy.outcome == "unfinished" and deploy.undo == "" and deploy.target == str(host.root)
    assert doctor_findings(host) == {"half-deployed": "error", "deploy-temp-files": "warning"}
    assert main(["doctor", "--host-dir", str(host.root)]) in (0, 1)
    assert "Half-deployed" in capsys.readouterr().out

    assert main(["connector", "deploy-dll", f"--{how}", "--host-dir", str(host.root), "--without-service"]) == 0
    assert state_of(host, old, new) == ("new" if how == "finish" else "old")
    assert deployrecord.temp_files(host.root) == [] and deployrecord.unfinished(host.root) == []
    assert doctor_findings(host) == {"half-deployed": "ok"}
    repair = [a for a in journal.read_journal().actions if a.action.endswith("DLL deploy")]
    assert [a.outcome for a in repair] == ["ok"]
    # nothing left to repair: one sentence, not a traceback
    assert main(["connector", "deploy-dll", "--finish", "--host-dir", str(host.root), "--without-service"]) == 2
    assert "Nothing is half-deployed" in capsys.readouterr().err


def test_repair_refuses_while_that_update_still_runs(host, tmp_path, capsys):
    """An update another process is running now is not "half-deployed": hands off."""
    j = journal.default_journal()
    running = journal.Action("deploy DLL", host.root, {}, j)
    entry = running._entry("started")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        entry["pid"] = sleeper.pid
        j.append(entry)
        assert main(["connector", "deploy-dll", "--roll-back", "--host-dir", str(host.root),
                     "--without-service"]) == 2
        assert "running now" in capsys.readouterr().err
    finally:
        sleeper.kill()
        sleeper.wait()


def _until_backing_up(child: subprocess.Popen, kill_after: float | None = None) -> float:
    """Wait for the run's "Backing up" line; then SIGKILL it `kill_after` seconds later, or (None)
    let it end and return how long it took from that line on."""
    assert child.stderr is not None
    for line in child.stderr:
        if b"Backing up" in line:
            break
    began = time.monotonic()
    if kill_after is None:
        assert child.wait(120) == 0
        return time.monotonic() - began
    time.sleep(kill_after)
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    child.stderr.close()
    return kill_after


@pytest.mark.slow
def test_kill_loop_every_outcome_is_old_new_or_found_and_repaired(host, tmp_path, sample_host):
    """20 real `deploy-dll` runs killed with SIGKILL at random moments of the copy (16 MB DLL, 3
    copies): each run is watched until it says it backs up, then killed at a random point of the
    time a whole backup-and-copy takes (a little past it too, to catch the end)."""
    rng = random.Random(int(os.environ.get("KILL_SEED", "0")) or None)
    new_dll = tmp_path / "new" / SQL
    new_dll.parent.mkdir()
    new_dll.write_bytes(fake_pe((9, 0, 0, 2), os.urandom(16 * 1024 * 1024)))
    old, new = places(host)[0].read_bytes(), new_dll.read_bytes()
    argv = [sys.executable, "-m", "app", "connector", "deploy-dll", str(new_dll), "--host-dir", str(host.root),
            "--yes", "--without-service"]
    whole = _until_backing_up(subprocess.Popen(argv, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    outcomes: dict[str, int] = {}
    deadline = time.monotonic() + 240
    for attempt in range(20):
        assert time.monotonic() < deadline, f"the loop ran out of time after {attempt} tries"
        shutil.rmtree(host.root)
        shutil.copytree(sample_host, host.root)
        child = subprocess.Popen(argv, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _until_backing_up(child, kill_after=rng.uniform(0.0, 1.2) * whole)
        state = state_of(host, old, new)
        records, leftovers = deployrecord.unfinished(host.root), deployrecord.temp_files(host.root)
        found = doctor_findings(host)
        if leftovers:  # a temporary file beside the DLLs is never there without a record saying why
            assert records and found.get("deploy-temp-files") == "warning"
        if deployrecord.torn_backups() or deployrecord.backup_temp_files():  # ours, in the data folder
            assert found.get("deploy-partial-backups") == "info"
        if state == "mixed" or records:
            assert records and found.get("half-deployed") == "error", f"try {attempt}: {state} went unnoticed"
            how = "finish" if attempt % 2 else "roll-back"
            assert main(["connector", "deploy-dll", f"--{how}", "--host-dir", str(host.root),
                         "--without-service"]) == 0
            assert state_of(host, old, new) == ("new" if how == "finish" else "old")
            assert deployrecord.temp_files(host.root) == [] and deployrecord.unfinished(host.root) == []
            state = f"repaired ({how}, was {state})"
        else:
            assert found.get("half-deployed") == "ok" and "deploy-temp-files" not in found
        outcomes[state] = outcomes.get(state, 0) + 1
    print(f"\nkill loop: one run {whole:.2f} s; outcomes {outcomes}")
    assert sum(outcomes.values()) == 20


def test_repair_is_refused_while_microsofts_wizard_runs(host, tmp_path):
    from app.errors import UserError

    new_dll = tmp_path / SQL
    new_dll.write_bytes(fake_pe((9, 0, 0, 3), b"new"))
    subprocess.run([sys.executable, "-c", KILL_AT_NTH_COPY, str(host.root), str(new_dll), "2"], env=_env(), timeout=60)
    before = {p: p.read_bytes() for p in places(host)}
    with pytest.raises(UserError, match="Configuration Wizard is running"):
        deployrecord.repair(host.root, "roll-back", UnavailableServiceControl("linux"), without_service=True,
                            wizard_running=lambda: True)
    assert {p: p.read_bytes() for p in places(host)} == before and deployrecord.unfinished(host.root)
