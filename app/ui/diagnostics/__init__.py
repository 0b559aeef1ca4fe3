"""The Diagnostics page: host doctor, connection test, service controls."""

from app.ui.diagnostics.page import DiagnosticsPage

__all__ = ["DiagnosticsPage"]
