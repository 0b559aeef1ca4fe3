"""The frozen executable's entry point: the same `main()` as `python -m app`."""

import multiprocessing
import sys

if __name__ == "__main__":
    # The .evtx reader spawns worker processes; in a frozen build each child re-runs this
    # executable, and freeze_support() turns it into a worker instead of a second GUI.
    multiprocessing.freeze_support()
    from app.cli import main

    sys.exit(main())
