"""The connector host as a place: install detection, paths, service, .exe.config files."""
