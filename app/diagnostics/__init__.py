"""Diagnostics: the connection test (TLS + SCIM) and the host doctor. No Qt here."""
