"""Qt views of the certificate area: regeneration dialog (dialog.py), expiry banner (banner.py),
status widget (status_widget.py). Import the module you need: importing this package loads
nothing, so the main window can show its first screen without the certificate modules."""
