"""The bridge's wire format and bounded readers, shared by the worker and its parent (no .NET here).

A connector DLL runs inside the worker process, so it can reach every file descriptor the worker
has (on Linux by walking /proc/self/fd) and write lines shaped like our answers. Each answer is
therefore sealed with an HMAC-SHA256 under a random key that the parent sends as the worker's first
line on stdin, before any DLL is loaded: the key never crosses a pipe again, so bytes a connector
writes cannot pass as an answer. A frame is `RS mac SP json LF`; the parent verifies the MAC before
it parses any JSON, so nothing unverified is ever parsed.

Everything read from the worker is bounded: an answer line keeps at most MAX_ANSWER_BYTES (its
tail: a connector's junk glued in front of a real answer does not hide it), and the connector's
own output (stderr) keeps its last MAX_OUTPUT_LINES lines of at most MAX_OUTPUT_LINE characters.
See docs/connector-dll.md for the threat model.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable
from typing import Any

KEY_BYTES = 32
FRAME = b"\x1e"  # ASCII record separator: json.dumps escapes control characters, so never in a body
MAX_ANSWER_BYTES = 16 * 1024 * 1024  # far above a real answer (20,000 parameters are about 3 MB)
MAX_OUTPUT_LINE = 2000  # characters kept of one line of the connector's own output
MAX_OUTPUT_LINES = 500  # lines kept (the last ones: a crash's last words come last)
_CHUNK = 65536
_MAX_TRIES = 8  # frame markers tried from the end of one line (each costs one HMAC)


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).hexdigest().encode("ascii")


def seal(key: bytes, answer: dict[str, Any]) -> bytes:
    """One answer as a sealed frame; an answer over the bound becomes an error answer."""
    body = json.dumps(answer).encode("ascii")
    if len(body) > MAX_ANSWER_BYTES:
        body = json.dumps({"id": answer.get("id"), "ok": False, "error": {
            "type": "AnswerTooLarge",
            "message": f"its answer is {len(body) / 1e6:.0f} MB, more than the "
                       f"{MAX_ANSWER_BYTES // 2**20} MB the bridge accepts from a connector"}}).encode("ascii")
    return FRAME + _mac(key, body) + b" " + body + b"\n"


def unseal(key: bytes, line: bytes) -> dict[str, Any] | None:
    """The answer in `line` when its MAC holds, else None. The real frame is found from the end:
    bytes a connector wrote without a newline may sit in front of it on the same line."""
    end = len(line)
    for _ in range(_MAX_TRIES):
        start = line.rfind(FRAME, 0, end)
        if start < 0:
            return None
        mac, sep, body = line[start + 1:].partition(b" ")
        if sep and len(mac) == 64 and hmac.compare_digest(mac, _mac(key, body)):
            answer = json.loads(body)
            return answer if isinstance(answer, dict) else None
        end = start
    return None


def read_lines(fd: int, limit: int, take: Callable[[bytes, bool], None]) -> None:
    """Every line of `fd` to take(line, cut) until EOF, holding at most about 2 x `limit` bytes
    (the pending bytes and the line handed over).
    An over-long line keeps its last `limit` bytes (cut=True). Closes `fd` at the end: the reading
    thread owns it, so nobody closes a descriptor a blocked read still uses."""
    pending = bytearray()
    cut = False
    try:
        while True:
            try:
                chunk = os.read(fd, _CHUNK)
            except OSError:
                break
            if not chunk:
                break
            pending += chunk
            while True:
                nl = pending.find(b"\n")
                if nl < 0:
                    break
                if nl > limit:
                    line, cut = bytes(pending[nl - limit:nl]), True
                else:
                    line = bytes(pending[:nl])
                del pending[:nl + 1]  # cheap: CPython's bytearray drops its front without copying
                take(line, cut)
                cut = False
            if len(pending) > limit + _CHUNK:
                del pending[:len(pending) - limit]
                cut = True
        if pending:
            take(bytes(pending[-limit:]), cut or len(pending) > limit)
    finally:
        try:
            os.close(fd)
        except OSError:
            pass


def output_lines() -> collections.deque[str]:
    """Where the connector's own output is kept: the last lines only."""
    return collections.deque(maxlen=MAX_OUTPUT_LINES)


def read_output(fd: int, lines: collections.deque[str], notable: collections.deque[str] | None = None,
                keep: Callable[[str], bool] | None = None) -> None:
    """The connector's Console and the runtime's crash text, bounded in lines and line length.
    Lines for which keep() is true also go to `notable`: a runtime's last words ("Stack overflow")
    may come before thousands of stack-trace lines that push them out of the last 500."""
    limit = MAX_OUTPUT_LINE * 4  # bytes: a character is at most four in UTF-8

    def take(line: bytes, cut: bool) -> None:
        text = line.decode("utf-8", "replace").rstrip("\r")
        if cut or len(text) > MAX_OUTPUT_LINE:
            text = "…" + text[-MAX_OUTPUT_LINE:]
        lines.append(text)
        if notable is not None and keep is not None and keep(text):
            notable.append(text)

    read_lines(fd, limit, take)
