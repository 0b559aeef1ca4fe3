"""Cold start to the first window: the one-file build against `python -m app`, in the same run.

    python installer/measure_startup.py [--exe dist/ecma-wizard] [--runs 7] [--cold-cache]

Each run starts a fresh process with no arguments (the GUI on the sample host, Qt offscreen) and
ECMA_WIZARD_STARTUP_PROBE=quit: the runtime hook installer/hooks/rthook_startup_probe.py prints
the time of the main window's first paint and closes the app. Start-up is that time minus the
moment this script launched the process (same clock), so the one-file build's unpacking into a
temporary folder is included. Runs alternate between the two so that machine noise hits both.
`--cold-cache` empties the page cache before every run (root only): nothing of Python, Qt or the
executable is in memory, as after a reboot. Also timed: `--version` (CLI start, no Qt) and
`--self-test`. Figures are printed (medians, min-max), never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / "installer" / "hooks"
PREFIX = "ecma-wizard startup-probe: first-paint "
# From source, the same probe is loaded before `app` (the frozen build loads it as a runtime hook).
SOURCE = [sys.executable, "-c",
          f"import sys; sys.path.insert(0, {str(HOOKS)!r}); import rthook_startup_probe; "
          "from app.cli import main; sys.exit(main())"]
DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def drop_caches() -> None:
    os.sync()
    DROP_CACHES.write_text("3\n")


def first_window(command: list[str], env: dict[str, str], timeout: float = 60) -> tuple[float, float]:
    """(seconds to the first paint, seconds to exit) of one fresh process."""
    started = time.time()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    painted = None
    for line in process.stderr:
        if line.startswith(PREFIX):
            painted = float(line[len(PREFIX):])
    process.wait(timeout)
    ended = time.time()
    if painted is None or process.returncode != 0:
        raise RuntimeError(f"{command[0]} did not show its window (exit {process.returncode})")
    return painted - started, ended - started


def wall(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - started


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s  ({min(values):.2f}-{max(values):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_exe = ROOT / "dist" / ("ecma-wizard.exe" if sys.platform == "win32" else "ecma-wizard")
    parser.add_argument("--exe", type=Path, default=default_exe)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold-cache", action="store_true",
                        help="empty the page cache before every run (Linux, root)")
    args = parser.parse_args(argv)
    if args.cold_cache and not os.access(DROP_CACHES, os.W_OK):
        parser.error("--cold-cache needs root on Linux (writes /proc/sys/vm/drop_caches)")
    exe = [str(args.exe.resolve())]
    build = "one-folder" if (args.exe.resolve().parent / "_internal").is_dir() else "one-file"

    with tempfile.TemporaryDirectory(prefix="ecma-wizard-startup-") as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ECMA_WIZARD_STARTUP_PROBE="quit",
                   ECMA_WIZARD_DATA=tmp)
        env.pop("PYTHON_KEYRING_BACKEND", None)
        # Warm-up (not counted): copies the sample host into the data folder once for both.
        first_window(SOURCE, env)
        first_window(exe, env)
        results: dict[str, dict[str, list[float]]] = {
            name: {"first window": [], "exit": [], "--version": [], "--self-test": []}
            for name in (build, "source")}
        for _ in range(args.runs):
            for name, command in ((build, exe), ("source", SOURCE)):
                for label, run in (
                    ("first window", lambda c=command: first_window(c, env)),
                    ("--version", lambda c=command: wall([*c, "--version"], env)),
                    ("--self-test", lambda c=command: wall([*c, "--self-test"], env)),
                ):
                    if args.cold_cache:
                        drop_caches()
                    value = run()
                    if label == "first window":
                        results[name]["first window"].append(value[0])
                        results[name]["exit"].append(value[1])
                    else:
                        results[name][label].append(value)

    cache = "cold page cache (dropped before every run)" if args.cold_cache else "warm page cache"
    print(f"start-up, {args.runs} runs each, {cache}, median (min-max)")
    print(f"  {build} build: {args.exe} (executable {args.exe.stat().st_size / 1e6:.1f} MB)")
    for label in ("first window", "exit", "--version", "--self-test"):
        one = results[build][label]
        src = results["source"][label]
        ratio = statistics.median(one) / statistics.median(src)
        print(f"  {label:13} {build} {summary(one)}   source {summary(src)}   ratio {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
