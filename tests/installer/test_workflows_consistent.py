"""Both workflows run the same suite, so they need the same tools: under CI=true (GitHub sets it)
a missing Mono fails the .NET tests, so every Linux job that runs pytest installs it first; the
real full-disk test needs root, which tests.yml gives it through sudo."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"


def jobs():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for name, job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].items():
            yield pytest.param(job, id=f"{path.name}:{name}")


@pytest.mark.parametrize("job", list(jobs()))
def test_linux_jobs_running_pytest_install_mono_first(job):
    steps = job["steps"]
    runs_tests = [i for i, s in enumerate(steps) if "pytest" in s.get("run", "")]
    if not runs_tests or "ubuntu-latest" not in job["strategy"]["matrix"]["os"]:
        pytest.skip("no tests on Linux in this job")
    installs = [i for i, s in enumerate(steps)
                if s.get("if") == "runner.os == 'Linux'" and "mono-mcs" in s.get("run", "")
                and "mono-runtime" in s.get("run", "")]
    assert installs and installs[0] < runs_tests[0]


def test_the_tmpfs_full_disk_test_runs_as_root_on_github():
    steps = yaml.safe_load((WORKFLOWS / "tests.yml").read_text(encoding="utf-8"))["jobs"]["pytest"]["steps"]
    assert any(s.get("if") == "runner.os == 'Linux'" and s.get("run", "").startswith("sudo -E")
               and "test_full_disk_tmpfs.py" in s["run"] for s in steps)
