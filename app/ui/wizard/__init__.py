"""The connector wizard's Qt views (pages, forms, attribute picker, schema refresh dialog)."""

from __future__ import annotations

import ctypes
import sys


def pin_singletons() -> None:
    """Work around a refcount bug measured with PySide6 6.12.0 on CPython 3.11: a Python override
    of a C++ virtual that returns None, True or False (QAbstractItemModel.data, isComplete, ...)
    loses one reference to that singleton per call, and after a few thousand repaints the
    interpreter aborts ("none_dealloc"/"bool_dealloc"). CPython 3.12+ makes them immortal; on 3.11
    we give them the same effect by adding 2**40 references once. Process-wide and idempotent;
    it belongs in app/ui/__init__.py (reported to the lead) and lives here until it moves."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for obj in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is PyObject's first field
        if count.value < 1 << 40:
            count.value += 1 << 40


pin_singletons()
