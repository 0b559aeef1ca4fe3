"""How serious a finding or a check result is: one type for validation findings (config/rules.py),
certificate findings (certs/status.py) and the host doctor's checks (diagnostics/doctor.py).

A StrEnum, so a severity prints, formats and serialises as its word ("error", "warning", ...): the
`--json` output and the host report keep their shape, while code compares members and mypy reports
a misspelt one.
"""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"        # worth knowing, nothing to fix
    OK = "ok"            # a doctor check that passed
    SKIPPED = "skipped"  # a doctor check that could not run here

    @property
    def rank(self) -> int:
        """Sort order, most serious first."""
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2, Severity.OK: 3, Severity.SKIPPED: 4}

# what makes the doctor (and a command's exit code) report a problem
PROBLEMS = frozenset({Severity.WARNING, Severity.ERROR})
