"""Certificates of the connector host: inspection, generation, status, Windows store (no Qt)."""
