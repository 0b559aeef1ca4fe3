"""`python -m app`: no arguments opens the GUI, a subcommand runs the CLI."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
