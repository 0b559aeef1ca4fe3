"""The host report in the GUI: create one (Help menu), open one read-only (File menu, gui --report)."""
