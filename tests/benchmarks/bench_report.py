"""Benchmark: host reports.

Figures are medians, each beside a baseline measured in the same run (machines here are noisy: read
the ratios):
- a report of the sample host (goal under 3 s), against zipping the host's files with zipfile alone;
- a report of a host whose event log holds 100,000 events, all within the report's window (goal
  under 15 s, peak memory under 300 MB), against loading the same dump into the event viewer's
  table and zipping the dump file; the memory is the report process's peak resident size, beside
  that of `ecma-wizard --version` (the interpreter and imports alone);
- the same events as a Windows host's `wevtutil qe` output (the other commands answered by the
  captures in tests/data/field), against the viewer's load;
- opening that report (read_report + its event table), the GUI's first step.
Run: `python tests/benchmarks/bench_report.py [--events N] [--runs N]`.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.events.sources.xml_dump import XmlDumpSource  # noqa: E402
from app.host.layout import from_host_dir  # noqa: E402
from app.report.build import build_report  # noqa: E402
from app.report.context import ReportOptions  # noqa: E402
from app.report.reader import read_report  # noqa: E402
from tests.events.sample import write_synthetic_dump  # noqa: E402


def median_s(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def line(what: str, s: float, base_what: str, base_s: float, goal: str = "") -> None:
    print(f"{what:<46} {s:7.2f} s   {base_what:<36} {base_s:7.2f} s   x{s / base_s:6.1f}   {goal}")


def zip_files(root: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in root.rglob("*"):
            if path.is_file():
                z.write(path, path.relative_to(root).as_posix())
    return buf.getvalue()


_PEAK = ("import runpy, sys\nsys.argv = ['ecma-wizard', *sys.argv[1:]]\ntry:\n"
         "    runpy.run_module('app', run_name='__main__')\nexcept SystemExit as exc:\n    code = exc.code\n"
         "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0], file=sys.stderr)\n")


def peak_rss_mb(args: list[str]) -> tuple[float, float]:
    """(seconds, peak resident MB) of the app run with `args`, read from the process's own VmHWM
    (a child's ru_maxrss on Linux includes what its parent held when it forked)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK, *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    seconds = time.perf_counter() - start
    found = [line for line in done.stderr.splitlines() if line.startswith("VmHWM")]
    if not found:
        raise SystemExit(f"no peak memory reported (needs Linux /proc): {done.stderr[-500:]}")
    return seconds, int(found[-1].split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample"
        shutil.copytree(ROOT / "resources" / "sample-host", sample)
        layout = from_host_dir(sample)
        options = ReportOptions(layout, platform="linux", with_bridge=False)
        line("report of the sample host", median_s(lambda: build_report(options), args.runs),
             "zipfile of the host's files", median_s(lambda: zip_files(sample), args.runs), "(goal < 3 s)")

        big = Path(tmp) / "big"
        shutil.copytree(ROOT / "resources" / "sample-host", big)
        dump = big / "Logs" / "ECMA2Host.xml"
        write_synthetic_dump(dump, args.events)
        print(f"(event dump of {args.events:,} events, {dump.stat().st_size / 1e6:.0f} MB)")
        big_options = ReportOptions(from_host_dir(big), platform="linux", with_bridge=False, days=3650)
        runs = max(1, args.runs // 2)
        built = build_report(big_options)
        line(f"report with {args.events:,} events", median_s(lambda: build_report(big_options), runs),
             "viewer load + zipfile of the dump",
             median_s(lambda: (XmlDumpSource(dump).load(), zip_files(dump.parent)), runs), "(goal < 15 s)")
        report_events = read_report(built.data, "r.zip").events()
        assert len(report_events) == args.events, len(report_events)
        line("open that report (read + event table)",
             median_s(lambda: read_report(built.data, "r.zip").events(), runs),
             "viewer load of the dump", median_s(lambda: XmlDumpSource(dump).load(), runs))
        from tests.report.fake_windows import FakeWindows

        answers = {"wevtutil-qe": (0, dump.read_text("utf-8"))}

        class OneBigLog(FakeWindows):
            """Only the ECMA2Host log is big: the agent's, Application and System logs are asked for
            at most 2,000 events each (app/report/agent.py), answered by the 6-event capture."""

            def _answer(self, argv: list[str]) -> tuple[int, str]:
                if argv[:3] == ["wevtutil.exe", "qe", "ECMA2Host"]:
                    self.seen.append(list(argv))
                    return answers["wevtutil-qe"]
                return super()._answer(argv)

        line(f"report, Windows host, {args.events:,} events",
             median_s(lambda: build_report(ReportOptions(
                 from_host_dir(sample), platform="win32", with_bridge=False, probe_endpoint=False,
                 recorder=OneBigLog().recorder())), runs),
             "viewer load of the dump", median_s(lambda: XmlDumpSource(dump).load(), runs),
             "(captured outputs; wevtutil's)")
        answers.clear()
        out = Path(tmp) / "r.zip"
        seconds, rss = peak_rss_mb(["host-report", "--host-dir", str(big), "--out", str(out), "--days", "3650",
                                    "--no-bridge"])
        _s, base_rss = peak_rss_mb(["--version"])
        print(f"{'peak memory, host-report CLI (' + str(args.events) + ' events)':<46} {rss:7.0f} MB  "
              f"{'ecma-wizard --version':<36} {base_rss:7.0f} MB   (goal < 300 MB; CLI took {seconds:.1f} s)")
        print(f"(report: {len(built.data) / 1e6:.1f} MB zipped, {len(built.members)} files)")


if __name__ == "__main__":
    main()
