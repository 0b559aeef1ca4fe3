"""Qt views for app/migrate: MIM import dialog, host comparison."""
