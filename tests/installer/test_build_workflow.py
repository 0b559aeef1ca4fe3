"""The build workflow (.github/workflows/build.yml): both systems, tests before the build, uploads.

GitHub Actions cannot run here; these checks catch a broken YAML file or a lost step early.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml  # in the test extra: a missing PyYAML is a failure, not a skip

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "build.yml"


@pytest.fixture(scope="module")
def job():
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert set(data[True]) >= {"push", "workflow_dispatch"}  # YAML 1.1 reads "on" as True
    return data["jobs"]["portable"]


def _index(steps, name_part: str) -> int:
    return next(i for i, step in enumerate(steps) if name_part in step.get("name", ""))


def test_both_systems(job):
    assert set(job["strategy"]["matrix"]["os"]) == {"windows-latest", "ubuntu-latest"}


def test_tests_run_before_building_and_smoke_tests_after(job):
    steps = job["steps"]
    tests = _index(steps, "Tests")
    assert "pytest" in steps[tests]["run"]
    for system in ("Linux", "Windows"):
        assert tests < _index(steps, f"Build ({system})") < _index(steps, f"Smoke test ({system})") \
            < _index(steps, f"Upload ({system})")


def test_the_windows_executable_and_zip_are_uploaded(job):
    upload = job["steps"][_index(job["steps"], "Upload (Windows)")]
    assert upload["uses"].startswith("actions/upload-artifact@")
    paths = upload["with"]["path"].split()
    assert "dist/ecma-wizard.exe" in paths and "dist/ecma-wizard-*-windows-x64.zip" in paths
    assert upload["with"]["if-no-files-found"] == "error"


def test_the_windows_smoke_test_runs_the_self_test_of_both_builds(job):
    smoke = job["steps"][_index(job["steps"], "Smoke test (Windows)")]["run"]
    assert "dist\\ecma-wizard.exe --self-test" in smoke
    assert "folder\\ecma-wizard\\ecma-wizard.exe\") --self-test" in smoke
    assert "ecma-wizard.portable" in smoke
