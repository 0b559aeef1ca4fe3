"""The main window's parts: connector table, Settings tab, Problems panel, Backups dialog, actions."""
