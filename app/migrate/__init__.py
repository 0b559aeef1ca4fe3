"""MIM import, connector export/import, backup bundles, host comparison, as-built report."""
