"""The self-test's bridge check: a worker starts and, where a .NET runtime exists, loads it.

No .NET runtime (no Mono on Linux, a broken .NET Framework) is the machine's state, said plainly
and not a failure; a worker that cannot start or answer at all is a broken build.
"""

from __future__ import annotations

from app.bridge.client import START_TIMEOUT, ConnectorProcess
from app.bridge.errors import BridgeError


def check_bridge() -> str:
    process = ConnectorProcess("bridge-self-test.dll", None)
    try:
        process._ensure_worker_only()
        try:
            pong = process.raw_call("ping", timeout=START_TIMEOUT)
        except BridgeError as exc:
            raise RuntimeError(f"the bridge worker does not answer: {exc.sentence()}") from None
        try:
            info = process.raw_call("runtime", timeout=START_TIMEOUT)
        except BridgeError as exc:
            return (f"bridge: the worker starts (pid {pong['pid']}), but no .NET runtime is available "
                    f"here, so connector DLLs cannot be asked ({exc.dotnet_message or exc.kind})")
        return f"bridge: the worker starts and loads .NET ({info['runtime']} {info['version']})"
    finally:
        process.close()
