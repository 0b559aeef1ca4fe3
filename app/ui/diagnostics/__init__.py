"""The Diagnostics page: host doctor, connection test, service controls (issue 6)."""

from app.ui.diagnostics.page import DiagnosticsPage

__all__ = ["DiagnosticsPage"]
