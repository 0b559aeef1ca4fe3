"""The bridge's child process: one connector DLL, JSON lines in on stdin, JSON lines out.

Started by app/bridge/client.py as `python -m app.bridge.worker` (or the frozen executable with
`--bridge-worker`). The protocol gets private, non-inheritable copies of the original stdin and
stdout; fd 0 then reads /dev/null and fd 1 points at stderr, so whatever the connector prints
(Console, native code, a process it starts) never mixes with the answers. The first line on stdin
is the session's key; every answer is sealed with it (app/bridge/protocol.py), so lines a connector
writes to our descriptors cannot pass as answers. Requests: {"id", "op", "args"}; answers: {"id",
"ok": true, "result"} or {"id", "ok": false, "error": {"type", "message", "inner"}}. When the
parent closes the pipe (or dies) the worker ends at once, even during a hung call, and takes every
process the connector started with it (its process group). The process ends with os._exit (Mono's
own shutdown takes seconds and can hang on a connector's threads).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sys
import threading
from typing import Any, BinaryIO, TextIO

from app.bridge import protocol


def _protocol_channel() -> tuple[TextIO, BinaryIO, bytes]:
    """(requests, answers, key) on private copies of fds 0 and 1 (os.dup makes them
    non-inheritable, so a process the connector starts never holds them); a frozen build may have
    no sys.stdin/sys.stdout."""
    in_fd, out_fd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)  # the connector's Console and any native printing land on stderr
    if sys.stderr is not None:
        sys.stdout = sys.stderr
    requests = open(in_fd, encoding="utf-8", errors="replace")  # our own fd, closed with the process
    key = bytes.fromhex(requests.readline().strip())  # read before any connector code runs
    return requests, os.fdopen(out_fd, "wb", buffering=0), key


def _end() -> None:
    """End now, with every process the connector started: the worker leads its own process group
    (the parent starts it with start_new_session). Run by hand, it ends alone."""
    if sys.platform != "win32" and os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os._exit(0)


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


def serve(requests: TextIO, answers: BinaryIO, key: bytes) -> None:
    from app.bridge import dotnet

    state: dict[str, Any] = {}
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in requests:
            lines.put(line)
        _end()  # the parent closed the pipe or died: end now, even in the middle of a call

    threading.Thread(target=read, daemon=True).start()
    while True:
        line = lines.get()
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            continue  # only the connector could have put this here (the pipe is reachable in-process)
        if not isinstance(request, dict):
            continue
        if request.get("op") == "exit":
            _end()
        answer: dict[str, Any] = {"id": request.get("id")}
        try:
            answer["result"] = _handle(state, request.get("op", ""), request.get("args") or {})
            answer["ok"] = True
        except dotnet.ConnectorFault as fault:
            answer.update(ok=False, error=fault.to_dict())
        except Exception as exc:  # a .NET exception from the connector, or our own bug
            answer.update(ok=False, error=dotnet.fault_from(exc).to_dict())
        frame = memoryview(protocol.seal(key, answer))
        while frame:  # a raw write may take part of a large answer
            frame = frame[answers.write(frame) or 0:]


def main() -> None:
    requests, answers, key = _protocol_channel()
    try:
        serve(requests, answers, key)
    finally:
        os._exit(0)


if __name__ == "__main__":
    main()
