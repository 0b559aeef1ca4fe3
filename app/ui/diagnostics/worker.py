"""Run slow diagnostics work (sockets, sc.exe, PowerShell) off the GUI thread.

The result comes back through Qt signals, which Qt queues onto the GUI thread. A view closed
while its work still runs is simply not told (its relay is gone).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.errors import UserError

log = logging.getLogger(__name__)


class Relay(QObject):
    done = Signal(object)
    failed = Signal(str)
    progress = Signal(object)


def spawn(relay: Relay, work: Callable[[], object], name: str) -> threading.Thread:
    def target() -> None:
        try:
            result = work()
        except UserError as exc:
            _emit(relay.failed, exc.sentence())
            return
        except Exception:  # the program's own failure: logged for us, one sentence for the user
            log.exception("diagnostics work %s failed", name)
            _emit(relay.failed, f"{name} failed unexpectedly; details were logged.")
            return
        _emit(relay.done, result)

    thread = threading.Thread(target=target, name=f"diagnostics-{name}", daemon=True)
    thread.start()
    return thread


def _emit(signal, value) -> None:
    try:
        signal.emit(value)
    except RuntimeError:  # the view was closed meanwhile
        pass
