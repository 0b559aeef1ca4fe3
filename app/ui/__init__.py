"""Everything Qt: the main window, wizard pages, dialogs, the event viewer.

The only package that imports PySide6 (docs/architecture.md §2). Each area lives in its own sub-package
(`main/`, `wizard/`, `events/`, `certs/`, `diagnostics/`, `migrate/`) and offers a
`screens.py` with `screenshots(outdir)` so anyone can look at what it draws.
"""

from __future__ import annotations
