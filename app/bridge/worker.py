"""The bridge's child process: one connector DLL, JSON lines in on stdin, JSON lines out.

Started by app/bridge/client.py as `python -m app.bridge.worker` (or the frozen executable with
`--bridge-worker`). The protocol gets a private copy of the original stdout; fd 1 then points at
stderr, so whatever the connector prints (Console, native code) never mixes with the answers.
Requests: {"id", "op", "args"}; answers: {"id", "ok": true, "result"} or {"id", "ok": false,
"error": {"type", "message", "inner"}}. When the parent closes the pipe (or dies) the worker ends
at once, even during a hung call. The process ends with os._exit (Mono's own shutdown takes
seconds and can hang on a connector's threads).
"""

from __future__ import annotations

import json
import os
import queue
import sys
import threading
from typing import Any, TextIO


def _protocol_channel() -> tuple[TextIO, TextIO]:
    """(requests, answers) on the raw fds: a frozen build may have no sys.stdin/sys.stdout."""
    out_fd = os.dup(1)
    os.dup2(2, 1)  # the connector's Console and any native printing land on stderr
    if sys.stderr is not None:
        sys.stdout = sys.stderr
    requests = open(0, encoding="utf-8", errors="replace", closefd=False)
    return requests, os.fdopen(out_fd, "w", encoding="utf-8", buffering=1)


def _handle(state: dict[str, Any], op: str, args: dict[str, Any]) -> Any:
    from app.bridge import dotnet

    if op == "ping":
        return {"pid": os.getpid()}
    if op == "runtime":  # the self-test: can this build start .NET at all?
        dotnet.start_runtime()
        from System import Environment

        return {"pid": os.getpid(), "version": str(Environment.Version),
                "runtime": "netfx" if sys.platform == "win32" else "mono"}
    if op == "load":
        dotnet.start_runtime()
        state["connector"] = dotnet.LoadedConnector(args["dll"], args.get("interface_dll"))
        return state["connector"].info()
    connector = state.get("connector")
    if connector is None:
        raise dotnet.ConnectorFault("NotLoaded", "the connector DLL is not loaded yet")
    if op == "interface_enums":
        return connector.interface_enums()
    values = args.get("values", [])
    if op == "get_parameters":
        return connector.get_parameters(args["page"], int(args.get("number", 1)), values)
    if op == "validate":
        return connector.validate(args["page"], int(args.get("number", 1)), values)
    if op == "capabilities":
        return connector.capabilities(values)
    if op == "partitions":
        return connector.partitions(values)
    if op == "hierarchy":
        return connector.hierarchy(values, args.get("parent"))
    if op == "schema":
        return connector.schema(values)
    raise dotnet.ConnectorFault("UnknownRequest", f"unknown request '{op}'")


def serve(requests: TextIO, answers: TextIO) -> None:
    from app.bridge import dotnet

    state: dict[str, Any] = {}
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in requests:
            lines.put(line)
        os._exit(0)  # the parent closed the pipe or died: end now, even in the middle of a call

    threading.Thread(target=read, daemon=True).start()
    while True:
        line = lines.get()
        if not line.strip():
            continue
        request = json.loads(line)
        if request.get("op") == "exit":
            answers.flush()
            os._exit(0)
        answer: dict[str, Any] = {"id": request.get("id")}
        try:
            answer["result"] = _handle(state, request.get("op", ""), request.get("args") or {})
            answer["ok"] = True
        except dotnet.ConnectorFault as fault:
            answer.update(ok=False, error=fault.to_dict())
        except Exception as exc:  # a .NET exception from the connector, or our own bug
            answer.update(ok=False, error=dotnet.fault_from(exc).to_dict())
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main() -> None:
    requests, answers = _protocol_channel()
    try:
        serve(requests, answers)
    finally:
        os._exit(0)


if __name__ == "__main__":
    main()
