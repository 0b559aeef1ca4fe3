"""Everything Qt: the main window, wizard pages, dialogs, the event viewer.

The only package that imports PySide6 (docs/architecture.md §2). Each area lives in its own sub-package
(`main/`, `wizard/`, `events/`, `certs/`, `diagnostics/`, `migrate/`) and offers a
`screens.py` with `screenshots(outdir)` so anyone can look at what it draws.
"""

from __future__ import annotations

import ctypes
import sys


def _pin_singletons_on_pyside_6_12() -> None:
    """Guard against a refcount bug of PySide6 6.12.0 on CPython 3.11 (measured here): each call
    of a Python override of a C++ virtual that returns None, True or False (model.data(),
    isComplete(), ...) loses one reference to that singleton, and after a few thousand repaints
    the interpreter aborts ("none_dealloc"). pyproject.toml keeps PySide6 below 6.12; should a
    user force 6.12 on 3.11 anyway, this gives the three singletons the immortality CPython 3.12
    has built in, once, for the whole process, before any of our models exists."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    from PySide6 import __version__ as pyside_version

    if not pyside_version.startswith("6.12."):
        return
    for obj in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is PyObject's first field
        if count.value < 1 << 40:
            count.value += 1 << 40


_pin_singletons_on_pyside_6_12()
