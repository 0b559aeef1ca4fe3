"""Benchmark: asking a connector DLL through the bridge's worker process.

Measures (medians, same run; the SQL-like test connector compiled from tests/bridge/dotnet):
- first page: from choosing the DLL to the Connectivity page's definitions (worker start, .NET
  runtime, loading the DLL, first call); goal under 2 s;
- later pages: Capabilities, Schema 1-4, Global, RunStep on the warm worker; goal under 200 ms
  each plus the connector's own time;
- overhead per call: the same GetConfigParameters(Connectivity) through the bridge against a bare
  in-process pythonnet call (with and without turning the answer into Python values), and the pipe
  alone (a ping round trip); goal: bridge within 1.5x (bare call + pipe).
Run: `python tests/benchmarks/bench_bridge.py` (needs Mono and mcs, or Windows' .NET Framework).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bridge"))

from dotnet_build import build, missing_tools  # noqa: E402

from app.bridge import locate  # noqa: E402
from app.bridge.session import ConnectorSession  # noqa: E402

COLD_RUNS, WARM_RUNS, CALLS = 5, 5, 200
LATER = [("Capabilities", 1), ("Schema", 1), ("Schema", 2), ("Schema", 3), ("Schema", 4),
         ("Global", 1), ("RunStep", 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def median_of(fn, runs: int) -> float:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return statistics.median(out)


def cold_first_page(dll: Path) -> float:
    times = []
    for _ in range(COLD_RUNS):
        start = time.perf_counter()
        s = ConnectorSession(locate.user_named(dll, None))
        s.ask_page("Connectivity")
        times.append(time.perf_counter() - start)
        s.close()
    return statistics.median(times)


def later_pages(dll: Path) -> dict[str, float]:
    s = ConnectorSession(locate.user_named(dll, None))
    try:
        s.ask_page("Connectivity")
        out = {}
        for page, number in LATER:
            label = f"{page} {number}" if page == "Schema" else page
            out[label] = median_of(lambda p=page, n=number: s.ask_page(p, n), WARM_RUNS)
        out["GetCapabilitiesEx"] = median_of(s.ask_capabilities, WARM_RUNS)
        out["GetSchema"] = median_of(s.ask_schema, WARM_RUNS)
        return out
    finally:
        s.close()


def bridge_call(dll: Path) -> tuple[float, float, list[dict]]:
    s = ConnectorSession(locate.user_named(dll, None))
    try:
        s.ask_page("Connectivity")
        call = median_of(lambda: s.ask_page("Connectivity"), CALLS)
        ping = median_of(lambda: s.process.raw_call("ping", timeout=10), CALLS)
        return call, ping, s.call_values()
    finally:
        s.close()


def in_process_call(dll: Path, interface: Path, values: list[dict]) -> tuple[float, float]:
    """The same call with pythonnet in this process (what the worker does, minus the pipe)."""
    from app.bridge import dotnet

    dotnet.start_runtime()
    loaded = dotnet.LoadedConnector(str(dll), str(interface))
    converted = median_of(lambda: loaded.get_parameters("Connectivity", 1, values), CALLS)
    iface = loaded._as("IMAExtensible2GetParameters")
    page = loaded._page("Connectivity")
    col = loaded.values(values)
    raw = median_of(lambda: list(iface.GetConfigParameters(col, page)), CALLS)
    return raw, converted


def main() -> int:
    why = missing_tools()
    if why:
        print(f"bench_bridge: cannot run: {why}")
        return 1
    dlls = build()
    print(f"bench_bridge: {dlls.sql.name}, medians; {COLD_RUNS} cold starts, {CALLS} calls per figure")
    cold = cold_first_page(dlls.sql)
    print(f"first page after choosing the DLL (cold worker): {ms(cold)}   goal < 2000 ms: "
          f"{'ok' if cold < 2 else 'MISSED'}")
    for label, value in later_pages(dlls.sql).items():
        print(f"  later page {label:<18} {ms(value)}")
    call, ping, values = bridge_call(dlls.sql)  # the values the bridge passed: the same for both
    raw, converted = in_process_call(dlls.sql, dlls.interface, values)
    print(f"bare in-process pythonnet call (GetConfigParameters):     {ms(raw)}")
    print(f"same, answer turned into Python values (worker's work):  {ms(converted)}")
    print(f"pipe alone (ping round trip to the worker):              {ms(ping)}")
    print(f"through the bridge (ask_page Connectivity, warm):        {ms(call)}")
    ratio = call / (converted + ping)
    print(f"bridge / (in-process call + pipe) = {ratio:.2f}x   goal <= 1.5x: {'ok' if ratio <= 1.5 else 'MISSED'}")
    print(f"bridge / bare in-process call     = {call / raw:.1f}x")
    import os

    os._exit(0)  # Mono's shutdown in this process takes seconds


if __name__ == "__main__":
    sys.exit(main())
