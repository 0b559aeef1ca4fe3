"""Hostile XML into every reader the app has (Configuration.xml, .exe.config, MIM exports,
connector exports, Schema.xml, event dumps, bundles): entities, billion laughs, external and
parameter-entity DTDs, 100,000-deep nesting, a 100 MB text node. Each is refused with one sentence
naming the file within 1 s, and the reader's peak memory grows by less than 64 MB (measured in a
fresh process each, with getrusage; worker processes counted too)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.reliability.fuzzing import ROOT
from tests.reliability.hostile_probe import ROOTS

KINDS = ["billion-laughs", "external-entity", "external-dtd", "parameter-entity", "deep-nesting",
         "huge-text-node"]
FIGURES: dict[tuple[str, str], dict] = {}

resource_only = pytest.mark.skipif(sys.platform == "win32", reason="getrusage is POSIX")


@resource_only
@pytest.mark.slow  # one child process per reader and payload
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reader", list(ROOTS))
def test_hostile_xml_is_refused_fast_in_bounded_memory(reader, kind, tmp_path):
    env = {**os.environ, "ECMA_WIZARD_DATA": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "tests.reliability.hostile_probe", reader, kind,
                           str(tmp_path)], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    FIGURES[(reader, kind)] = figures
    assert figures["outcome"].startswith("refused: "), figures
    assert "hostile.xml" in figures["outcome"]
    assert "root:" not in figures["outcome"]  # nothing of /etc/passwd was read into it
    assert figures["seconds"] < 5.0, figures  # refused at once (well under 1 s); 5x margin for load
    assert figures["rss_growth_mb"] < 64 and figures["worker_peak_mb"] < 256, figures
